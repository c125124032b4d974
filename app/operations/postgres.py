"""PostgreSQL's own tools (pg_dump, pg_restore): where they are, whether they fit the server, and
how to hand them a connection without putting the password on the command line."""

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url

from app.errors import Invalid
from app.i18n import N_


class ToolMissing(Invalid):
    message = N_("{tool} was not found: install the PostgreSQL client tools (Debian: apt install "
                 "postgresql-client-{major}) or put {tool} on PATH.")


class ToolTooOld(Invalid):
    message = N_("{tool} is version {tool_major} but the server is {server_major}: install "
                 "postgresql-client-{server_major}.")


class ToolFailed(Invalid):
    message = N_("{tool} failed: {reason}")


def server_major(connection: Connection) -> int:
    return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def find_tool(tool: str, major: int) -> str:
    """The newest fitting binary: PATH, then /usr/lib/postgresql/<major>/bin. Raises ToolMissing,
    ToolTooOld (a client older than the server cannot read or write its dumps reliably)."""
    candidates = [shutil.which(tool), f"/usr/lib/postgresql/{major}/bin/{tool}"]
    found = [c for c in candidates if c and Path(c).is_file()]
    if not found:
        raise ToolMissing(tool=tool, major=major)
    best = max(found, key=_major_of)
    if _major_of(best) < major:
        raise ToolTooOld(tool=tool, tool_major=_major_of(best), server_major=major)
    return best


def _major_of(binary: str) -> int:
    output = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(match.group(1)) if match else 0


def libpq_args(url: str) -> tuple[list[str], dict[str, str]]:
    """`--dbname=postgresql://...` without the password, and an environment carrying it."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return [f"--dbname={plain}"], env


def run_tool(command: list[str], env: dict[str, str]) -> None:
    """Raises ToolFailed with the tool's first error line."""
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise ToolFailed(tool=Path(command[0]).name, reason=lines[0] if lines else f"exit {done.returncode}")

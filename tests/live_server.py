"""Starting the real app in a subprocess: a free port on 127.0.0.1 and waiting for /healthz.
Used by the browser tests and by the benchmarks that serve the app."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path, seconds: float = 90) -> None:
    """Returns once /healthz answers 200; raises with the server's log if it exits or stays silent (the
    bound is generous: on a shared, loaded machine the app can take half a minute to import)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the app exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the app did not answer /healthz within {seconds:.0f} s:\n{log.read_text()}")


def app_env(database_url: str, workdir: Path) -> dict[str, str]:
    """The environment of an app (server or command) on `database_url`, its files under `workdir`."""
    return {**os.environ, "MP_DATABASE_URL": database_url, "MP_MEDIA_DIR": str(workdir / "media"),
            "MP_VAR_DIR": str(workdir / "var")}


@contextmanager
def serve_app(database_url: str, workdir: Path) -> Iterator[str]:
    """The app in a uvicorn subprocess on `database_url` (already migrated); yields its base URL."""
    port = free_port()
    env = app_env(database_url, workdir)
    log_path = workdir / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url, server, log_path)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()

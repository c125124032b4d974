"""The clinic gap report as a PDF: the printable page rendered by a headless Chromium (the same
engine the browser tests use), with the stylesheet inlined and evidence thumbnails embedded, so
the file needs nothing from the server. Without Chromium the export says so (503), never crashes.
"""

import base64
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlmodel import Session, col, select

from app.errors import DomainError
from app.fieldwork.models import Evidence
from app.i18n import N_
from app.storage import MissingFile, StorageDown, get_storage
from app.storage.base import read_all

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_S = 60
THUMB = re.compile(r'src="/media/(\d+)/thumb"')


class PdfUnavailable(DomainError):
    status_code = 503
    message = N_("PDF export is not available on this server (no Chromium found); print the page instead.")


def chromium() -> str | None:
    """MP_CHROMIUM, else the first Chromium-like browser on the PATH."""
    configured = os.environ.get("MP_CHROMIUM")
    if configured:
        return configured if Path(configured).exists() else None
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def embed_thumbnails(session: Session, html: str) -> str:
    """Replace each /media/{id}/thumb with the thumbnail's bytes (a data: URI)."""
    ids = {int(n) for n in THUMB.findall(html)}
    if not ids:
        return html
    names = dict(session.execute(select(col(Evidence.id), col(Evidence.thumb_name))
                                 .where(col(Evidence.id).in_(ids))).tuples().all())

    def inline(match: re.Match[str]) -> str:
        name = names.get(int(match.group(1)))
        try:
            thumb = read_all(get_storage(), name) if name else b""
        except (MissingFile, StorageDown):
            thumb = b""  # a report without one thumbnail beats no report
        if not thumb:
            return 'src="data:,"'
        return f'src="data:image/jpeg;base64,{base64.b64encode(thumb).decode()}"'

    return THUMB.sub(inline, html)


def html_to_pdf(html: str) -> bytes:
    """Print the HTML with headless Chromium. Raises PdfUnavailable."""
    browser = chromium()
    if browser is None:
        raise PdfUnavailable()
    with tempfile.TemporaryDirectory(prefix="mp-pdf-") as workdir:
        source, target = Path(workdir) / "report.html", Path(workdir) / "report.pdf"
        source.write_text(html, encoding="utf-8")
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--no-pdf-header-footer", f"--user-data-dir={workdir}/profile",
                   f"--print-to-pdf={target}", source.as_uri()]
        try:
            subprocess.run(command, check=False, capture_output=True, timeout=TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PdfUnavailable() from error
        if not target.is_file() or target.stat().st_size == 0:
            raise PdfUnavailable()
        return target.read_bytes()

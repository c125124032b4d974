"""Upload size limit, enforced while the body streams in: a request that declares or sends more
than the limit is stopped at that point with 413, before it fills the disk."""

import shutil
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, BinaryIO

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.types import Message

from app.errors import DomainError
from app.i18n import N_
from app.settings import get_settings

CHUNK = 64 * 1024
FORM_OVERHEAD = 256 * 1024  # multipart boundaries and the other fields of a form


class TooLarge(DomainError):
    status_code = 413
    message = N_("The file is too large: at most {mb} MB.")


def too_large() -> TooLarge:
    return TooLarge(mb=get_settings().max_upload_mb)


class LimitedBodyRoute(APIRoute):
    """A route whose request body may not exceed the upload limit (plus form overhead)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            limit = get_settings().max_upload_bytes + FORM_OVERHEAD
            declared = request.headers.get("content-length", "")
            if declared.isascii() and declared.isdigit() and int(declared) > limit:
                raise too_large()
            received = 0
            receive = request.receive

            async def counting() -> Message:
                nonlocal received
                message = await receive()
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large()
                return message

            return await handler(Request(request.scope, counting))

        return limited


def spool(source: BinaryIO, directory: Path) -> Path:
    """Copy an upload to a temporary file in chunks, stopping with TooLarge once past the limit."""
    limit = get_settings().max_upload_bytes
    directory.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=directory, prefix="upload-", delete=False)  # noqa: SIM115
    path = Path(handle.name)
    written = 0
    try:
        with handle:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                if written > limit:
                    raise too_large()
                handle.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def move(source: Path, target: Path) -> None:
    shutil.move(str(source), str(target))

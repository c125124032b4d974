"""Answering with a stored file once the caller has checked who may see it: from the local folder,
by a short-lived presigned redirect, or streamed from the object store (docs/scaling.md)."""

from fastapi.responses import FileResponse, RedirectResponse, Response, StreamingResponse

from app.storage import get_storage

CACHE = "private, max-age=3600"


def stored_file(name: str, *, content_type: str, filename: str, disposition: str = "inline",
                headers: dict[str, str] | None = None) -> Response:
    """The file `name` of the media storage. Raises MissingFile, StorageDown."""
    storage = get_storage()
    extra = {"Cache-Control": CACHE, **(headers or {})}
    path = storage.local_path(name)
    if path is not None:
        return FileResponse(path, media_type=content_type, content_disposition_type=disposition,
                            filename=filename, headers=extra)
    link = storage.link(name, content_type=content_type, filename=filename)
    if link is not None:
        # The link outlives the check by seconds only; the redirect itself must not be cached.
        return RedirectResponse(link, status_code=307, headers={"Cache-Control": "no-store"})
    return StreamingResponse(storage.open(name), media_type=content_type, headers={
        **extra, "Content-Disposition": f'{disposition}; filename="{filename}"'})

"""Evidence files, served only to those who may see the audit (everyone else gets 404).

The permission check always runs here first. Then a local file is sent as it is; a file on S3 is
streamed through the app, or, with MP_S3_PUBLIC_URL set, the browser is redirected to a presigned
link valid for MP_S3_LINK_SECONDS (docs/scaling.md).
"""

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse, Response, StreamingResponse

from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.fieldwork import evidence
from app.storage import MissingFile, get_storage

router = APIRouter(include_in_schema=False)

EXTENSIONS = {"image/jpeg": "jpg", "audio/mp4": "m4a", "audio/mpeg": "mp3", "audio/ogg": "ogg",
              "audio/webm": "webm", "audio/wav": "wav", "audio/aac": "aac"}
CACHE = "private, max-age=3600"


def _file(name: str, content_type: str, evidence_id: int) -> Response:
    storage = get_storage()
    filename = f"evidence-{evidence_id}.{EXTENSIONS.get(content_type, 'bin')}"
    try:
        path = storage.local_path(name)
        if path is not None:
            return FileResponse(path, media_type=content_type, content_disposition_type="inline",
                                filename=filename, headers={"Cache-Control": CACHE})
        link = storage.link(name, content_type=content_type, filename=filename)
        if link is not None:
            # The link outlives the check by seconds only; the redirect itself must not be cached.
            return RedirectResponse(link, status_code=307, headers={"Cache-Control": "no-store"})
        chunks = storage.open(name)
    except MissingFile as missing:
        raise evidence.EvidenceNotFound() from missing
    return StreamingResponse(chunks, media_type=content_type, headers={
        "Cache-Control": CACHE, "Content-Disposition": f'inline; filename="{filename}"'})


@router.get("/media/{evidence_id}", name="evidence_file")
def evidence_file(evidence_id: int, user: CurrentUser, session: SessionDep) -> Response:
    file = evidence.viewable_evidence(session, user=user, evidence_id=evidence_id)
    return _file(file.stored_name, file.content_type, evidence_id)


@router.get("/media/{evidence_id}/thumb", name="evidence_thumb")
def evidence_thumb(evidence_id: int, user: CurrentUser, session: SessionDep) -> Response:
    file = evidence.viewable_evidence(session, user=user, evidence_id=evidence_id)
    if not file.thumb_name:
        raise evidence.EvidenceNotFound()
    return _file(file.thumb_name, "image/jpeg", evidence_id)

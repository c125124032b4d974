"""Evidence files, served only to those who may see the audit (everyone else gets 404)."""

from fastapi import APIRouter
from fastapi.responses import FileResponse

from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.fieldwork import evidence, media

router = APIRouter(include_in_schema=False)

EXTENSIONS = {"image/jpeg": "jpg", "audio/mp4": "m4a", "audio/mpeg": "mp3", "audio/ogg": "ogg",
              "audio/webm": "webm", "audio/wav": "wav", "audio/aac": "aac"}


def _file(name: str, content_type: str, evidence_id: int) -> FileResponse:
    path = media.path_of(name)
    if not path.is_file():
        raise evidence.EvidenceNotFound()
    filename = f"evidence-{evidence_id}.{EXTENSIONS.get(content_type, 'bin')}"
    return FileResponse(path, media_type=content_type, content_disposition_type="inline", filename=filename,
                        headers={"Cache-Control": "private, max-age=3600"})


@router.get("/media/{evidence_id}", name="evidence_file")
def evidence_file(evidence_id: int, user: CurrentUser, session: SessionDep) -> FileResponse:
    file = evidence.viewable_evidence(session, user=user, evidence_id=evidence_id)
    return _file(file.stored_name, file.content_type, evidence_id)


@router.get("/media/{evidence_id}/thumb", name="evidence_thumb")
def evidence_thumb(evidence_id: int, user: CurrentUser, session: SessionDep) -> FileResponse:
    file = evidence.viewable_evidence(session, user=user, evidence_id=evidence_id)
    if not file.thumb_name:
        raise evidence.EvidenceNotFound()
    return _file(file.thumb_name, "image/jpeg", evidence_id)

"""Evidence files, served only to those who may see the audit (everyone else gets 404).

The permission check always runs here first. Then a local file is sent as it is; a file on S3 is
streamed through the app, or, with MP_S3_PUBLIC_URL set, the browser is redirected to a presigned
link valid for MP_S3_LINK_SECONDS (docs/scaling.md).
"""

from fastapi import APIRouter
from fastapi.responses import Response

from app.accounts.deps import CurrentUser
from app.db import SessionDep
from app.fieldwork import evidence
from app.storage import MissingFile
from app.storage.responses import stored_file

router = APIRouter(include_in_schema=False)

EXTENSIONS = {"image/jpeg": "jpg", "audio/mp4": "m4a", "audio/mpeg": "mp3", "audio/ogg": "ogg",
              "audio/webm": "webm", "audio/wav": "wav", "audio/aac": "aac"}


def _file(name: str, content_type: str, evidence_id: int) -> Response:
    filename = f"evidence-{evidence_id}.{EXTENSIONS.get(content_type, 'bin')}"
    try:
        return stored_file(name, content_type=content_type, filename=filename)
    except MissingFile as missing:
        raise evidence.EvidenceNotFound() from missing


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

"""What the checklist pages list: every checklist with its latest version and the reader's draft,
and the published versions of one checklist with who published each and when."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.checklists import diff, editor, versions
from app.checklists.models import Checklist, ChecklistVersion
from app.web.paging import Page, PageRequest, SortKey, fetch_page


@dataclass
class ChecklistRow:
    slug: str
    latest: ChecklistVersion | None
    published_by: User | None
    draft: ChecklistVersion | None


def checklist_rows(session: Session, *, reader: User, page: PageRequest | None = None) -> Page[ChecklistRow]:
    """One page of checklists by slug, each with its latest published version and publisher and the
    reader's own draft (nobody sees anyone else's). A checklist known only from the reader's draft is
    listed too. Raises BadPage for a cursor that is not this list's."""
    shown = exists().where(col(ChecklistVersion.checklist_id) == Checklist.id,
                           or_(col(ChecklistVersion.status) == "published",
                               col(ChecklistVersion.created_by_id) == reader.id))
    found = fetch_page(session, select(Checklist).where(shown),
                       order=(SortKey(col(Checklist.slug)), SortKey(col(Checklist.id))), page=page or PageRequest())
    publisher = aliased(User)
    query = (select(Checklist, ChecklistVersion, publisher)
             .join(ChecklistVersion, col(ChecklistVersion.checklist_id) == Checklist.id)
             .join(publisher, col(publisher.id) == ChecklistVersion.published_by_id, isouter=True)
             .where(col(Checklist.id).in_([checklist.id for checklist in found.rows]))
             .order_by(col(Checklist.slug), col(ChecklistVersion.version)))
    rows = {checklist.slug: ChecklistRow(checklist.slug, None, None, None) for checklist in found.rows}
    for checklist, version, user in session.exec(query).all() if found.rows else ():
        row = rows[checklist.slug]
        if version.status == "published":
            row.latest, row.published_by = version, user
        elif version.created_by_id == reader.id:
            row.draft = version
    return found.with_rows(list(rows.values()))


@dataclass
class VersionRow:
    version: ChecklistVersion
    published_by: User | None


def version_rows(session: Session, slug: str) -> list[VersionRow]:
    """Published versions, newest first, with their publishers. Raises ChecklistNotFound."""
    versions.latest_version(session, slug)
    query = (select(ChecklistVersion, User).join(Checklist)
             .join(User, col(User.id) == ChecklistVersion.published_by_id, isouter=True)
             .where(Checklist.slug == slug, ChecklistVersion.status == "published")
             .order_by(col(ChecklistVersion.version).desc()))
    return [VersionRow(version, user) for version, user in session.exec(query).all()]


def comparable(document: dict[str, Any], slug: str) -> dict[str, Any]:
    """A draft's document in canonical form when it is valid (defaults spelled out like a stored
    version's), as edited otherwise."""
    doc, _problems = editor.validate_checklist(editor.draft_yaml(document), editor.draft_filename(slug))
    return versions.canonical(doc) if doc is not None else document


def compare(session: Session, slug: str, *, reader: User, start: str | None, end: str | None,
            ) -> tuple[diff.Diff, str, str]:
    """The diff between two versions of a checklist, "draft" meaning the reader's draft. Defaults:
    the reader's draft against the latest version, or else the latest against the one before.
    Raises ChecklistNotFound, VersionNotFound, DraftNotFound."""
    latest = versions.latest_version(session, slug)
    draft = editor.find_draft(session, slug, author=reader)
    if end is None:
        end = "draft" if draft is not None else str(latest.version)
    if start is None:
        numbered = end.isascii() and end.isdigit()
        start = str(latest.version if end == "draft" else max(1, int(end) - 1 if numbered else 1))

    def document(ref: str) -> tuple[dict[str, Any], dict[str, str]]:
        if ref == "draft":
            own = editor.get_draft(session, slug, author=reader)
            return comparable(own.document, slug), dict(own.renamed_keys or {})
        if not (ref.isascii() and ref.isdigit()):
            raise versions.VersionNotFound(slug=slug, version=ref)
        stored = versions.get_version(session, slug, int(ref))
        return stored.document, dict(stored.renamed_keys or {})

    old, _ = document(start)
    new, renamed = document(end)
    if end != "draft" and start.isascii() and start.isdigit() and int(end) - int(start) != 1:
        renamed = _chained_renames(session, slug, int(start), int(end))
    return diff.diff_documents(old, new, renamed), start, end


def _chained_renames(session: Session, slug: str, start: int, end: int) -> dict[str, str]:
    """The renames of every version after `start` up to `end`, followed through: a→b then b→c is a→c."""
    renamed: dict[str, str] = {}
    for number in range(start + 1, end + 1):
        for old, new in (versions.get_version(session, slug, number).renamed_keys or {}).items():
            source = next((k for k, v in renamed.items() if v == old), old)
            renamed[source] = new
    return renamed

"""Checklist drafts in the web editor: open the latest version as a draft, apply edits, find the
draft's problems, publish it as the next version.

A draft is a `ChecklistVersion` row with status "draft", no number and `created_by_id` = its author;
only its author ever sees it, and each author has at most one draft per checklist (opening again
resumes it). Its `document` is a plain dict in the YAML structure and may be invalid while being
edited: every edit is stored as typed. Its problems come from `validate_checklist` run on the
draft's YAML text, so the editor says exactly what the file validator says. Publishing validates
again, stores the next immutable version through `versions.save_version` and deletes the draft row.
"""

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.accounts.models import User
from app.checklists import versions
from app.checklists.models import Checklist, ChecklistVersion
from app.checklists.schema import ChecklistDoc, ItemType
from app.checklists.source import Path, YamlSyntaxError, load_yaml
from app.checklists.validation import Problem, validate_checklist
from app.errors import Conflict, Invalid, NotFound
from app.i18n import N_
from app.trail import service as trail

LANGUAGES = ("ru", "en")
ITEM_TYPES = tuple(t.value for t in ItemType)
CHANNELS = ("phone", "site", "messenger", "clinic", "email", "other")
PHOTO_RULES = ("none", "optional", "required", "required_on_fail")
COMMENT_RULES = ("optional", "required_on_fail")
_ONLY_FOR = {"unit": "number", "pass_if": "number", "min": "scale", "max": "scale", "options": "choice"}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


class DraftNotFound(NotFound):
    message = N_("You have no draft of checklist {slug}. Open the checklist for editing first.")


class DraftChanged(Conflict):
    message = N_("The draft was changed in another window. Reload the page and try again.")


class DraftHasProblems(Invalid):
    message = N_("The draft still has problems; fix them before publishing.")


@dataclass
class DraftProblems:
    """The draft's problems, placed where the editor shows them: by touchpoint index, by
    (touchpoint, item) index, each with the field it concerns (None: the block as a whole;
    "options.N" for the item's option N)."""

    all: list[Problem] = field(default_factory=list)
    top: list[tuple[str | None, Problem]] = field(default_factory=list)
    touchpoints: dict[int, list[tuple[str | None, Problem]]] = field(default_factory=dict)
    items: dict[tuple[int, int], list[tuple[str | None, Problem]]] = field(default_factory=dict)

    def of_touchpoint(self, t: int) -> list[tuple[str | None, Problem]]:
        return self.touchpoints.get(t, [])

    def of_item(self, t: int, i: int) -> list[tuple[str | None, Problem]]:
        return self.items.get((t, i), [])


def draft_yaml(document: Mapping[str, Any]) -> str:
    """The draft as the YAML file the validator reads (and the author may download)."""
    return yaml.safe_dump(dict(document), allow_unicode=True, sort_keys=False, width=10_000, indent=2)


def draft_filename(slug: str) -> str:
    return f"{slug}.draft.yaml"


def problems_of(document: Mapping[str, Any], filename: str) -> list[Problem]:
    """Every problem of the draft, in the file validator's words."""
    return validate_checklist(draft_yaml(document), filename)[1]


def placed_problems(document: Mapping[str, Any], filename: str) -> DraftProblems:
    """The draft's problems, each placed at the touchpoint or item (and field) its line belongs to."""
    text = draft_yaml(document)
    problems = validate_checklist(text, filename)[1]
    placed = DraftProblems(all=problems)
    try:
        lines = load_yaml(text)[1]
    except YamlSyntaxError:  # cannot happen for a dumped dict; keep everything at the top
        placed.top = [(None, p) for p in problems]
        return placed
    by_line: dict[int, Path] = {}
    for path, line in lines.at.items():
        if line not in by_line or len(path) > len(by_line[line]):
            by_line[line] = path
    starts = sorted((line, path) for path, line in lines.at.items()
                    if len(path) in (2, 4) and path[0] == "touchpoints"
                    and (len(path) == 2 or path[2] == "items") and isinstance(path[-1], int))
    for problem in problems:
        path = by_line.get(problem.line, ())
        owner: Path = ()
        for line, start in starts:
            if line > problem.line:
                break
            owner = start
        if path[:len(owner)] != owner:
            path = owner
        if len(owner) == 4:
            name = str(path[4]) if len(path) > 4 and path[4] != "key" else None
            if name == "options" and len(path) > 5 and isinstance(path[5], int):
                name = f"options.{path[5]}"  # shown on that option's row
            placed.items.setdefault((int(owner[1]), int(owner[3])), []).append((name, problem))
        elif len(owner) == 2 and not (len(path) > 2 and path[2] == "items" and len(path) > 3):
            name = str(path[2]) if len(path) > 2 and path[2] not in ("key", "items") else None
            placed.touchpoints.setdefault(int(owner[1]), []).append((name, problem))
        else:
            placed.top.append((str(path[0]) if path else None, problem))
    return placed


def _checklist(session: Session, slug: str) -> Checklist:
    checklist = session.exec(select(Checklist).where(Checklist.slug == slug)).first()
    if checklist is None:
        raise versions.ChecklistNotFound(slug=slug)
    return checklist


def find_draft(session: Session, slug: str, *, author: User) -> ChecklistVersion | None:
    """The author's open draft of the checklist, if any (other people's drafts are never found)."""
    query = (select(ChecklistVersion).join(Checklist)
             .where(Checklist.slug == slug, ChecklistVersion.status == "draft",
                    ChecklistVersion.created_by_id == author.id))
    return session.exec(query).first()


def get_draft(session: Session, slug: str, *, author: User) -> ChecklistVersion:
    """Raises DraftNotFound (also for another author's draft)."""
    draft = find_draft(session, slug, author=author)
    if draft is None:
        raise DraftNotFound(slug=slug)
    return draft


def open_draft(session: Session, slug: str, *, author: User) -> ChecklistVersion:
    """The author's draft of the checklist: the open one, or a new copy of the latest version.
    Raises ChecklistNotFound."""
    existing = find_draft(session, slug, author=author)
    if existing is not None:
        return existing
    latest = versions.latest_version(session, slug)
    draft = ChecklistVersion(checklist_id=latest.checklist_id, version=None, status="draft",
                             title=latest.title, language=latest.language,
                             critical_policy=latest.critical_policy, target=latest.target, content_hash="",
                             document=copy.deepcopy(latest.document), renamed_keys={},
                             created_by_id=author.id)
    try:
        with session.begin_nested():  # another request of the author opened it a moment ago
            session.add(draft)
            session.flush()
    except IntegrityError:
        opened = find_draft(session, slug, author=author)
        if opened is None:
            raise
        return opened
    trail.record(session, actor=author, verb="checklist.draft_open", entity="checklist_version",
                 entity_id=draft.id, slug=slug, base=latest.version)
    return draft


def draft_from_text(session: Session, text: str, filename: str, *, author: User) -> ChecklistVersion:
    """Make a valid YAML file the author's draft of its checklist (replacing the open draft's
    content). A file with problems changes nothing: raises FilesInvalid with every problem."""
    from app.checklists.files import FilesInvalid

    doc, problems = validate_checklist(text, filename)
    if doc is None:
        raise FilesInvalid(problems)
    checklist = session.exec(select(Checklist).where(Checklist.slug == doc.slug)).first()
    if checklist is None:
        checklist = Checklist(slug=doc.slug)
        session.add(checklist)
        session.flush()
    draft = find_draft(session, doc.slug, author=author)
    if draft is None:
        draft = ChecklistVersion(checklist_id=checklist.id or 0, version=None, status="draft", content_hash="",
                                 created_by_id=author.id)
    draft.renamed_keys = {}
    _store(session, draft, versions.canonical(doc))
    trail.record(session, actor=author, verb="checklist.draft_upload", entity="checklist_version",
                 entity_id=draft.id, slug=doc.slug, file=filename)
    return draft


def discard_draft(session: Session, draft: ChecklistVersion) -> None:
    session.delete(draft)
    session.flush()


def _store(session: Session, draft: ChecklistVersion, document: dict[str, Any]) -> None:
    """Keep the document as edited (valid or not); a new dict so the JSON column sees the change."""
    draft.document = document
    if isinstance(document.get("title"), dict):
        draft.title = dict(document["title"])
    if document.get("language") in LANGUAGES:
        draft.language = document["language"]
    session.add(draft)
    session.flush()


def _edited(draft: ChecklistVersion) -> dict[str, Any]:
    return copy.deepcopy(draft.document)


# --- turning form fields into document values -------------------------------------------------------

def typed(raw: str | None) -> Any:
    """A form value as the YAML would hold it: a number where it reads as one, else the text typed
    (so "abc" in a weight gives the validator's "must be a number" message); None when empty."""
    if raw is None:
        return None
    value = raw.strip()
    if value == "":
        return None
    if _NUMBER.match(value):
        return float(value) if "." in value else int(value)
    return value


def texts(form: Mapping[str, str], prefix: str) -> dict[str, str] | None:
    """`{prefix}_ru` and `{prefix}_en` as a localized text; empty languages are left out."""
    result = {lang: form[f"{prefix}_{lang}"].strip() for lang in LANGUAGES
              if form.get(f"{prefix}_{lang}", "").strip()}
    return result or None


def _set(target: dict[str, Any], name: str, value: Any) -> None:
    if value is None:
        target.pop(name, None)
    else:
        target[name] = value


def _touchpoint(document: dict[str, Any], t: int, expected_key: str | None) -> dict[str, Any]:
    touchpoints = document.get("touchpoints")
    if not isinstance(touchpoints, list) or not 0 <= t < len(touchpoints):
        raise DraftChanged()
    tp = touchpoints[t]
    if expected_key is not None and tp.get("key") != expected_key:
        raise DraftChanged()
    return tp  # type: ignore[no-any-return]


def _item(document: dict[str, Any], t: int, i: int, expected_key: str | None) -> dict[str, Any]:
    items = _touchpoint(document, t, None).get("items")
    if not isinstance(items, list) or not 0 <= i < len(items):
        raise DraftChanged()
    item = items[i]
    if expected_key is not None and item.get("key") != expected_key:
        raise DraftChanged()
    return item  # type: ignore[no-any-return]


def save_settings(session: Session, draft: ChecklistVersion, form: Mapping[str, str]) -> None:
    """Title, default language, critical policy and target of the checklist."""
    document = _edited(draft)
    _set(document, "title", texts(form, "title"))
    _set(document, "language", form.get("language") or None)
    _set(document, "critical_policy", form.get("critical_policy") or None)
    _set(document, "target", typed(form.get("target")))
    _store(session, draft, _ordered(document, ("slug", "title", "language", "critical_policy", "target",
                                               "touchpoints")))


def save_touchpoint(session: Session, draft: ChecklistVersion, t: int, form: Mapping[str, str]) -> None:
    """Key, title, weight, target, need and channel of touchpoint `t`; kept as typed."""
    document = _edited(draft)
    tp = _touchpoint(document, t, form.get("expected_key"))
    _set(tp, "key", form.get("key", "").strip() or None)
    _set(tp, "title", texts(form, "title"))
    _set(tp, "weight", typed(form.get("weight")))
    _set(tp, "target", typed(form.get("target")))
    _set(tp, "need", texts(form, "need"))
    _set(tp, "channel", form.get("channel") or None)
    document["touchpoints"][t] = _ordered(tp, ("key", "title", "weight", "target", "need", "channel", "items"))
    _store(session, draft, document)


def save_item(session: Session, draft: ChecklistVersion, t: int, i: int, form: Mapping[str, str],
              options: list[dict[str, Any]], op: str = "") -> None:
    """Every field of item `i` of touchpoint `t` but its key (renaming is `rename_item`); fields that
    do not fit the chosen type are dropped. `op` "add_option" or "remove_option:N" edits the options."""
    document = _edited(draft)
    item = _item(document, t, i, form.get("expected_key"))
    kind = form.get("type") or item.get("type")
    _set(item, "type", kind)
    _set(item, "text", texts(form, "text"))
    _set(item, "help", texts(form, "help"))
    _set(item, "unit", form.get("unit", "").strip() or None)
    pass_if = {name: typed(form.get(f"pass_{name}")) for name in ("min", "max")}
    _set(item, "pass_if", {k: v for k, v in pass_if.items() if v is not None} or None)
    _set(item, "min", typed(form.get("scale_min")))
    _set(item, "max", typed(form.get("scale_max")))
    if op == "add_option":
        options = options + [{"key": "", "text": {}, "score": None}]
    elif op.startswith("remove_option:") and op[14:].isascii() and op[14:].isdigit():
        options = [o for n, o in enumerate(options) if n != int(op[14:])]
    cleaned = [{k: v for k, v in o.items() if v not in (None, "", {})} for o in options]
    _set(item, "options", cleaned if kind == "choice" else None)
    _set(item, "weight", typed(form.get("weight")))
    for flag in ("critical", "allow_na", "required"):
        item[flag] = form.get(flag) in ("true", "on", "1")
    _set(item, "photo", form.get("photo") or None)
    _set(item, "comment", form.get("comment") or None)
    for name, only in _ONLY_FOR.items():
        if kind != only:
            item.pop(name, None)
    document["touchpoints"][t]["items"][i] = _ordered(item, (
        "key", "text", "help", "type", "unit", "pass_if", "min", "max", "options", "weight", "critical",
        "allow_na", "required", "photo", "comment"))
    _store(session, draft, document)


def options_from(form: Any) -> list[dict[str, Any]]:
    """Choice options posted as parallel lists option_key / option_text_ru / _en / option_score."""
    keys = form.getlist("option_key")
    columns = {name: form.getlist(name) for name in ("option_text_ru", "option_text_en", "option_score")}
    options = []
    for n, key in enumerate(keys):
        def cell(name: str, n: int = n) -> str:
            values = columns[name]
            return str(values[n]) if n < len(values) else ""
        text = {lang: cell(f"option_text_{lang}").strip() for lang in LANGUAGES if cell(f"option_text_{lang}").strip()}
        options.append({"key": str(key).strip(), "text": text, "score": typed(cell("option_score"))})
    return options


def _ordered(mapping: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """The fields in the format's order (unknown ones last), so the YAML reads like a bundled file."""
    return {**{k: mapping[k] for k in order if k in mapping},
            **{k: v for k, v in mapping.items() if k not in order}}


def add_touchpoint(session: Session, draft: ChecklistVersion, *, key: str, title: str) -> None:
    """A new touchpoint at the end of the journey, with one yes/no item to start from."""
    document = _edited(draft)
    language = document.get("language", "ru")
    key = key.strip()
    document.setdefault("touchpoints", []).append({
        "key": key, "title": {language: title.strip()} if title.strip() else {}, "weight": 1.0,
        "items": [_new_item(f"{key}.item_1", "", language)]})
    _store(session, draft, document)


def _new_item(key: str, text: str, language: str, kind: str = "yes_no") -> dict[str, Any]:
    item: dict[str, Any] = {"key": key, "text": {language: text} if text else {}, "type": kind, "weight": 1.0,
                            "critical": False, "allow_na": False, "required": True, "photo": "none",
                            "comment": "optional"}
    if kind == "choice":
        item = _ordered({**item, "options": [{"key": "yes", "text": {}, "score": 1}]},
                        ("key", "text", "type", "options"))
    return item


def add_item(session: Session, draft: ChecklistVersion, t: int, *, key: str, text: str, kind: str) -> None:
    """A new item at the end of touchpoint `t`."""
    document = _edited(draft)
    tp = _touchpoint(document, t, None)
    tp.setdefault("items", []).append(_new_item(key.strip(), text.strip(), document.get("language", "ru"),
                                                kind if kind in ITEM_TYPES else "yes_no"))
    _store(session, draft, document)


def move_touchpoint(session: Session, draft: ChecklistVersion, t: int, *, step: int, expected_key: str) -> None:
    """Swap touchpoint `t` with its neighbour (step -1 up, +1 down); at either end nothing happens."""
    document = _edited(draft)
    _touchpoint(document, t, expected_key)
    touchpoints = document["touchpoints"]
    other = t + step
    if 0 <= other < len(touchpoints):
        touchpoints[t], touchpoints[other] = touchpoints[other], touchpoints[t]
    _store(session, draft, document)


def remove_touchpoint(session: Session, draft: ChecklistVersion, t: int, *, expected_key: str) -> None:
    document = _edited(draft)
    _touchpoint(document, t, expected_key)
    del document["touchpoints"][t]
    _store(session, draft, document)


def move_item(session: Session, draft: ChecklistVersion, t: int, i: int, *, expected_key: str, step: int = 0,
              to_touchpoint: int | None = None) -> None:
    """Move an item up/down in its touchpoint (step ±1) or to the end of another touchpoint."""
    document = _edited(draft)
    _item(document, t, i, expected_key)
    items = document["touchpoints"][t]["items"]
    if to_touchpoint is not None and to_touchpoint != t:
        target = _touchpoint(document, to_touchpoint, None)
        target.setdefault("items", []).append(items.pop(i))
    elif 0 <= i + step < len(items):
        items[i], items[i + step] = items[i + step], items[i]
    _store(session, draft, document)


def remove_item(session: Session, draft: ChecklistVersion, t: int, i: int, *, expected_key: str) -> None:
    document = _edited(draft)
    _item(document, t, i, expected_key)
    del document["touchpoints"][t]["items"][i]
    _store(session, draft, document)


def rename_item(session: Session, draft: ChecklistVersion, t: int, i: int, *, expected_key: str,
                new_key: str) -> None:
    """Give an item a new key and record it for the next version ({old: new}), so reports can follow
    the item over time. Renaming a key that the published versions never had records nothing;
    renaming back to the original drops the record."""
    document = _edited(draft)
    item = _item(document, t, i, expected_key)
    new_key = new_key.strip()
    item["key"] = new_key
    renamed = dict(draft.renamed_keys or {})
    original = next((old for old, new in renamed.items() if new == expected_key), None)
    if original is not None:
        del renamed[original]
    else:
        original = expected_key if expected_key in _published_keys(session, draft) else None
    if original is not None and original != new_key:
        renamed[original] = new_key
    draft.renamed_keys = renamed
    _store(session, draft, document)


def _published_keys(session: Session, draft: ChecklistVersion) -> set[str]:
    try:
        latest = versions.latest_version(session, _slug(session, draft))
    except versions.ChecklistNotFound:
        return set()
    return {it["key"] for tp in latest.document["touchpoints"] for it in tp["items"]}


def _slug(session: Session, draft: ChecklistVersion) -> str:
    return versions.slug_of(session, draft)


def valid_document(draft: ChecklistVersion, slug: str) -> ChecklistDoc | None:
    doc, _problems = validate_checklist(draft_yaml(draft.document), draft_filename(slug))
    return doc


def publish_draft(session: Session, draft: ChecklistVersion, *, actor: User) -> versions.SaveResult:
    """Publish the draft as the next immutable version (who and when are recorded by save_version
    and the trail) and delete the draft row. The same content as the latest version with no renamed
    keys publishes nothing and returns the latest (created False); the draft is closed all the same.
    Raises DraftHasProblems (422, detail: every problem) and changes nothing while any remains."""
    slug = _slug(session, draft)
    doc, problems = validate_checklist(draft_yaml(draft.document), draft_filename(slug))
    if doc is None:
        raise DraftHasProblems(detail=[p.as_json() for p in problems])
    result = versions.save_version(session, doc, actor=actor, renamed_keys=dict(draft.renamed_keys or {}))
    discard_draft(session, draft)
    return result

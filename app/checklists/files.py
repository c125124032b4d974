"""Checklist and scenario files in and out of the database.

Import is all or nothing: every file is validated first, and if any has a problem nothing is stored
and every problem is raised at once. Importing the same content again changes nothing; changed
content becomes the checklist's next version, and audits keep the version they were filled on.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from sqlmodel import Session, select

from app.accounts.models import User
from app.checklists import versions
from app.checklists.models import Checklist
from app.checklists.scenarios import ScenarioDoc, save_scenario, validate_scenario
from app.checklists.schema import ChecklistDoc, ItemDoc
from app.checklists.source import load_yaml
from app.checklists.validation import Problem, validate_checklist
from app.errors import Invalid
from app.i18n import N_

SUFFIXES = (".yaml", ".yml")
SCENARIO_FOLDER = "scenarios"
Kind = Literal["checklist", "scenario"]


class FilesInvalid(Invalid):
    """Some files have problems; `problems` lists every one, nothing was stored."""

    message = N_("The checklist has problems; nothing was imported.")

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(detail=[problem.as_json() for problem in problems])
        self.problems = problems


class PathNotFound(Invalid):
    message = N_("There is no file or folder {path}.")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    kind: Kind


@dataclass(frozen=True)
class ImportOutcome:
    file: str
    kind: Kind
    slug: str
    version: int | None  # checklists only
    status: Literal["created", "updated", "unchanged"]

    def __str__(self) -> str:
        if self.kind == "checklist":
            return f"{self.slug} v{self.version} {self.status}"
        return f"scenario {self.slug} {self.status}"


def find_sources(paths: Iterable[str | Path]) -> list[SourceFile]:
    """The files behind the given paths: a folder gives its `*.yaml`/`*.yml` checklists and the
    scenario files in its `scenarios/` subfolder; a file inside a `scenarios` folder is a scenario.
    Raises PathNotFound."""
    found: list[SourceFile] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += [SourceFile(p, "checklist") for p in sorted(path.iterdir())
                      if p.is_file() and p.suffix in SUFFIXES]
            scenario_dir = path / SCENARIO_FOLDER
            if scenario_dir.is_dir():
                found += [SourceFile(p, "scenario") for p in sorted(scenario_dir.iterdir())
                          if p.is_file() and p.suffix in SUFFIXES]
        elif path.is_file():
            found.append(SourceFile(path, "scenario" if path.parent.name == SCENARIO_FOLDER else "checklist"))
        else:
            raise PathNotFound(path=str(raw))
    return list(dict.fromkeys(found))


def _read(source: SourceFile) -> tuple[str | None, list[Problem]]:
    try:
        return source.path.read_text(encoding="utf-8"), []
    except UnicodeDecodeError:
        return None, [Problem(str(source.path), 1, "file", N_("the file is not UTF-8 text"))]
    except OSError as error:
        return None, [Problem(str(source.path), 1, "file", N_("the file cannot be read: {error}"),
                              {"error": error.strerror})]


def validate_sources(sources: list[SourceFile]) -> tuple[list[tuple[SourceFile, Any]], list[Problem]]:
    """Validate every file; the parsed documents, and every problem of every file."""
    documents: list[tuple[SourceFile, Any]] = []
    problems: list[Problem] = []
    slugs: dict[tuple[Kind, str], str] = {}
    for source in sources:
        text, read_problems = _read(source)
        problems += read_problems
        if text is None:
            continue
        validate = validate_checklist if source.kind == "checklist" else validate_scenario
        doc, file_problems = validate(text, str(source.path))
        problems += file_problems
        if doc is None:
            continue
        if (source.kind, doc.slug) in slugs:
            problems.append(Problem(str(source.path), _line_of(text, "slug"), "slug",
                                    N_("slug '{slug}' is also used by {other}"),
                                    {"slug": doc.slug, "other": slugs[(source.kind, doc.slug)]}))
            continue
        slugs[(source.kind, doc.slug)] = str(source.path)
        documents.append((source, doc))
    return documents, problems


def _line_of(text: str, field: str) -> int:
    return load_yaml(text)[1].line_of((field,))


def import_paths(session: Session, paths: Iterable[str | Path], *, actor: User | None = None,
                 ) -> list[ImportOutcome]:
    """Import checklist and scenario files and folders, checklists first.

    Raises FilesInvalid with every problem of every file (nothing stored), PathNotFound."""
    documents, problems = validate_sources(find_sources(paths))
    known = {doc.slug for source, doc in documents if source.kind == "checklist"}
    known |= set(session.exec(select(Checklist.slug)).all())
    for source, doc in documents:
        if isinstance(doc, ScenarioDoc) and doc.checklist not in known:
            line = _line_of(source.path.read_text(encoding="utf-8"), "checklist")
            problems.append(Problem(str(source.path), line, "checklist", N_("there is no checklist '{slug}'"),
                                    {"slug": doc.checklist}))
    if problems:
        raise FilesInvalid(problems)
    outcomes: list[ImportOutcome] = []
    for source, doc in sorted(documents, key=lambda pair: pair[0].kind != "checklist"):
        if isinstance(doc, ChecklistDoc):
            result = versions.save_version(session, doc, actor=actor)
            outcomes.append(ImportOutcome(str(source.path), "checklist", doc.slug, result.version.version,
                                          "created" if result.created else "unchanged"))
        else:
            saved = save_scenario(session, doc)
            outcomes.append(ImportOutcome(str(source.path), "scenario", doc.slug, None, saved.status))
    return outcomes


def import_checklist_text(session: Session, text: str, filename: str, *, actor: User | None = None,
                          ) -> versions.SaveResult:
    """Validate one checklist document and publish it (or find it unchanged). Raises FilesInvalid."""
    doc, problems = validate_checklist(text, filename)
    if doc is None:
        raise FilesInvalid(problems)
    return versions.save_version(session, doc, actor=actor)


_ITEM_DEFAULTS = {name: info.default for name, info in ItemDoc.model_fields.items()
                  if name in ("critical", "allow_na", "required", "photo", "comment")}


class _Texts(dict[str, Any]):
    """A {language: text} or pass_if mapping, written on one line like the bundled files."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # list entries indented under their key


_Dumper.add_representer(_Texts, lambda dumper, data: dumper.represent_mapping(
    "tag:yaml.org,2002:map", data.items(), flow_style=True))


def _tidy(value: Any) -> Any:
    """Whole floats as integers (weight: 2, not 2.0), texts on one line; the meaning and the hash
    stay the same."""
    if isinstance(value, dict) and value and (set(value) <= {"ru", "en"} or set(value) <= {"min", "max"}):
        return _Texts((key, _tidy(inner)) for key, inner in value.items())
    if isinstance(value, dict):
        return {key: _tidy(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_tidy(inner) for inner in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def document_yaml(document: dict[str, Any]) -> str:
    """A stored (canonical) document as a YAML file in the format's field order, defaults left out."""
    data = versions.canonical(ChecklistDoc.model_validate(document))  # field order of the format
    for touchpoint in data["touchpoints"]:
        for item in touchpoint["items"]:
            for name, default in _ITEM_DEFAULTS.items():
                if item.get(name) == default:
                    del item[name]
    return yaml.dump(_tidy(data), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000, indent=2)


def export_version(session: Session, slug: str, version: int | None = None) -> str:
    """The YAML of a checklist version (the latest by default); validates and re-imports unchanged.
    Raises ChecklistNotFound, VersionNotFound."""
    stored = versions.get_version(session, slug, version)
    header = f"# {slug} v{stored.version}, exported from Mystery Patient\n"
    return header + document_yaml(stored.document)

"""Importing checklist and scenario files: all or nothing, idempotent, versioned; export round trip."""

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from app.checklists import files
from app.checklists.models import Checklist, ChecklistVersion
from app.checklists.scenarios import validate_scenario
from app.checklists.validation import validate_checklist
from app.checklists.versions import ChecklistNotFound, VersionNotFound, get_version, items_of, latest_version
from app.fieldwork.models import Answer, Assignment, Audit, Scenario, Wave
from tests.checklists.yaml_docs import VALID, replace_line
from tests.factories import make_clinic, make_user

BUNDLED = Path(__file__).resolve().parents[2] / "checklists"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the bundled checklists and scenarios that a test may change."""
    return Path(shutil.copytree(BUNDLED, tmp_path / "checklists"))


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_importing_the_bundled_folder_creates_both_checklists_and_scenarios(session: Session) -> None:
    outcomes = files.import_paths(session, [BUNDLED])

    assert [str(o) for o in outcomes] == [
        "aesthetic-clinic v1 created",
        "dental-clinic v1 created",
        "scenario aesthetic-acne-rosacea created",
        "scenario dental-toothache-implant-fear created",
    ]
    scenario = session.exec(select(Scenario).where(Scenario.slug == "aesthetic-acne-rosacea")).one()
    assert (
        scenario.checklist_id
        == session.exec(select(Checklist.id).where(Checklist.slug == "aesthetic-clinic")).one()
    )
    assert "35" in scenario.persona["ru"] and "35" in scenario.persona["en"]


def test_importing_the_same_files_again_is_unchanged(session: Session) -> None:
    files.import_paths(session, [BUNDLED])

    outcomes = files.import_paths(session, [BUNDLED])

    assert {o.status for o in outcomes} == {"unchanged"}
    assert [o.version for o in outcomes if o.kind == "checklist"] == [1, 1]
    assert _count(session, ChecklistVersion) == 2


def _audit_on(session: Session, version: ChecklistVersion) -> Audit:
    clinic, shopper = make_clinic(session), make_user(session, "shopper")
    wave = Wave(name="2026 Q1", starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31))
    session.add(wave)
    session.flush()
    assignment = Assignment(
        wave_id=wave.id or 0,
        clinic_id=clinic.id or 0,
        checklist_version_id=version.id or 0,
        shopper_id=shopper.id or 0,
    )
    session.add(assignment)
    session.flush()
    audit = Audit(
        assignment_id=assignment.id or 0,
        wave_id=wave.id or 0,
        clinic_id=clinic.id or 0,
        checklist_version_id=version.id or 0,
        shopper_id=shopper.id or 0,
    )
    session.add(audit)
    session.flush()
    item = items_of(session, version.id or 0)[0]
    session.add(Answer(audit_id=audit.id or 0, item_id=item.id or 0, value_num=1))
    session.flush()
    return audit


def test_a_changed_file_becomes_the_next_version_and_audits_keep_theirs(
    session: Session, folder: Path
) -> None:
    files.import_paths(session, [folder])
    first = latest_version(session, "aesthetic-clinic")
    audit = _audit_on(session, first)
    path = folder / "aesthetic-clinic.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("target: 85", "target: 88", 1), encoding="utf-8")

    outcomes = files.import_paths(session, [path])

    assert [str(o) for o in outcomes] == ["aesthetic-clinic v2 created"]
    second = latest_version(session, "aesthetic-clinic")
    session.refresh(audit)
    assert audit.checklist_version_id == first.id != second.id
    assert get_version(session, "aesthetic-clinic", 1).target == 85 and second.target == 88
    assert len(items_of(session, first.id or 0)) == len(items_of(session, second.id or 0))


def test_one_bad_file_imports_nothing_and_lists_every_problem(session: Session, folder: Path) -> None:
    (folder / "broken.yaml").write_text(
        replace_line(19, "        weight: -1", text=replace_line(1, "slug: Broken")), encoding="utf-8"
    )
    scenario = folder / "scenarios" / "aesthetic-acne-rosacea.yaml"
    scenario.write_text(
        scenario.read_text(encoding="utf-8").replace("persona:", "persona_:"), encoding="utf-8"
    )

    with pytest.raises(files.FilesInvalid) as raised:
        files.import_paths(session, [folder])

    assert [(Path(p.file).name, p.line, p.key) for p in raised.value.problems] == [
        ("broken.yaml", 1, "slug"),
        ("broken.yaml", 19, "call.greeting"),
        ("aesthetic-acne-rosacea.yaml", 1, "persona"),
        ("aesthetic-acne-rosacea.yaml", 6, "persona_"),
    ]
    assert _count(session, Checklist) == 0 and _count(session, Scenario) == 0
    assert raised.value.detail[1] == {
        "line": 19,
        "key": "call.greeting",
        "message": "weight must be greater than 0, got -1",
    }


def test_a_scenario_for_an_unknown_checklist_is_a_problem(session: Session, folder: Path) -> None:
    path = folder / "scenarios" / "dental-toothache-implant-fear.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("checklist: dental-clinic", "checklist: dentist"),
        encoding="utf-8",
    )

    with pytest.raises(files.FilesInvalid) as raised:
        files.import_paths(session, [folder])

    assert [str(p) for p in raised.value.problems] == [
        f"{path}:2: checklist: there is no checklist 'dentist'"
    ]


def test_two_files_with_the_same_slug_are_a_problem(session: Session, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(VALID, encoding="utf-8")

    with pytest.raises(files.FilesInvalid) as raised:
        files.import_paths(session, [tmp_path])

    assert [(Path(p.file).name, p.line, p.key) for p in raised.value.problems] == [("b.yaml", 1, "slug")]


def test_a_changed_scenario_is_updated_in_place(session: Session, folder: Path) -> None:
    files.import_paths(session, [folder])
    path = folder / "scenarios" / "aesthetic-acne-rosacea.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Женщина 35 лет", "Женщина 36 лет"), encoding="utf-8"
    )

    outcomes = files.import_paths(session, [folder])

    assert [str(o) for o in outcomes if o.kind == "scenario"] == [
        "scenario aesthetic-acne-rosacea updated",
        "scenario dental-toothache-implant-fear unchanged",
    ]
    assert _count(session, Scenario) == 2


def test_a_missing_path_is_a_clear_error(session: Session, tmp_path: Path) -> None:
    with pytest.raises(files.PathNotFound) as raised:
        files.import_paths(session, [tmp_path / "nope.yaml"])

    assert raised.value.text() == f"There is no file or folder {tmp_path / 'nope.yaml'}."


@pytest.mark.parametrize("slug", ["aesthetic-clinic", "dental-clinic"])
def test_an_exported_bundled_checklist_validates_and_reimports_unchanged(session: Session, slug: str) -> None:
    files.import_paths(session, [BUNDLED / f"{slug}.yaml"])

    text = files.export_version(session, slug)

    doc, problems = validate_checklist(text, f"{slug}.yaml")
    assert problems == [] and doc is not None
    result = files.import_checklist_text(session, text, f"{slug}.yaml")
    assert not result.created and result.version.version == 1
    assert "Визит" in text  # Cyrillic readable, not escaped


def test_an_older_version_can_be_exported(session: Session, folder: Path) -> None:
    path = folder / "dental-clinic.yaml"
    files.import_paths(session, [path])
    path.write_text(path.read_text(encoding="utf-8").replace("target: 85", "target: 80", 1), encoding="utf-8")
    files.import_paths(session, [path])

    text = files.export_version(session, "dental-clinic", 1)

    assert text.startswith("# dental-clinic v1") and "\ntarget: 85\n" in text


def test_exporting_an_unknown_checklist_or_version_names_it(session: Session) -> None:
    files.import_paths(session, [BUNDLED / "dental-clinic.yaml"])

    with pytest.raises(ChecklistNotFound):
        files.export_version(session, "nope")
    with pytest.raises(VersionNotFound) as raised:
        files.export_version(session, "dental-clinic", 7)
    assert raised.value.text() == "Checklist dental-clinic has no version 7."


def _texts(doc: dict) -> list[dict]:
    found = [doc["title"]]
    for tp in doc["touchpoints"]:
        found += [tp["title"], tp["need"]]
        for item in tp["items"]:
            found += [item["text"]] + ([item["help"]] if "help" in item else [])
            found += [option["text"] for option in item.get("options", [])]
    return found


@pytest.mark.parametrize(("name", "minimum"), [("aesthetic-clinic.yaml", 40), ("dental-clinic.yaml", 30)])
def test_a_bundled_checklist_is_valid_complete_and_bilingual(name: str, minimum: int) -> None:
    doc, problems = validate_checklist((BUNDLED / name).read_text(encoding="utf-8"), name)

    assert problems == []
    assert doc is not None
    assert sum(len(tp.items) for tp in doc.touchpoints) >= minimum
    assert [tp.key for tp in doc.touchpoints] == [
        "online",
        "call",
        "reception",
        "diagnostics",
        "treatment",
        "follow_up",
    ]
    assert all(tp.channel and tp.need for tp in doc.touchpoints)
    assert all(any(item.type == "emotion" for item in tp.items) for tp in doc.touchpoints)
    texts = _texts(doc.model_dump(exclude_none=True))
    assert all(isinstance(t, dict) and t.get("ru") and t.get("en") for t in texts)
    critical = {item.key for tp in doc.touchpoints for item in tp.items if item.critical}
    assert any("consent" in key for key in critical) and len(critical) >= 2
    answer_time = next(item for item in doc.touchpoints[1].items if item.key == "call.answer_time")
    assert answer_time.pass_if is not None and answer_time.pass_if.max == 20


def test_every_bundled_scenario_is_valid_and_bilingual() -> None:
    paths = sorted((BUNDLED / "scenarios").glob("*.yaml"))

    results = [validate_scenario(path.read_text(encoding="utf-8"), path.name) for path in paths]

    assert [path.name for path in paths] == [
        "aesthetic-acne-rosacea.yaml",
        "dental-toothache-implant-fear.yaml",
    ]
    assert all(problems == [] and doc is not None for doc, problems in results)

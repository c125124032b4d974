"""The editor's drafts: the same problems as the file validator, invalid edits kept, renames recorded,
publishing refused with problems and otherwise creating version N+1 that leaves audits untouched."""

import copy

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.accounts.models import Role, User
from app.checklists import editor, versions
from app.checklists.models import ChecklistVersion
from app.checklists.validation import Problem, validate_checklist
from app.fieldwork.models import Answer
from app.reports.clinic_report import build_clinic_report
from app.trail.models import TrailEvent
from tests.checklist_docs import small_checklist
from tests.editor.conftest import SLUG, item_form
from tests.factories import make_clinic, make_user
from tests.reports.factories import make_audit, make_wave


def _without_line(problem: Problem) -> tuple[str, str, str]:
    params = {k: v for k, v in problem.params.items() if k != "line"}
    return problem.key, problem.template, repr(sorted(params.items()))


def _draft(session: Session, qa: User) -> ChecklistVersion:
    found = editor.find_draft(session, SLUG, author=qa)
    assert found is not None
    session.refresh(found)
    return found


def test_editor_and_file_validator_give_the_same_problems_for_the_same_broken_checklist(
        session: Session, qa_client: TestClient, qa: User) -> None:
    qa_client.post(f"/checklists/{SLUG}/draft/open")
    doc = _draft(session, qa).document
    greeting = doc["touchpoints"][0]["items"][1]

    saved = qa_client.post(f"/checklists/{SLUG}/draft/tp/0/items/1", data=item_form(greeting, weight="0"))
    renamed = qa_client.post(f"/checklists/{SLUG}/draft/structure", data={
        "action": "rename", "t": 0, "i": 2, "expected_key": "call.callback", "new_key": "call.greeting"})
    file = small_checklist(SLUG)
    file["touchpoints"][0]["items"][1]["weight"] = 0
    file["touchpoints"][0]["items"][2]["key"] = "call.greeting"
    _doc, file_problems = validate_checklist(yaml.safe_dump(file, allow_unicode=True), "broken.yaml")

    assert saved.status_code == 303 and renamed.status_code == 303
    draft_problems = editor.problems_of(_draft(session, qa).document, "draft.yaml")
    # the same rules, keys and words; only the line numbers differ, as the two files are laid out differently
    assert sorted(_without_line(p) for p in draft_problems) == sorted(_without_line(p) for p in file_problems)
    assert sorted((p.key, p.template) for p in file_problems) == [
        ("call.greeting", "{field} must be greater than {limit}, got {value}"),
        ("call.greeting", "{what} key '{key}' is already used on line {line}")]
    downloaded = qa_client.get(f"/checklists/{SLUG}/draft.yaml").text
    _doc, from_download = validate_checklist(downloaded, "draft.yaml")
    assert [(p.line, p.key, p.message) for p in from_download] == [(p.line, p.key, p.message) for p in draft_problems]
    page = qa_client.get(f"/checklists/{SLUG}/draft").text
    assert "weight must be greater than 0, got 0" in page
    assert "item key &#39;call.greeting&#39; is already used on line" in page


def test_invalid_edit_is_saved_to_the_draft_and_shown_by_its_field(
        session: Session, qa_client: TestClient, qa: User) -> None:
    qa_client.post(f"/checklists/{SLUG}/draft/open")
    answer_time = _draft(session, qa).document["touchpoints"][0]["items"][0]

    response = qa_client.post(f"/checklists/{SLUG}/draft/tp/0/items/0", headers={"HX-Request": "true"},
                              data=item_form(answer_time, weight="abc", pass_min="30", pass_max="20"))

    stored = _draft(session, qa).document["touchpoints"][0]["items"][0]
    assert response.status_code == 200 and "<html" not in response.text
    assert stored["weight"] == "abc" and stored["pass_if"] == {"min": 30, "max": 20}
    fragment = response.text
    assert fragment.startswith('<li id="item-0-0"') or 'id="item-0-0"' in fragment
    assert "weight must be a number, got &#39;abc&#39;" in fragment
    assert "pass_if min must not be greater than max, got min 30 and max 20" in fragment
    assert 'id="draft-status" class="card" hx-swap-oob="true"' in fragment
    placed = editor.placed_problems(_draft(session, qa).document, "d.yaml")
    assert {name for name, _p in placed.of_item(0, 0)} == {"weight", "pass_if"}


def test_touchpoint_problem_is_placed_on_the_touchpoint(session: Session, qa: User,
                                                         published: ChecklistVersion) -> None:
    draft = editor.open_draft(session, SLUG, author=qa)
    tp = draft.document["touchpoints"][1]

    editor.save_touchpoint(session, draft, 1, {"expected_key": "reception", "key": "reception", "title_en": "Desk",
                                               "weight": "-1", "target": "150", "channel": "desk"})

    placed = editor.placed_problems(draft.document, "d.yaml")
    names = {name for name, _p in placed.of_touchpoint(1)}
    assert names == {"weight", "target", "channel"}
    assert not placed.top and tp["key"] == "reception"


def test_publishing_with_problems_is_refused_and_creates_no_version(
        session: Session, qa_client: TestClient, qa: User) -> None:
    qa_client.post(f"/checklists/{SLUG}/draft/open")
    greeting = _draft(session, qa).document["touchpoints"][0]["items"][1]
    qa_client.post(f"/checklists/{SLUG}/draft/tp/0/items/1", data=item_form(greeting, weight="0"))

    response = qa_client.post(f"/checklists/{SLUG}/draft/publish")

    assert response.status_code == 422
    assert "Publishing refused" in response.text and "weight must be greater than 0, got 0" in response.text
    assert versions.latest_version(session, SLUG).version == 1
    assert editor.find_draft(session, SLUG, author=qa) is not None


def test_publishing_creates_the_next_version_and_leaves_pinned_audits_and_scores_unchanged(
        session: Session, qa_client: TestClient, qa: User, published: ChecklistVersion) -> None:
    clinic, wave = make_clinic(session), make_wave(session)
    audit = make_audit(session, version=published, clinic=clinic, wave=wave, answers={
        "call.answer_time": 15, "call.greeting": True, "call.callback": False,
        "reception.politeness": 4, "reception.wait": "medium"})
    admin = make_user(session, Role.admin)
    before = build_clinic_report(session, user=admin, clinic_id=clinic.id or 0, checklist=SLUG)
    answers_before = sorted((a.item_id, a.value_num, a.value_text)
                            for a in session.exec(select(Answer).where(Answer.audit_id == audit.id)).all())
    qa_client.post(f"/checklists/{SLUG}/draft/open")
    greeting = _draft(session, qa).document["touchpoints"][0]["items"][1]
    qa_client.post(f"/checklists/{SLUG}/draft/tp/0/items/1", data=item_form(greeting, weight="5"))

    response = qa_client.post(f"/checklists/{SLUG}/draft/publish")

    assert response.status_code == 303 and "published=2" in response.headers["location"]
    latest = versions.latest_version(session, SLUG)
    assert latest.version == 2 and latest.published_by_id == qa.id and latest.published_at is not None
    assert editor.find_draft(session, SLUG, author=qa) is None
    session.refresh(audit)
    assert audit.checklist_version_id == published.id
    answers_after = sorted((a.item_id, a.value_num, a.value_text)
                           for a in session.exec(select(Answer).where(Answer.audit_id == audit.id)).all())
    assert answers_after == answers_before
    after = build_clinic_report(session, user=admin, clinic_id=clinic.id or 0, checklist=SLUG)
    assert before["score"] is not None and after["score"] == before["score"]
    assert after["touchpoints"] == before["touchpoints"]
    entries = session.exec(select(TrailEvent).where(TrailEvent.verb == "checklist.publish")).all()
    assert any(e.actor_id == qa.id for e in entries)


def test_renaming_a_published_key_is_recorded_in_the_next_version(session: Session, qa: User,
                                                                   published: ChecklistVersion) -> None:
    draft = editor.open_draft(session, SLUG, author=qa)

    editor.rename_item(session, draft, 0, 2, expected_key="call.callback", new_key="call.call_me")
    editor.rename_item(session, draft, 0, 2, expected_key="call.call_me", new_key="call.call_back")
    result = editor.publish_draft(session, draft, actor=qa)

    assert result.created and result.version.version == 2
    assert result.version.renamed_keys == {"call.callback": "call.call_back"}
    assert "call.call_back" in {i.key for i in versions.items_of(session, result.version.id or 0)}


def test_renaming_a_new_item_or_back_to_the_original_records_nothing(session: Session, qa: User,
                                                                     published: ChecklistVersion) -> None:
    draft = editor.open_draft(session, SLUG, author=qa)
    editor.add_item(session, draft, 0, key="call.extra", text="Extra", kind="yes_no")

    editor.rename_item(session, draft, 0, 4, expected_key="call.extra", new_key="call.bonus")
    editor.rename_item(session, draft, 0, 2, expected_key="call.callback", new_key="call.x")
    editor.rename_item(session, draft, 0, 2, expected_key="call.x", new_key="call.callback")

    assert draft.renamed_keys == {}


def test_opening_again_resumes_the_same_draft(session: Session, qa: User, published: ChecklistVersion) -> None:
    first = editor.open_draft(session, SLUG, author=qa)
    editor.save_settings(session, first, {"title_en": "Changed", "language": "en", "critical_policy": "flag",
                                          "target": "70"})

    again = editor.open_draft(session, SLUG, author=qa)

    assert again.id == first.id and again.document["target"] == 70


def test_structure_edits_add_move_and_remove(session: Session, qa: User, published: ChecklistVersion) -> None:
    draft = editor.open_draft(session, SLUG, author=qa)

    editor.add_touchpoint(session, draft, key="follow_up", title="Follow-up")
    editor.move_touchpoint(session, draft, 2, step=-1, expected_key="follow_up")
    editor.move_item(session, draft, 0, 3, expected_key="call.mood", to_touchpoint=1)
    editor.move_item(session, draft, 0, 0, expected_key="call.answer_time", step=1)
    editor.remove_item(session, draft, 2, 0, expected_key="reception.politeness")
    editor.remove_touchpoint(session, draft, 0, expected_key="call")

    keys = [(tp["key"], [i["key"] for i in tp["items"]]) for tp in draft.document["touchpoints"]]
    assert keys == [("follow_up", ["follow_up.item_1", "call.mood"]),
                    ("reception", ["reception.wait", "reception.notes", "reception.photo"])]
    assert editor.problems_of(draft.document, "d.yaml") == [] or all(
        p.key == "follow_up.item_1" for p in editor.problems_of(draft.document, "d.yaml"))


def test_stale_form_for_a_moved_item_is_refused_with_409(session: Session, qa: User,
                                                          published: ChecklistVersion) -> None:
    draft = editor.open_draft(session, SLUG, author=qa)
    before = copy.deepcopy(draft.document)

    with pytest.raises(editor.DraftChanged):
        editor.remove_item(session, draft, 0, 0, expected_key="call.greeting")

    assert draft.document == before


def test_choice_options_are_added_and_removed(session: Session, qa: User, published: ChecklistVersion) -> None:
    draft = editor.open_draft(session, SLUG, author=qa)
    wait = draft.document["touchpoints"][1]["items"][1]
    options = [{"key": o["key"], "text": o["text"], "score": o["score"]} for o in wait["options"]]
    form = {"expected_key": "reception.wait", "type": "choice", "text_en": "Waiting", "weight": "1"}

    editor.save_item(session, draft, 1, 1, form, options, op="remove_option:0")
    editor.save_item(session, draft, 1, 1, form, draft.document["touchpoints"][1]["items"][1]["options"],
                     op="add_option")

    saved = draft.document["touchpoints"][1]["items"][1]["options"]
    assert [o.get("key") for o in saved] == ["medium", "long", None]
    messages = [p.message for p in editor.problems_of(draft.document, "d.yaml")]
    assert "'key' is required" in messages and "option '?' has no score (a number from 0 to 1)" in messages

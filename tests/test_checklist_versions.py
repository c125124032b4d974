from sqlmodel import Session

from app.checklists.schema import ChecklistDoc
from app.checklists.versions import item_for, items_of, latest_version, save_version
from tests.checklist_docs import small_checklist


def test_saving_the_same_document_twice_keeps_one_version(session: Session) -> None:
    doc = ChecklistDoc.model_validate(small_checklist())

    first = save_version(session, doc)
    second = save_version(session, doc)

    assert first.created and not second.created
    assert second.version.id == first.version.id
    assert first.version.version == 1


def test_a_changed_weight_becomes_the_next_version_and_leaves_the_old_one(session: Session) -> None:
    data = small_checklist()
    first = save_version(session, ChecklistDoc.model_validate(data)).version
    data["touchpoints"][0]["weight"] = 3.0

    second = save_version(session, ChecklistDoc.model_validate(data)).version

    assert second.version == 2
    assert latest_version(session, "test-clinic").id == second.id
    assert [i.key for i in items_of(session, first.id or 0)] == [i.key for i in items_of(session, second.id or 0)]
    assert first.document["touchpoints"][0]["weight"] == 1.0


def test_plain_strings_are_stored_in_the_default_language(session: Session) -> None:
    version = save_version(session, ChecklistDoc.model_validate(small_checklist())).version

    item = item_for(session, version.id or 0, "reception.politeness")

    assert item.text == {"en": "Politeness"}
    assert (item.scale_min, item.scale_max) == (1, 5)

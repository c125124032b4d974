"""Creating and moving actions: one owner among the clinic's people, items for a gap, moves people
may make, and a history of every change."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from app.accounts.models import Role, User
from app.actions import service
from app.actions.models import Action, ActionEvent
from app.db_types import utcnow
from app.errors import Invalid, NotFound
from app.web.paging import MAX_LIMIT, PageRequest
from tests.actions.conftest import SLUG, World, gap_action
from tests.factories import make_clinic, make_region, make_user


def _input(world: World, **changes: object) -> service.ActionInput:
    values: dict[str, object] = {"clinic_id": world.clinic.id, "title": "Fix it", "owner_id": world.manager.id,
                                 "checklist": SLUG, "item_keys": ("call.greeting",)}
    values.update(changes)
    return service.ActionInput(**values)  # type: ignore[arg-type]



def _history(session: Session, action: Action) -> list[tuple[ActionEvent, User | None]]:
    """Every change of the action, oldest first (one page holds them all here)."""
    return service.history_page(session, action, page=PageRequest(limit=MAX_LIMIT), oldest_first=True).rows

def test_a_touchpoint_gap_covers_the_touchpoints_scored_items_by_default(session: Session, world: World) -> None:
    action = service.create_action(session, user=world.manager, data=_input(world, item_keys=(), touchpoint="call"))

    covered = service.items_of(session, [action.id or 0])[action.id or 0]

    assert covered == ["call.answer_time", "call.callback", "call.greeting"]  # not the emotion item
    assert action.touchpoint_key == "call" and action.status == "open"


def test_an_item_gap_takes_its_touchpoint_from_the_item(session: Session, world: World) -> None:
    action = gap_action(session, world, items=("reception.wait",))

    assert action.touchpoint_key == "reception"


def test_an_idea_needs_no_items(session: Session, world: World) -> None:
    action = service.create_action(session, user=world.manager,
                                   data=_input(world, kind="idea", item_keys=(), touchpoint="reception",
                                               title="Offer tea while waiting"))

    assert action.kind == "idea" and service.items_of(session, [action.id or 0]) == {}


@pytest.mark.parametrize(("changes", "words"), [
    ({"owner_id": None}, "exactly one owner"),
    ({"item_keys": ()}, "at least one checklist item"),
    ({"item_keys": ("call.nope",)}, "call.nope"),
    ({"item_keys": ("reception.notes",)}, "reception.notes"),  # text items are not scored
    ({"title": "  "}, "title is empty"),
    ({"touchpoint": "parking", "item_keys": ()}, "parking"),
])
def test_bad_input_is_refused_saying_why(session: Session, world: World, changes: dict[str, object],
                                         words: str) -> None:
    with pytest.raises(Invalid) as error:
        service.create_action(session, user=world.manager, data=_input(world, **changes))

    assert error.value.status_code == 422
    assert words in error.value.text()


def test_an_owner_outside_the_clinics_people_is_refused(session: Session, world: World) -> None:
    other_manager = make_user(session, Role.manager, name="Elsewhere")
    regional = make_user(session, Role.director, name="Regional", region_ids=[make_region(session).id or 0])

    for outsider in (other_manager, regional, make_user(session, Role.shopper)):
        with pytest.raises(Invalid) as error:
            service.create_action(session, user=world.manager, data=_input(world, owner_id=outsider.id))
        assert "is not one of this clinic's people" in error.value.text()


def test_eligible_owners_are_the_manager_scoped_directors_qa_leads_and_admins(session: Session,
                                                                              world: World) -> None:
    director = make_user(session, Role.director, whole_network=True)
    admin = make_user(session, Role.admin)
    make_user(session, Role.manager)  # of another clinic

    owners = service.eligible_owners(session, world.clinic)

    assert {world.manager.id, director.id, admin.id, world.qa.id} <= {u.id for u in owners}
    assert all(u.role != Role.manager or u.clinic_id == world.clinic.id for u in owners)


def test_a_manager_of_another_clinic_gets_not_found(session: Session, world: World) -> None:
    stranger = make_user(session, Role.manager, clinic_id=make_clinic(session).id)
    action = gap_action(session, world)

    with pytest.raises(NotFound):
        service.create_action(session, user=stranger, data=_input(world, owner_id=stranger.id))
    with pytest.raises(NotFound):
        service.action_in_scope(session, user=stranger, action_id=action.id or 0)


def test_status_cannot_be_set_to_verified_by_hand(session: Session, world: World) -> None:
    action = gap_action(session, world)

    with pytest.raises(Invalid) as error:
        service.change_action(session, user=world.manager, action=action, status="verified", comment="done!")

    assert "verified is set by a later audit, not by hand" in error.value.text()


def test_a_status_change_needs_a_comment_and_a_permitted_move(session: Session, world: World) -> None:
    action = gap_action(session, world)
    with pytest.raises(Invalid, match="comment"):
        service.change_action(session, user=world.manager, action=action, status="in_progress")
    service.change_action(session, user=world.manager, action=action, status="done", comment="Done")

    with pytest.raises(Invalid):
        service.change_action(session, user=world.manager, action=action, status="open", comment="Oops")
    service.change_action(session, user=world.manager, action=action, status="in_progress", comment="Not yet")

    assert action.status == "in_progress" and action.done_at is None


def test_history_has_every_change_with_who_and_when(session: Session, world: World) -> None:
    director = make_user(session, Role.director, whole_network=True)
    action = gap_action(session, world)

    service.change_action(session, user=world.manager, action=action, status="in_progress", comment="Started")
    service.change_action(session, user=world.manager, action=action, owner_id=director.id)
    service.change_action(session, user=director, action=action, due_on=date(2027, 1, 15))
    service.change_action(session, user=director, action=action, comment="Script printed at the desk")
    service.change_action(session, user=director, action=action, status="done", comment="Trained everyone")

    events = [(e.field, e.old, e.new, e.comment, u.id if u else None) for e, u in _history(session, action)]
    assert events == [
        ("created", None, "open", "Greet with the clinic's name", world.manager.id),
        ("status", "open", "in_progress", "Started", world.manager.id),
        ("owner", world.manager.email, director.email, "", world.manager.id),
        ("due_on", None, "2027-01-15", "", director.id),
        ("comment", None, None, "Script printed at the desk", director.id),
        ("status", "in_progress", "done", "Trained everyone", director.id),
    ]
    assert all(e.at <= utcnow() + timedelta(seconds=1) for e, _u in _history(session, action))

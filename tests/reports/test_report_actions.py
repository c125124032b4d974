"""The gap report's action plan (docs/design.md §6: open actions and their owners, red → green): open, in
progress and done actions with owner, due date and overdue badge, then the recently verified ones,
on the page and in the JSON report. Audits are approved through the real review gate."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.actions import service
from app.db_types import utcnow
from tests.actions.conftest import World, approved_visit, gap_action, mark_done
from tests.factories import PASSWORD, make_clinic, make_user
from tests.web import log_in


def _plan(session: Session, world: World) -> dict[str, int]:
    """Overdue open, in progress, done awaiting a visit, and verified by a later passing visit."""
    today = utcnow().date()
    verified = gap_action(session, world, title="Name the clinic", items=("call.greeting",))
    mark_done(session, world, verified, at=utcnow() - timedelta(days=10))
    approved_visit(session, world, at=utcnow() - timedelta(days=2))
    overdue = gap_action(session, world, title="Answer within 20 s", items=("call.answer_time",),
                         due_on=today - timedelta(days=3), owner=world.qa)
    moving = gap_action(session, world, title="Offer a callback", items=("call.callback",),
                        due_on=today + timedelta(days=7))
    service.change_action(session, user=world.manager, action=moving, status="in_progress", comment="Started")
    done = gap_action(session, world, title="Shorter wait", items=("reception.wait",))
    mark_done(session, world, done, at=utcnow())
    return {"verified": verified.id or 0, "overdue": overdue.id or 0, "moving": moving.id or 0,
            "done": done.id or 0}


def test_json_report_lists_open_actions_then_recently_verified(client: TestClient, session: Session,
                                                               world: World) -> None:
    ids = _plan(session, world)
    log_in(client, world.manager.email, PASSWORD)

    report = client.get(f"/api/v1/reports/clinics/{world.clinic.id}").json()

    actions = {a["id"]: a for a in report["actions"]}
    assert [a["id"] for a in report["actions"]][0] == ids["overdue"]  # overdue first
    assert [a["id"] for a in report["actions"]][-1] == ids["verified"]  # green ones last
    assert actions[ids["overdue"]] == {
        "id": ids["overdue"], "title": "Answer within 20 s", "status": "open", "owner": "QA lead",
        "due_on": (utcnow().date() - timedelta(days=3)).isoformat(), "overdue": True,
        "item_keys": ["call.answer_time"]}
    assert actions[ids["moving"]]["status"] == "in_progress" and actions[ids["moving"]]["overdue"] is False
    assert actions[ids["done"]]["status"] == "done"
    assert actions[ids["verified"]]["status"] == "verified"


def test_gap_report_page_shows_owners_overdue_badge_and_green_fixes(client: TestClient, session: Session,
                                                                    world: World) -> None:
    ids = _plan(session, world)
    log_in(client, world.manager.email, PASSWORD)

    page = client.get(f"/reports/clinics/{world.clinic.id}")

    section = page.text[page.text.index('id="clinic-actions"'):]
    assert page.status_code == 200
    for key in ("overdue", "moving", "done", "verified"):
        assert f'href="http://testserver/actions/{ids[key]}"' in section
    assert "QA lead" in section and "Manager of the clinic" in section
    assert section.count('class="badge bad overdue"') == 1
    assert section.index(f"/actions/{ids['overdue']}") < section.index(f"/actions/{ids['moving']}")
    green = section[section.index('class="sticker green"'):]
    assert f"/actions/{ids['verified']}" in green and f"/actions/{ids['moving']}" not in green


def test_a_clinic_without_actions_says_so_and_shows_no_one_elses(client: TestClient, session: Session,
                                                                 world: World) -> None:
    _plan(session, world)
    other = make_clinic(session)
    log_in(client, make_user(session, "admin").email, PASSWORD)

    page = client.get(f"/reports/clinics/{other.id}")
    report = client.get(f"/api/v1/reports/clinics/{other.id}").json()

    assert page.status_code == 200 and 'id="clinic-actions"' in page.text and "/actions/" not in page.text.split(
        'id="clinic-actions"')[1].split("</section>")[0].replace(f"/actions/clinics/{other.id}", "")
    assert report["actions"] == []

"""The scheduled checks: each reminder once, on the clinic's own day; the QA digest once a day;
closed waves summarised for each reader's own clinics only."""

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from app.actions import service as actions
from app.fieldwork import waves
from app.notifications import schedule
from app.notifications.events import Event
from tests.fieldwork.helpers import make_audit
from tests.notifications.conftest import told
from tests.notifications.network import approve, build_network, submitted_audit

NOW = datetime(2026, 10, 13, 9, 0, tzinfo=UTC)  # 12:00 in Moscow; the small checklist's window ends 10-15


def test_a_closing_window_reminds_the_shopper_once(session: Session) -> None:
    net = build_network(session)
    audit = make_audit(session, shopper=net.shopper, clinic=net.north)

    first = schedule.remind_closing_windows(session, now=NOW)
    second = schedule.remind_closing_windows(session, now=NOW + timedelta(hours=1))

    assert (first, second) == (1, 0)
    [reminder] = told(session, net.shopper.id, Event.window_closing)
    assert reminder.params["days"] == 2 and reminder.link == f"/visits/{audit.id}"


def test_no_reminder_far_from_the_window_or_once_the_report_is_sent(session: Session) -> None:
    net = build_network(session)
    make_audit(session, shopper=net.shopper, clinic=net.north)
    submitted_audit(session, shopper=net.english_shopper, clinic=net.north)

    early = schedule.remind_closing_windows(session, now=NOW - timedelta(days=3))
    sent = schedule.remind_closing_windows(session, now=NOW)

    assert early == 0
    assert sent == 1 and told(session, net.english_shopper.id, Event.window_closing) == []


def test_the_qa_digest_goes_out_once_a_day_from_seven(session: Session) -> None:
    net = build_network(session)
    submitted_audit(session, shopper=net.shopper, clinic=net.north)
    make_audit(session, shopper=net.english_shopper, clinic=net.south)  # its window ended 10-15
    night = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)  # 05:00 in Moscow

    assert schedule.send_qa_digest(session, now=night) == 0
    assert schedule.send_qa_digest(session, now=night + timedelta(hours=3)) == 1
    assert schedule.send_qa_digest(session, now=night + timedelta(hours=8)) == 0
    assert schedule.send_qa_digest(session, now=night + timedelta(days=1, hours=3)) == 1
    digest = told(session, net.qa.id, Event.qa_digest)[0]
    assert (digest.params["waiting"], digest.params["late"]) == (1, 1)


def test_action_owners_hear_due_soon_then_overdue_once_each(session: Session) -> None:
    net = build_network(session)
    make_audit(session, shopper=net.shopper, clinic=net.north)
    action = actions.create_action(session, user=net.director_north, data=actions.ActionInput(
        clinic_id=net.north.id or 0, title="Call back within a day", owner_id=net.manager_north.id,
        due_on=date(2026, 10, 15), checklist="test-clinic", touchpoint=None, item_keys=("call.greeting",)))

    counts = [schedule.remind_actions(session, now=NOW + timedelta(days=d)) for d in (-5, 0, 1, 3, 4)]

    assert counts == [0, 1, 0, 1, 0]
    events = [n.event for n in told(session, net.manager_north.id) if n.link == f"/actions/{action.id}"]
    assert events == [Event.action_assigned, Event.action_due, Event.action_overdue]


def test_a_closed_wave_tells_each_reader_about_their_own_clinics(session: Session) -> None:
    net = build_network(session)
    wave = waves.create_wave(session, name="2026 Q3", starts_on=date(2026, 7, 1), ends_on=date(2026, 10, 10))
    for clinic in (net.north, net.south):
        approve(session, submitted_audit(session, shopper=net.shopper, clinic=clinic, wave=wave), net.qa)

    first = schedule.announce_closed_waves(session, now=NOW)
    again = schedule.announce_closed_waves(session, now=NOW + timedelta(hours=5))

    assert again == 0 and first == 5  # three directors, two managers
    [north] = told(session, net.director_north.id, Event.wave_closed)
    assert [c["name"] for c in north.params["clinics"]] == ["North branch"]
    [everyone] = told(session, net.director_all.id, Event.wave_closed)
    assert [c["name"] for c in everyone.params["clinics"]] == ["North branch", "South branch"]
    assert everyone.params["clinics"][0]["audits"] == 1


def test_a_wave_still_running_is_not_announced(session: Session) -> None:
    net = build_network(session)
    waves.create_wave(session, name="2026 Q4", starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 31))
    make_audit(session, shopper=net.shopper, clinic=net.north)

    assert schedule.announce_closed_waves(session, now=NOW) == 0

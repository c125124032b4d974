"""Who hears of what: each domain event reaches the people concerned, once, within their scope."""

from datetime import date, timedelta

from sqlmodel import Session

from app import events
from app.actions import service as actions
from app.notifications.events import Event
from app.notifications.models import Channel
from app.notifications.service import set_preference
from app.planning import service as planning
from app.review import service as review
from tests.factories import make_user
from tests.fieldwork.helpers import make_audit
from tests.notifications.conftest import mails_to, told
from tests.notifications.network import approve, build_network, complete_with, submitted_audit


def test_a_new_visit_tells_the_shopper_in_the_app_and_by_email_in_their_language(session: Session) -> None:
    net = build_network(session)

    audit = make_audit(session, shopper=net.shopper, clinic=net.north)

    [notification] = told(session, net.shopper.id, Event.visit_assigned)
    assert notification.link == f"/visits/{audit.id}"
    [mail] = mails_to(session, net.shopper.email)
    assert mail.language == "ru"
    assert mail.subject == "Новый визит: North branch"
    assert "Окно визита" in mail.text_body and "<h1" in mail.html_body
    assert mail.unsubscribe_url.startswith("http") and "/unsubscribe/" in mail.unsubscribe_url


def test_reassigning_tells_the_old_shopper_it_is_gone_and_the_new_one_it_is_theirs(session: Session) -> None:
    net = build_network(session)
    audit = make_audit(session, shopper=net.shopper, clinic=net.north)
    assignment = planning.get_assignment(session, audit.assignment_id)

    planning.reassign(session, assignment=assignment, shopper_id=net.english_shopper.id or 0, actor=net.qa)

    assert [n.event for n in told(session, net.shopper.id)] == [Event.visit_assigned, Event.visit_changed]
    assert [n.event for n in told(session, net.english_shopper.id)] == [Event.visit_assigned]
    assert mails_to(session, net.english_shopper.email)[0].subject == "New visit: North branch"


def test_a_cancelled_visit_tells_its_shopper(session: Session) -> None:
    net = build_network(session)
    audit = make_audit(session, shopper=net.english_shopper, clinic=net.north)

    planning.cancel_assignment(session, assignment=planning.get_assignment(session, audit.assignment_id), actor=net.qa)

    [cancelled] = told(session, net.english_shopper.id, Event.visit_cancelled)
    assert cancelled.params["clinic"] == "North branch"


def test_a_returned_report_tells_the_shopper_with_the_item_comments(session: Session) -> None:
    net = build_network(session)
    audit = submitted_audit(session, shopper=net.english_shopper, clinic=net.north)

    review.review_audit(session, audit=audit, reviewer=net.qa, decision="return",
                        comments={"call.greeting": "Did they really not greet you?"})

    [mail] = mails_to(session, net.english_shopper.email, Event.report_returned)
    assert mail.subject == "Report returned: North branch"
    assert "Named the clinic: Did they really not greet you?" in mail.text_body


def test_a_critical_failure_alerts_the_clinics_directors_and_manager_only(session: Session) -> None:
    net = build_network(session)
    audit = submitted_audit(session, shopper=net.shopper, clinic=net.north, greeting=False)

    approve(session, audit, net.qa)

    for reader in (net.director_north, net.director_all, net.manager_north):
        [alert] = told(session, reader.id, Event.report_alert)
        assert alert.params["critical"] is True
        assert alert.link == f"/reports/clinics/{net.north.id}?wave={audit.wave_id}"
    for outsider in (net.director_south, net.manager_south, net.qa, net.shopper):
        assert told(session, outsider.id, Event.report_alert) == []
        assert mails_to(session, outsider.email, Event.report_alert) == []


def test_a_passing_report_alerts_nobody(session: Session) -> None:
    net = build_network(session)
    audit = submitted_audit(session, shopper=net.shopper, clinic=net.north, greeting=True)

    approve(session, audit, net.qa)

    assert told(session, net.director_north.id, Event.report_alert) == []


def test_a_score_far_below_target_alerts_even_without_a_critical_failure(session: Session) -> None:
    net = build_network(session)
    audit = make_audit(session, shopper=net.shopper, clinic=net.north)
    complete_with(session, audit, net.shopper, {"call.answer_time": 90, "reception.politeness": 1,
                                                 "reception.wait": "long"})

    approve(session, audit, net.qa)

    [alert] = told(session, net.manager_north.id, Event.report_alert)
    assert alert.params["critical"] is False and alert.params["score"] < alert.params["target"] - 10


def test_an_action_owner_hears_of_the_assignment_but_not_of_their_own(session: Session) -> None:
    net = build_network(session)
    colleague = make_user(session, "manager", clinic_id=net.north.id)
    make_audit(session, shopper=net.shopper, clinic=net.north)  # publishes the checklist
    data = actions.ActionInput(clinic_id=net.north.id or 0, title="Greet by name", owner_id=colleague.id,
                               due_on=date.today() + timedelta(days=10), checklist="test-clinic",
                               touchpoint=None, item_keys=("call.greeting",))

    action = actions.create_action(session, user=net.manager_north, data=data)
    own = actions.create_action(session, user=net.manager_north,
                                data=actions.ActionInput(**{**data.__dict__, "owner_id": net.manager_north.id}))

    [assigned] = told(session, colleague.id, Event.action_assigned)
    assert assigned.link == f"/actions/{action.id}" and assigned.params["action"] == "Greet by name"
    assert [n.params["action"] for n in told(session, net.manager_north.id, Event.action_assigned)] == []
    assert own.owner_id == net.manager_north.id


def test_the_same_event_twice_tells_once(session: Session) -> None:
    net = build_network(session)
    audit = make_audit(session, shopper=net.shopper, clinic=net.north)
    events.publish(session, events.AssignmentMade(assignment_id=audit.assignment_id))
    events.publish(session, events.AssignmentMade(assignment_id=audit.assignment_id))

    assert len(told(session, net.shopper.id, Event.visit_assigned)) == 1
    assert len(mails_to(session, net.shopper.email)) == 1


def test_in_app_only_sends_no_email_and_off_tells_nothing(session: Session) -> None:
    net = build_network(session)
    set_preference(session, user=net.shopper, event=Event.visit_assigned, channel=Channel.app)
    set_preference(session, user=net.english_shopper, event=Event.visit_assigned, channel=Channel.off)

    make_audit(session, shopper=net.shopper, clinic=net.north)
    make_audit(session, shopper=net.english_shopper, clinic=net.north)

    assert len(told(session, net.shopper.id, Event.visit_assigned)) == 1
    assert mails_to(session, net.shopper.email) == []
    assert told(session, net.english_shopper.id) == [] and mails_to(session, net.english_shopper.email) == []

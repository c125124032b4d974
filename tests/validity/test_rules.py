"""Each rule on real facts, the defaults, and a wave's own thresholds and severities."""

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role, User
from app.fieldwork import visits
from app.fieldwork.models import Audit, Wave
from app.validity import rules
from app.validity.facts import AuditFacts, CheckinFacts, SubmissionFacts, VisitFacts
from app.validity.rules import RuleSet, RulesInvalid, Severity
from app.validity.verdict import judge
from tests.factories import make_user
from tests.fieldwork.helpers import COMPLETE
from tests.validity.conftest import VISIT_END, VISIT_START, as_user, submit_visit, upload, verdict_of
from tests.validity.images import CLINIC, FAR, NEAR, camera_exif, photo_bytes, scene, wav_bytes


def test_an_audit_with_nothing_against_it_is_valid(client: TestClient, session: Session, audit: Audit,
                                                   shopper: User) -> None:
    as_user(client, shopper)
    upload(client, audit, photo_bytes(scene(20), exif=camera_exif(at=datetime(2026, 10, 5, 12, 20),
                                                                  position=NEAR)))
    visits.check_in(session, audit=audit, latitude=NEAR[0], longitude=NEAR[1], accuracy_m=20)

    assert verdict_of(session, submit_visit(session, audit)) == ("valid", [])


def test_missing_facts_are_not_held_against_the_shopper(session: Session, audit: Audit) -> None:
    assert verdict_of(session, submit_visit(session, audit)) == ("valid", [])  # no photo, no check-in


def test_a_photo_taken_far_from_the_clinic_is_doubtful(client: TestClient, session: Session, audit: Audit,
                                                       shopper: User) -> None:
    as_user(client, shopper)
    upload(client, audit, photo_bytes(scene(21), exif=camera_exif(at=datetime(2026, 10, 5, 12, 20),
                                                                  position=FAR)))

    assert verdict_of(session, submit_visit(session, audit)) == (
        "doubtful", ["photo taken 2.4 km from the clinic (question reception.photo)"])


def test_a_photo_taken_days_before_the_visit_is_doubtful(client: TestClient, session: Session, audit: Audit,
                                                         shopper: User) -> None:
    as_user(client, shopper)
    upload(client, audit, photo_bytes(scene(22), exif=camera_exif(at=datetime(2026, 10, 1, 12, 0))))

    assert verdict_of(session, submit_visit(session, audit)) == (
        "doubtful", ["photo taken 4 days before the visit (question reception.photo)"])


def test_a_camera_clock_without_zone_gets_fourteen_hours_of_doubt(client: TestClient, session: Session,
                                                                  audit: Audit, shopper: User) -> None:
    as_user(client, shopper)
    # 12:30 on the camera in Moscow is 09:30 UTC: inside the visit, although read as UTC it is 2.5 h after.
    upload(client, audit, photo_bytes(scene(23), exif=camera_exif(at=datetime(2026, 10, 5, 12, 30), offset=None)))

    assert verdict_of(session, submit_visit(session, audit)) == ("valid", [])


def test_a_check_in_far_from_the_clinic_is_doubtful(session: Session, audit: Audit) -> None:
    visits.check_in(session, audit=audit, latitude=FAR[0], longitude=FAR[1], accuracy_m=30)

    assert verdict_of(session, submit_visit(session, audit)) == ("doubtful", ["checked in 2.4 km from the clinic"])


def test_a_visit_after_the_window_is_doubtful(session: Session, audit: Audit) -> None:
    start = datetime(2026, 10, 19, 9, 0, tzinfo=UTC)  # 12:00 on the 19th in Moscow; the window closed on the 15th

    verdict = verdict_of(session, submit_visit(session, audit, start=start, end=start + timedelta(hours=1)))

    assert verdict == ("doubtful", ["visit 4 days after the visit window closed"])


def test_a_visit_late_on_the_last_day_at_the_clinic_is_inside_the_window(session: Session,
                                                                        audit: Audit) -> None:
    start = datetime(2026, 10, 15, 20, 30, tzinfo=UTC)  # 23:30 on the 15th at the clinic (Moscow)

    assert verdict_of(session, submit_visit(session, audit, start=start, end=start + timedelta(minutes=20)))[0] \
        == "valid"


def test_a_visit_after_the_clinics_midnight_is_outside_the_window(session: Session, audit: Audit) -> None:
    start = datetime(2026, 10, 15, 21, 30, tzinfo=UTC)  # 00:30 on the 16th in Moscow, though still the 15th in UTC

    verdict = verdict_of(session, submit_visit(session, audit, start=start, end=start + timedelta(minutes=20)))

    assert verdict == ("doubtful", ["visit 1 day after the visit window closed"])


def test_a_report_submitted_nine_days_after_the_visit_is_doubtful(session: Session, audit: Audit) -> None:
    verdict = verdict_of(session, submit_visit(session, audit, submitted_at=VISIT_END + timedelta(days=9, hours=2)))

    assert verdict == ("doubtful", ["submitted 9 days after the visit"])


def test_a_recording_shorter_than_the_timed_call_is_doubtful(client: TestClient, session: Session, audit: Audit,
                                                             shopper: User) -> None:
    as_user(client, shopper)
    upload(client, audit, photo_bytes(scene(24)))
    upload(client, audit, wav_bytes(1.0), item="call.answer_time", name="call.wav")  # the answer says 12 s

    assert verdict_of(session, submit_visit(session, audit)) == (
        "doubtful", ["recording lasts 0:01, but call.answer_time was timed at 0:12"])


def test_a_recording_as_long_as_the_timed_call_is_fine(client: TestClient, session: Session, audit: Audit,
                                                       shopper: User) -> None:
    as_user(client, shopper)
    upload(client, audit, wav_bytes(4.0), item="call.answer_time", name="call.wav")  # 4 s + 10 s tolerance ≥ 12 s

    assert verdict_of(session, submit_visit(session, audit))[0] == "valid"


def _facts(**submission: object) -> AuditFacts:
    values = {"submitted_at": VISIT_END, "delay_hours": 2.0, "answers": 30, "timed_answers": 30,
              "fill_minutes": 30.0, **submission}
    return AuditFacts(visit=VisitFacts(None, None, VISIT_START, VISIT_END, None),
                      checkin=CheckinFacts(None, None, None), photos=[], recordings=[],
                      submission=SubmissionFacts(**values))  # type: ignore[arg-type]


def test_a_long_form_filled_in_a_minute_is_doubtful_and_a_short_one_is_not() -> None:
    fast = judge(_facts(fill_minutes=0.5), RuleSet())
    short = judge(_facts(fill_minutes=0.5, timed_answers=6), RuleSet())

    assert [r["code"] for r in fast] == ["filled_fast"] and short == []


def test_answers_stamped_by_the_phone_are_timed_and_a_bulk_put_is_not(session: Session, audit: Audit) -> None:
    from app.fieldwork import answers
    from app.validity.facts import gather_facts

    started = VISIT_END + timedelta(minutes=5)
    for n, (key, value) in enumerate(COMPLETE.items()):
        answers.record_answer(session, audit=audit, item_key=key, value=value,
                              client_changed_at=started + timedelta(seconds=5 * n))
    answers.record_answer(session, audit=audit, item_key="reception.notes", value="ok")  # no phone clock

    facts = gather_facts(session, audit, near_bits=8).submission

    assert (facts.answers, facts.timed_answers) == (7, 6) and facts.fill_minutes == pytest.approx(25 / 60)


def test_a_wave_can_make_a_rule_invalid_or_switch_it_off(session: Session, audit: Audit) -> None:
    qa = make_user(session, Role.qa_lead)
    wave = session.get(Wave, audit.wave_id)
    assert wave is not None
    late = VISIT_END + timedelta(days=5)
    rules.save_rules(session, wave=wave, values={"submit_delay": "invalid", "submit_delay_days": "4"}, actor=qa)
    strict = verdict_of(session, submit_visit(session, audit, submitted_at=late))[0]
    rules.save_rules(session, wave=wave, values={"submit_delay": "off"}, actor=qa)
    relaxed = verdict_of(session, submit_visit(session, audit, submitted_at=late))[0]

    assert (strict, relaxed) == ("invalid", "valid")
    assert rules.rules_for(session, wave.id or 0).checkin_max_m == 300  # untouched rules keep their defaults


@pytest.mark.parametrize("values", [{"checkin_max_m": "-5"}, {"photo_distance": "maybe"},
                                    {"submit_delay_days": "soon"}])
def test_rule_values_out_of_range_are_refused_by_name(session: Session, audit: Audit,
                                                      values: dict[str, str]) -> None:
    wave = session.get(Wave, audit.wave_id)
    assert wave is not None

    with pytest.raises(RulesInvalid) as refused:
        rules.save_rules(session, wave=wave, values=values, actor=make_user(session, Role.qa_lead))

    assert list(values)[0] in refused.value.text()


def test_the_defaults_are_the_documented_ones() -> None:
    defaults = RuleSet()

    assert (defaults.checkin_max_m, defaults.photo_max_m, defaults.submit_delay_days) == (300, 300, 3)
    assert defaults.duplicate_elsewhere == Severity.invalid and defaults.photo_distance == Severity.doubtful
    assert CLINIC  # the clinic the photos are measured against


def test_a_visit_before_the_window_is_doubtful(session: Session, audit: Audit) -> None:
    start = datetime(2026, 9, 28, 9, 0, tzinfo=UTC)  # the window opens on 1 October

    verdict = verdict_of(session, submit_visit(session, audit, start=start, end=start + timedelta(hours=1)))

    assert verdict == ("doubtful", ["visit 3 days before the visit window opened"])

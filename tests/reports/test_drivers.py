"""Key drivers on a small network computed by hand: the greeting clearly goes with how the patient
felt, the callback does not (its interval spans 0); both move the audit score the same, as they
must, being half of it each.

Checklist `drivers-test`, target 80, one touchpoint `call` (weight 1): greeting and callback
(yes/no, weight 1 each) and mood (emotion). Audit score = 100·(greeting + callback)/2.

    audit  clinic  greeting  callback  mood  score
      1      A        1         1        2    100
      2      A        1         0        1     50
      3      A        1         1        2    100
      4      B        0         0       −1      0
      5      B        0         1       −2     50
      6      B        0         0       −1      0

Greeting, emotion: passed 2, 1, 2 (mean 5/3, variance 1/3), failed −1, −2, −1 (mean −4/3, variance
1/3): diff = 3; se = √(1/9 + 1/9) = 0.471405; Welch ν = (2/9)²/((1/9)²/2 + (1/9)²/2) = 4, t(4) =
2.776445, half-width 1.308820: 95 % interval 1.691180 .. 4.308820, all above 0: a key driver, and
with a pass rate of 50 % < 80 % one to fix first.
Callback, emotion: passed 2, 2, −2 (mean 2/3, variance 16/3), failed 1, −1, −1 (mean −1/3, variance
4/3): diff = 1; se = √(16/9 + 4/9) = 1.490712; ν = (20/9)²/((16/9)²/2 + (4/9)²/2) = 2.941 → 2 (floored,
the cautious side), t(2) = 4.302653, half-width 6.414017: −5.414017 .. 7.414017: not a driver.
Score: both items passed 100, 50, 100 or 100, 100, 50 (mean 83.333) vs failed 16.667: diff 66.667.
"""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.reports import drivers, score_store
from app.reports.lookups import checklist_meta, find_checklist
from tests.factories import make_clinic, make_region
from tests.reports.factories import make_audit, make_version, make_wave
from tests.reports.test_clinic_report_api import as_user

DOC = {
    "slug": "drivers-test", "title": {"en": "Drivers", "ru": "Драйверы"}, "language": "en", "target": 80,
    "touchpoints": [{"key": "call", "title": "Phone call", "weight": 1.0, "items": [
        {"key": "call.greeting", "text": "Greeted by name", "type": "yes_no"},
        {"key": "call.callback", "text": "Offered a call back", "type": "yes_no"},
        {"key": "call.mood", "text": "How did you feel", "type": "emotion"}]}],
}
VISITS = [("A", True, True, 2), ("A", True, False, 1), ("A", True, True, 2),
          ("B", False, False, -1), ("B", False, True, -2), ("B", False, False, -1)]


@pytest.fixture
def driver_network(session: Session) -> dict[str, int]:
    version = make_version(session, DOC)
    wave = make_wave(session, "Drivers wave")
    region = make_region(session, "Drivers region")
    clinics = {name: make_clinic(session, name=f"Drivers {name}", region=region) for name in ("A", "B")}
    for clinic, greeting, callback, mood in VISITS:
        make_audit(session, version=version, clinic=clinics[clinic], wave=wave,
                   answers={"call.greeting": greeting, "call.callback": callback, "call.mood": mood})
    return {"wave": wave.id or 0, "checklist": version.checklist_id, "a": clinics["A"].id or 0}


def _report(session: Session, network: dict[str, int], clinic_ids: list[int] | None = None) -> drivers.DriverReport:
    score_store.store_scores(session, checklist_id=network["checklist"], wave_ids=[network["wave"]])
    return drivers.key_drivers(session, checklist_id=network["checklist"], wave_ids=[network["wave"]],
                               clinic_ids=clinic_ids, target=80.0)


def test_the_greeting_drives_emotion_and_the_callback_does_not(session: Session,
                                                               driver_network: dict[str, int]) -> None:
    report = _report(session, driver_network)

    greeting, callback = report.drivers  # most important first
    assert report.audits == 6
    assert greeting.item_key == "call.greeting" and greeting.n == 6 and greeting.pass_rate == pytest.approx(0.5)
    assert greeting.emotion.diff == pytest.approx(3.0)
    assert (greeting.emotion.n_passed, greeting.emotion.n_failed) == (3, 3)
    assert greeting.emotion.ci_low == pytest.approx(1.691180, abs=1e-5)
    assert greeting.emotion.ci_high == pytest.approx(4.308820, abs=1e-5)
    assert greeting.key_driver and greeting.fix_first
    assert callback.item_key == "call.callback" and callback.emotion.diff == pytest.approx(1.0)
    assert callback.emotion.ci_low == pytest.approx(-5.414017, abs=1e-5)
    assert callback.emotion.ci_high == pytest.approx(7.414017, abs=1e-5)
    assert not callback.key_driver and not callback.fix_first
    assert greeting.score.diff == pytest.approx(200 / 3) and callback.score.diff == pytest.approx(200 / 3)
    assert greeting.score.passed_mean == pytest.approx(250 / 3)
    assert report.key_items == frozenset({"call.greeting"})


def test_one_clinic_alone_has_nothing_to_compare_for_the_greeting(session: Session,
                                                                  driver_network: dict[str, int]) -> None:
    report = _report(session, driver_network, clinic_ids=[driver_network["a"]])  # A passed it every time

    greeting = next(d for d in report.drivers if d.item_key == "call.greeting")
    assert greeting.emotion.diff is None and greeting.emotion.n_failed == 0 and not greeting.key_driver
    assert report.drivers[-1] is greeting  # nothing to measure: listed last


def test_the_key_driver_page_shows_the_figures_and_flags_the_item_to_fix_first(
        client: TestClient, session: Session, driver_network: dict[str, int]) -> None:
    meta = checklist_meta(session, find_checklist(session, "drivers-test"))
    as_user(client, session, "director", whole_network=True)

    page = client.get("/reports/drivers", params={"checklist": "drivers-test", "wave": driver_network["wave"]})
    gaps = client.get(f"/reports/clinics/{driver_network['a']}", params={"checklist": "drivers-test"})
    bad = client.get("/reports/drivers", params={"checklist": "no-such-checklist"})

    assert meta.target == 80
    assert page.status_code == 200 and 'id="key-drivers"' in page.text
    assert "+3.00" in page.text and "1.69 … 4.31" in page.text and "fix first" in page.text
    assert "svg" in page.text and "chart drivers" in page.text
    assert gaps.status_code == 200
    assert bad.status_code == 404

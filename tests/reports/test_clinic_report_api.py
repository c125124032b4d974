"""Every field of the clinic gap report JSON against figures computed by hand (see conftest.py)."""

import math

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import DirectorRegion
from app.checklists.schema import ChecklistDoc
from app.checklists.versions import save_version
from tests.checklist_docs import small_checklist
from tests.factories import PASSWORD, make_clinic, make_user
from tests.reports.conftest import PERFECT, Network
from tests.reports.factories import make_audit, make_version, make_wave
from tests.web import log_in

Z = 1.959963984540054


def wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def as_user(client: TestClient, session: Session, role: str, **fields: object) -> TestClient:
    user = make_user(session, role, **fields)
    return log_in(client, user.email, PASSWORD)


def test_wilson_reference_values_match_the_formula() -> None:
    low, high = wilson(2, 3)

    assert low == pytest.approx(0.2077, abs=1e-4) and high == pytest.approx(0.9385, abs=1e-4)
    assert wilson(0, 5)[0] == 0.0 and wilson(5, 5)[1] == 1.0


def test_clinic_report_matches_every_hand_computed_field(client: TestClient, session: Session,
                                                         network: Network) -> None:
    as_user(client, session, "admin")

    body = client.get(f"/api/v1/reports/clinics/{network.a.id}").json()

    assert body["clinic"] == {"id": network.a.id, "name": "Alpha", "region": "North", "is_competitor": False}
    assert body["wave"] == {"id": network.wave.id, "name": "W1"}
    assert body["checklist"] == "test-clinic"
    assert body["audits"] == 3  # submitted, rejected and draft audits do not count
    assert body["score"] == pytest.approx((75 + 175 / 3 + 25) / 3)
    assert body["target"] == 80.0
    assert body["network_mean"] == pytest.approx(((75 + 175 / 3 + 25) / 3 + 100) / 2)  # competitor left out
    assert body["critical_failures"] == 1
    call, reception = body["touchpoints"]
    assert call == {"key": "call", "score": pytest.approx((100 + 25 + 75) / 3), "target": 90.0,
                    "gap": pytest.approx(90 - 200 / 3), "n": 3, "critical_failures": 1,
                    "emotion": 0.0, "weight": 1.0}
    assert reception == {"key": "reception", "score": pytest.approx((62.5 + 75 + 0) / 3), "target": 80.0,
                         "gap": pytest.approx(80 - 137.5 / 3), "n": 3, "critical_failures": 0,
                         "emotion": None, "weight": 2.0}
    items = {i["key"]: i for i in body["items"]}
    assert [i["key"] for i in body["items"]] == ["reception.wait", "reception.politeness", "call.answer_time",
                                                 "call.callback", "call.greeting"]
    assert items["reception.wait"] == {"key": "reception.wait", "touchpoint": "reception", "pass_rate": 0.5,
                                       "n": 3, "ci_low": None, "ci_high": None, "priority": 1.0,
                                       "type": "choice"}
    assert items["reception.politeness"] == {"key": "reception.politeness", "touchpoint": "reception",
                                             "pass_rate": 0.625, "n": 2, "ci_low": None, "ci_high": None,
                                             "priority": pytest.approx(0.75), "type": "scale"}
    low, high = wilson(2, 3)
    assert items["call.answer_time"] == {"key": "call.answer_time", "touchpoint": "call",
                                         "pass_rate": pytest.approx(2 / 3), "n": 3,
                                         "ci_low": pytest.approx(low),
                                         "ci_high": pytest.approx(high), "priority": pytest.approx(2 / 3),
                                         "type": "number"}
    assert items["call.greeting"]["priority"] == pytest.approx(1 / 3)
    assert items["call.greeting"]["ci_low"] == pytest.approx(0.2077, abs=1e-4)
    low, high = wilson(1, 2)
    assert items["call.callback"] == {"key": "call.callback", "touchpoint": "call", "pass_rate": 0.5, "n": 2,
                                      "ci_low": pytest.approx(low), "ci_high": pytest.approx(high),
                                      "priority": 0.5, "type": "yes_no"}  # the N/A answer is left out
    assert body["audit_ids"] == [a.id for a in network.a_audits]
    assert body["previous_wave"] is None
    assert body["advice"]["item"] == "call.callback" and body["advice"]["visits_needed"] == math.ceil(
        Z * Z * 0.25 / 0.01)
    scores = [75, 175 / 3, 25]
    mean = sum(scores) / 3
    sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / 2)
    assert body["score_ci"] == [pytest.approx(max(0, mean - 4.302652730 * sd / math.sqrt(3))),
                                pytest.approx(min(100, mean + 4.302652730 * sd / math.sqrt(3)))]
    assert body["small_sample"] is False
    assert body["evidence"] == {"call.greeting": [{"audit_id": network.a_audits[1].id, "s": 0.0,
                                                   "comment": "No name given", "photos": []}]}


def test_perfect_clinic_has_wilson_interval_at_n_of_n(client: TestClient, session: Session,
                                                      network: Network) -> None:
    as_user(client, session, "qa_lead")

    body = client.get(f"/api/v1/reports/clinics/{network.b.id}", params={"wave": "W1"}).json()

    items = {i["key"]: i for i in body["items"]}
    assert body["score"] == 100.0 and body["audits"] == 1 and body["small_sample"] is True
    assert items["call.greeting"]["pass_rate"] == 1.0
    assert items["call.greeting"]["ci_low"] == pytest.approx(wilson(1, 1)[0])
    assert items["call.greeting"]["ci_high"] == 1.0
    assert {t["key"]: t["gap"] for t in body["touchpoints"]} == {"call": 0.0, "reception": 0.0}
    assert body["score_ci"] is None


def test_wilson_interval_at_zero_of_n(client: TestClient, session: Session) -> None:
    version = make_version(session, small_checklist())
    wave, clinic = make_wave(session), make_clinic(session)
    for _ in range(4):
        make_audit(session, version=version, clinic=clinic, wave=wave, answers={"call.greeting": False})
    as_user(client, session, "admin")

    body = client.get(f"/api/v1/reports/clinics/{clinic.id}").json()

    (greeting,) = body["items"]
    assert greeting["pass_rate"] == 0.0 and greeting["n"] == 4
    assert greeting["ci_low"] == 0.0 and greeting["ci_high"] == pytest.approx(wilson(0, 4)[1])
    assert body["score"] == 0.0 and body["critical_failures"] == 4


def test_zero_touchpoint_policy_scores_a_critically_failed_touchpoint_zero(client: TestClient,
                                                                           session: Session) -> None:
    version = make_version(session, small_checklist("zero-policy", critical_policy="zero_touchpoint"))
    wave, clinic = make_wave(session), make_clinic(session)
    make_audit(session, version=version, clinic=clinic, wave=wave, answers={
        "call.answer_time": 25, "call.greeting": False, "call.callback": True,
        "reception.politeness": 3, "reception.wait": "short"})
    as_user(client, session, "admin")

    body = client.get(f"/api/v1/reports/clinics/{clinic.id}", params={"checklist": "zero-policy"}).json()

    call = body["touchpoints"][0]
    assert call["score"] == 0.0 and call["critical_failures"] == 1 and call["gap"] == 90.0
    assert body["score"] == pytest.approx((0 + 2 * 75) / 3)
    assert body["critical_failures"] == 1


def test_number_item_passes_within_min_and_max_inclusive(client: TestClient, session: Session) -> None:
    doc = small_checklist("bounds")
    doc["touchpoints"][0]["items"][0]["pass_if"] = {"min": 5, "max": 10}
    version = make_version(session, doc)
    wave, clinic = make_wave(session), make_clinic(session)
    for seconds in (4, 5, 10, 11):
        make_audit(session, version=version, clinic=clinic, wave=wave, answers={"call.answer_time": seconds})
    as_user(client, session, "admin")

    body = client.get(f"/api/v1/reports/clinics/{clinic.id}").json()

    (answer_time,) = body["items"]
    assert answer_time["pass_rate"] == 0.5 and answer_time["n"] == 4
    assert answer_time["ci_low"] == pytest.approx(wilson(2, 4)[0])
    assert [t["score"] for t in body["touchpoints"]] == [50.0, None]
    assert body["score"] == 50.0  # the audits without reception are scored on call alone


def test_items_are_followed_by_key_across_versions(client: TestClient, session: Session) -> None:
    v1 = make_version(session, small_checklist("versions"))
    doc = small_checklist("versions")
    doc["touchpoints"][0]["items"][0]["weight"] = 4  # call.answer_time weighs more from v2 on
    doc["touchpoints"][0]["target"] = 95
    v2 = make_version(session, doc)
    wave, clinic = make_wave(session), make_clinic(session)
    slow_but_polite = {"call.answer_time": 30, "call.greeting": True}
    make_audit(session, version=v1, clinic=clinic, wave=wave, answers=slow_but_polite)
    make_audit(session, version=v2, clinic=clinic, wave=wave, answers=slow_but_polite)
    as_user(client, session, "admin")

    body = client.get(f"/api/v1/reports/clinics/{clinic.id}").json()

    # each audit with its own version's weights: v1 100·1/3, v2 100·1/5
    assert body["touchpoints"][0]["score"] == pytest.approx((100 / 3 + 20) / 2)
    assert body["touchpoints"][0]["target"] == 95.0
    items = {i["key"]: i for i in body["items"]}
    assert items["call.answer_time"]["n"] == 2
    assert items["call.answer_time"]["priority"] == 4.0  # latest version's weight × 1 × (1 − 0)


def test_previous_wave_deltas_per_touchpoint_and_item(client: TestClient, session: Session) -> None:
    version = make_version(session, small_checklist())
    clinic = make_clinic(session)
    first, second = make_wave(session, "Q1"), make_wave(session, "Q2")
    make_audit(session, version=version, clinic=clinic, wave=first,
               answers={**PERFECT, "call.greeting": False})
    make_audit(session, version=version, clinic=clinic, wave=second, answers=PERFECT)
    as_user(client, session, "admin")

    body = client.get(f"/api/v1/reports/clinics/{clinic.id}").json()

    assert body["wave"]["name"] == "Q2"
    previous = body["previous_wave"]
    assert previous["wave"]["name"] == "Q1"
    assert previous["score"] == pytest.approx((75 + 200) / 3)
    assert previous["delta"] == pytest.approx(100 - 275 / 3)
    assert previous["touchpoints"]["call"] == {"score": 75.0, "delta": 25.0, "pass_rate": None}
    assert previous["items"]["call.greeting"] == {"pass_rate": 0.0, "delta": 1.0, "score": None}


def test_clinic_without_approved_audits_reports_nulls(client: TestClient, session: Session,
                                                      network: Network) -> None:
    empty = make_clinic(session)
    as_user(client, session, "admin")

    body = client.get(f"/api/v1/reports/clinics/{empty.id}", params={"checklist": "test-clinic"}).json()

    assert body["audits"] == 0 and body["score"] is None and body["network_mean"] is None
    assert body["wave"] is None and body["items"] == [] and body["target"] == 80.0
    assert [t["score"] for t in body["touchpoints"]] == [None, None]


def test_clinic_with_nothing_at_all_is_an_empty_report(client: TestClient, session: Session) -> None:
    empty = make_clinic(session)
    as_user(client, session, "admin")

    response = client.get(f"/api/v1/reports/clinics/{empty.id}")

    assert response.status_code == 200
    assert response.json()["checklist"] is None and response.json()["audits"] == 0


@pytest.mark.parametrize(("path", "params", "words"), [
    ("/api/v1/reports/clinics/999999", {}, "999999"),
    ("{clinic}", {"wave": "No such wave"}, "No such wave"),
    ("{clinic}", {"checklist": "no-such"}, "no-such"),
])
def test_unknown_clinic_wave_or_checklist_is_404_naming_it(client: TestClient, session: Session,
                                                           network: Network, path: str,
                                                           params: dict[str, str], words: str) -> None:
    as_user(client, session, "admin")
    url = path.replace("{clinic}", f"/api/v1/reports/clinics/{network.a.id}")

    response = client.get(url, params=params)

    assert response.status_code == 404
    assert words in response.json()["detail"]


def test_regional_director_gets_404_for_a_clinic_outside_their_scope(client: TestClient, session: Session,
                                                                     network: Network) -> None:
    director = make_user(session, "director")
    session.add(DirectorRegion(user_id=director.id or 0, region_id=network.north.id or 0))
    session.flush()
    log_in(client, director.email, PASSWORD)

    outside = client.get(f"/api/v1/reports/clinics/{network.b.id}")
    inside = client.get(f"/api/v1/reports/clinics/{network.a.id}")

    assert outside.status_code == 404 and "Beta" not in outside.text
    assert inside.status_code == 200
    # their network is their visible branches: Alpha alone (Rival is a competitor)
    assert inside.json()["network_mean"] == pytest.approx(inside.json()["score"])


def test_manager_sees_their_own_clinic_only(client: TestClient, session: Session, network: Network) -> None:
    as_user(client, session, "manager", clinic_id=network.a.id)

    assert client.get(f"/api/v1/reports/clinics/{network.a.id}").status_code == 200
    assert client.get(f"/api/v1/reports/clinics/{network.b.id}").status_code == 404
    assert client.get("/api/v1/reports/network").status_code == 403


def test_shopper_may_not_read_reports(client: TestClient, session: Session, network: Network) -> None:
    as_user(client, session, "shopper")

    assert client.get(f"/api/v1/reports/clinics/{network.a.id}").status_code == 403


def test_a_renamed_item_is_followed_under_its_new_key(client: TestClient, session: Session) -> None:
    v1 = make_version(session, small_checklist("renames"))
    doc = small_checklist("renames")
    doc["touchpoints"][0]["items"][1]["key"] = "call.hello"
    renamed = {"call.greeting": "call.hello"}
    v2 = save_version(session, ChecklistDoc.model_validate(doc), renamed_keys=renamed).version
    wave, clinic = make_wave(session), make_clinic(session)
    make_audit(session, version=v1, clinic=clinic, wave=wave, answers={"call.greeting": False})
    make_audit(session, version=v2, clinic=clinic, wave=wave, answers={"call.hello": True})
    as_user(client, session, "admin")

    body = client.get(f"/api/v1/reports/clinics/{clinic.id}").json()

    assert [(i["key"], i["pass_rate"], i["n"]) for i in body["items"]] == [("call.hello", 0.5, 2)]

"""The sample-size hint (visits needed for the weakest 0/1 item) against the hand-made network of
conftest.py, the clinic report's advice and the wave board."""

import math
import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.models import Role
from app.checklists.models import Checklist
from app.reports import sample_size
from tests.factories import PASSWORD, make_clinic, make_user
from tests.reports.conftest import PERFECT, Network
from tests.reports.factories import make_audit, make_wave
from tests.web import log_in

Z = 1.959963984540054


def _checklist(session: Session, network: Network) -> Checklist:
    checklist = session.get(Checklist, network.version.checklist_id)
    assert checklist is not None
    return checklist


def test_visits_needed_follows_the_weakest_binary_item_by_the_formula(session: Session,
                                                                     network: Network) -> None:
    advice = sample_size.visits_needed(session, network.a.id or 0, _checklist(session, network))

    # Alpha in W1: answer_time 2/3, greeting 2/3, callback 1/2 (the N/A left out): callback is weakest.
    assert advice is not None
    assert advice["item"] == "call.callback" and advice["pass_rate"] == 0.5 and advice["n"] == 2
    assert advice["visits_needed"] == math.ceil(Z * Z * 0.5 * 0.5 / 0.1 ** 2) == 97
    assert advice["more_visits"] == 95 and advice["wave"] == "W1"


def test_the_hint_is_the_same_figure_as_the_clinic_report_advice(session: Session, client: TestClient,
                                                                 network: Network) -> None:
    log_in(client, make_user(session, Role.qa_lead).email, PASSWORD)

    report = client.get(f"/api/v1/reports/clinics/{network.a.id}").json()
    hint = sample_size.visits_needed(session, network.a.id or 0, _checklist(session, network))

    assert hint is not None
    assert {k: v for k, v in hint.items() if k != "wave"} == report["advice"]


def test_a_perfect_clinic_still_needs_the_worst_case_number_of_visits(session: Session,
                                                                      network: Network) -> None:
    advice = sample_size.visits_needed(session, network.b.id or 0, _checklist(session, network))

    # Every pass rate is 1/1: nothing is known yet, so p = 0.5 is assumed.
    assert advice is not None and advice["visits_needed"] == 97 and advice["more_visits"] == 96


def test_a_clinic_without_approved_audits_has_no_hint(session: Session, network: Network) -> None:
    empty = make_clinic(session, name="Gamma")

    assert sample_size.visits_needed(session, empty.id or 0, _checklist(session, network)) is None
    assert sample_size.visits_needed_by_clinic(session, checklist=_checklist(session, network),
                                               clinic_ids=[]) == {}


def test_the_hint_uses_the_clinics_latest_wave_with_approved_audits(session: Session, network: Network) -> None:
    later = make_wave(session, "W2", starts_on=network.wave.starts_on.replace(year=2027))
    make_audit(session, version=network.version, clinic=network.a, wave=later,
               answers={**PERFECT, "call.greeting": False})

    advice = sample_size.visits_needed(session, network.a.id or 0, _checklist(session, network))

    assert advice is not None and advice["wave"] == "W2"
    assert advice["item"] == "call.greeting" and advice["n"] == 1 and advice["visits_needed"] == 97


def test_the_wave_board_shows_visits_needed_next_to_the_planned_visits(session: Session, client: TestClient,
                                                                        network: Network) -> None:
    plan = make_wave(session, "Plan", starts_on=network.wave.starts_on.replace(year=2027))
    make_audit(session, version=network.version, clinic=network.a, wave=plan, answers={}, status="draft")
    log_in(client, make_user(session, Role.qa_lead).email, PASSWORD)

    page = client.get(f"/waves/{plan.id}")

    assert page.status_code == 200
    row = re.search(rf'<tbody id="clinic-{network.a.id}" class="clinic-rows">(.*?)</tbody>', page.text, re.S)
    assert row is not None
    assert "97" in row.group(1) and "Offered a call back" in row.group(1)  # the item by its question
    gamma = make_clinic(session, name="Gamma")
    empty_row = re.search(rf'<tbody id="clinic-{gamma.id}" class="clinic-rows">(.*?)</tbody>',
                          client.get(f"/waves/{plan.id}").text, re.S)
    assert empty_row is not None and "sample-hint" in empty_row.group(1) and "97" not in empty_row.group(1)

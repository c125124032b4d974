"""Gaps first: the change of an item's pass rate in percentage points, and whether it is beyond noise
(two-proportion z-test, figures computed by hand), and the gap list that folds passing items away."""

import math

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.reports.changes import Verdict, compare_pass_rates, two_proportion_p_value
from tests.reports.conftest import Network
from tests.reports.test_clinic_report_api import as_user


def test_18_of_20_against_8_of_20_is_beyond_noise() -> None:
    # pooled p = 26/40 = 0.65; se = sqrt(0.65·0.35·(1/20 + 1/20)) = 0.150831; z = 0.5/0.150831 = 3.31496
    change = compare_pass_rates(now=0.9, n_now=20, before=0.4, n_before=20, binary=True)

    assert change.points == pytest.approx(50.0)
    assert change.verdict == Verdict.beyond_noise
    assert change.p_value == pytest.approx(math.erfc(3.31496 / math.sqrt(2)), rel=1e-4)
    assert change.p_value == pytest.approx(0.000916, abs=2e-6)


def test_a_small_change_on_many_visits_is_within_noise() -> None:
    # 55/100 vs 50/100: pooled 0.525, se = sqrt(0.525·0.475·0.02) = 0.070622, z = 0.708, p ≈ 0.479
    change = compare_pass_rates(now=0.55, n_now=100, before=0.5, n_before=100, binary=True)

    assert change.verdict == Verdict.within_noise and change.p_value == pytest.approx(0.479, abs=1e-3)


def test_four_visits_are_too_few_and_a_scale_item_is_not_tested() -> None:
    few = compare_pass_rates(now=1.0, n_now=4, before=0.25, n_before=4, binary=True)
    scale = compare_pass_rates(now=0.9, n_now=50, before=0.5, n_before=50, binary=False)

    assert few.verdict == Verdict.too_small and few.points == pytest.approx(75.0)
    assert scale.verdict == Verdict.untested and scale.points == pytest.approx(40.0)


def test_nothing_varies_when_both_waves_passed_everything() -> None:
    assert two_proportion_p_value(20, 20, 30, 30) is None
    assert compare_pass_rates(now=1.0, n_now=20, before=1.0, n_before=30, binary=True).verdict == Verdict.within_noise


def test_gap_list_shows_open_gaps_and_folds_passing_items_under_a_count(client: TestClient, session: Session,
                                                                       network: Network) -> None:
    as_user(client, session, "admin")

    perfect = client.get(f"/reports/clinics/{network.b.id}")
    gaps = client.get(f"/reports/clinics/{network.a.id}")

    assert "No open gaps" in perfect.text and "5 items passed in every visit" in perfect.text
    assert "passed in every visit</summary>" not in gaps.text  # every item of Alpha has a gap
    assert gaps.text.count('class="report-table gap-table"') == 1


def test_figures_lead_to_the_audits_behind_them_or_say_how_many_and_when(client: TestClient, session: Session,
                                                                        network: Network) -> None:
    as_user(client, session, "qa_lead")
    for_qa = client.get(f"/reports/clinics/{network.a.id}")
    client.cookies.clear()
    as_user(client, session, "director", whole_network=True)
    for_director = client.get(f"/reports/clinics/{network.a.id}")
    comparison = client.get("/reports")

    assert 'href="#audits-behind"' in for_qa.text and f'href="/review/audits/{network.a_audits[0].id}"' in for_qa.text
    assert "/review/audits/" not in for_director.text
    assert "3 approved visits" in for_director.text and "Only QA may open the audits themselves." in for_director.text
    assert "#audits-behind" in comparison.text  # each clinic's visit count leads to its list

"""Every field of the network comparison JSON against figures computed by hand (see conftest.py),
and the bounded number of queries behind the reports."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

from app.accounts.models import DirectorRegion
from app.reports.network_report import rank_branches
from tests.factories import PASSWORD, make_clinic, make_user
from tests.reports.conftest import PERFECT, Network
from tests.reports.factories import make_audit, make_wave
from tests.reports.test_clinic_report_api import as_user
from tests.web import log_in

A_SCORE = (75 + 175 / 3 + 25) / 3


def test_network_report_matches_every_hand_computed_field(client: TestClient, session: Session,
                                                          network: Network) -> None:
    as_user(client, session, "admin")

    body = client.get("/api/v1/reports/network").json()

    assert body["wave"] == {"id": network.wave.id, "name": "W1"}
    assert body["checklist"] == "test-clinic"
    assert body["touchpoints"] == ["call", "reception"]
    assert body["network"] == {"score": pytest.approx((A_SCORE + 100) / 2),
                               "touchpoints": {"call": pytest.approx((200 / 3 + 100) / 2),
                                               "reception": pytest.approx((137.5 / 3 + 100) / 2)}}
    assert body["clinics"] == [
        {"id": network.b.id, "name": "Beta", "region": "South", "is_competitor": False, "audits": 1,
         "score": 100.0, "rank": 1, "touchpoints": {"call": 100.0, "reception": 100.0},
         "critical_failures": 0},
        {"id": network.c.id, "name": "Rival", "region": "North", "is_competitor": True, "audits": 1,
         "score": pytest.approx(250 / 3), "rank": None, "touchpoints": {"call": 100.0, "reception": 75.0},
         "critical_failures": 0},
        {"id": network.a.id, "name": "Alpha", "region": "North", "is_competitor": False, "audits": 3,
         "score": pytest.approx(A_SCORE), "rank": 2,
         "touchpoints": {"call": pytest.approx(200 / 3), "reception": pytest.approx(137.5 / 3)},
         "critical_failures": 1},
    ]
    (point,) = body["trend"]
    assert point["wave"]["name"] == "W1" and point["network"] == pytest.approx((A_SCORE + 100) / 2)
    audits = {c["id"]: c["audits"] for c in point["clinics"]}
    assert audits == {network.a.id: 3, network.b.id: 1, network.c.id: 1}


def test_region_filter_and_trend_over_two_waves(client: TestClient, session: Session,
                                                network: Network) -> None:
    later = make_wave(session, "W2")
    make_audit(session, version=network.version, clinic=network.a, wave=later, answers=PERFECT)
    as_user(client, session, "admin")

    params = {"region": "North", "wave": str(network.wave.id)}
    body = client.get("/api/v1/reports/network", params=params).json()
    latest = client.get("/api/v1/reports/network").json()

    assert [c["name"] for c in body["clinics"]] == ["Rival", "Alpha"]
    assert body["network"]["score"] == pytest.approx(A_SCORE)
    assert [p["wave"]["name"] for p in body["trend"]] == ["W1", "W2"]
    assert body["trend"][1]["network"] == 100.0
    assert latest["wave"]["name"] == "W2" and [c["name"] for c in latest["clinics"]] == ["Alpha"]


def test_scoped_director_sees_only_their_clinics_and_their_network(client: TestClient, session: Session,
                                                                   network: Network) -> None:
    director = make_user(session, "director")
    session.add(DirectorRegion(user_id=director.id or 0, region_id=network.south.id or 0))
    session.flush()
    log_in(client, director.email, PASSWORD)

    body = client.get("/api/v1/reports/network").json()

    assert [c["name"] for c in body["clinics"]] == ["Beta"]
    assert body["network"]["score"] == 100.0


def test_equal_scores_share_a_rank_and_competitors_are_not_ranked() -> None:
    rows: list[dict[str, Any]] = [
        {"id": 1, "name": "a", "score": 80.0, "is_competitor": False},
        {"id": 2, "name": "b", "score": 90.0, "is_competitor": False},
        {"id": 3, "name": "c", "score": 95.0, "is_competitor": True},
        {"id": 4, "name": "d", "score": 90.0, "is_competitor": False},
        {"id": 5, "name": "e", "score": None, "is_competitor": False},
    ]

    rank_branches(rows)

    assert [(r["id"], r["rank"]) for r in rows] == [(3, None), (2, 1), (4, 1), (1, 3), (5, None)]


def test_network_without_approved_audits_is_empty_not_an_error(client: TestClient, session: Session) -> None:
    as_user(client, session, "qa_lead")

    response = client.get("/api/v1/reports/network", params={"region": make_clinic(session).region_id})

    assert response.status_code == 200
    assert response.json()["network"] == {"score": None, "touchpoints": {}}
    assert response.json()["clinics"] == []


@pytest.mark.parametrize(("params", "words"), [({"wave": "nope"}, "nope"),
                                               ({"checklist": "nope-list"}, "nope-list"),
                                               ({"region": "Atlantis"}, "Atlantis")])
def test_network_unknown_filter_is_404_naming_it(client: TestClient, session: Session, network: Network,
                                                 params: dict[str, str], words: str) -> None:
    as_user(client, session, "admin")

    response = client.get("/api/v1/reports/network", params=params)

    assert response.status_code == 404 and words in response.json()["detail"]


@contextmanager
def counting_queries(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = session.get_bind().engine

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _queries_for(client: TestClient, session: Session, url: str) -> int:
    with counting_queries(session) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_report_query_count_is_bounded_and_does_not_grow_with_audits(client: TestClient, session: Session,
                                                                     network: Network) -> None:
    as_user(client, session, "admin")
    urls = [f"/api/v1/reports/clinics/{network.a.id}", "/api/v1/reports/network",
            f"/reports/clinics/{network.a.id}", "/reports"]
    for url in urls:  # the first report stores the scores of the audits approved so far: a write, once
        client.get(url)
    before = [_queries_for(client, session, url) for url in urls]
    for _ in range(5):
        make_audit(session, version=network.version, clinic=network.a, wave=network.wave, answers=PERFECT)
        make_audit(session, version=network.version, clinic=make_clinic(session), wave=network.wave,
                   answers=PERFECT)
    session.commit()
    for url in urls:  # the same after the new approvals (a worker's job, done lazily here)
        client.get(url)

    after = [_queries_for(client, session, url) for url in urls]

    assert all(a <= b for a, b in zip(after, before, strict=True)), (before, after)  # no growth with audits
    assert max(before) <= 35  # the gap report also flags key drivers and doubtful approvals; pages count the bell

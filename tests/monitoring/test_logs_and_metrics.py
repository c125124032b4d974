"""JSON log lines carry the request id (kept from X-Request-ID when sane, else made); Prometheus
metrics count requests per route template and are served only with the configured token."""

import json
import logging

import pytest
from fastapi.testclient import TestClient

from app.monitoring.logs import REQUEST_ID, JsonFormatter
from app.settings import get_settings
from tests.security.world import World, as_user, build_world


def _record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("mystery_patient", logging.WARNING, __file__, 1, message, None, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_a_json_log_line_carries_the_request_id_and_the_extra_fields() -> None:
    token = REQUEST_ID.set("req-12345678")
    try:
        line = json.loads(JsonFormatter().format(_record("saved %s", route="/x", status=200)))
    finally:
        REQUEST_ID.reset(token)

    assert line["request_id"] == "req-12345678" and line["level"] == "warning"
    assert line["message"] == "saved %s" and line["route"] == "/x" and line["status"] == 200


def test_the_request_id_is_kept_from_the_proxy_or_made_and_sent_back(client: TestClient,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="mystery_patient.access"):
        kept = client.get("/healthz", headers={"X-Request-ID": "nginx-0123456789abcdef"})
        made = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith a newline"})

    assert kept.headers["x-request-id"] == "nginx-0123456789abcdef"
    assert made.headers["x-request-id"] != "bad id\nwith a newline" and len(made.headers["x-request-id"]) == 24
    access = [r for r in caplog.records if r.name == "mystery_patient.access"]
    assert [getattr(r, "route", None) for r in access] == ["/healthz", "/healthz"]
    assert json.loads(JsonFormatter().format(access[0]))["status"] == 200


def test_metrics_do_not_exist_without_a_token_and_refuse_a_wrong_one(client: TestClient,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert client.get("/metrics").status_code == 404
    monkeypatch.setattr(get_settings(), "metrics_token", "scrape-token-0123456789")

    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get("/metrics").status_code == 404


def test_metrics_count_requests_per_route_template_not_per_path(client: TestClient, session,  # type: ignore[no-untyped-def]
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    world: World = build_world(session)
    monkeypatch.setattr(get_settings(), "metrics_token", "scrape-token-0123456789")
    as_user(client, world.logins["shopper"], api=True)
    client.get(f"/api/v1/audits/{world.draft.id}")
    client.get("/api/v1/audits/999999")

    body = client.get("/metrics", headers={"Authorization": "Bearer scrape-token-0123456789"}).text

    assert 'mp_http_requests_total{method="GET",route="/api/v1/audits/{audit_id}",status="200"}' in body
    assert 'route="/api/v1/audits/{audit_id}",status="404"' in body
    assert "/api/v1/audits/999999" not in body
    assert 'mp_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/v1/audits/{audit_id}"}' \
        in body


def test_metrics_show_the_queue_depth_and_the_failed_jobs(client: TestClient, session,  # type: ignore[no-untyped-def]
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from app.jobs.models import Job, JobStatus
    from tests.factories import make_user

    user = make_user(session)
    session.add(Job(user_id=user.id or 0, kind="gap_pdf", status=JobStatus.failed, error="boom"))
    session.add(Job(user_id=user.id or 0, kind="gap_pdf", status=JobStatus.done))
    monkeypatch.setattr(get_settings(), "metrics_token", "scrape-token-0123456789")

    body = client.get("/metrics", headers={"Authorization": "Bearer scrape-token-0123456789"}).text

    assert 'mp_jobs{status="failed"} 1.0' in body and 'mp_jobs{status="done"} 1.0' in body
    assert 'mp_jobs{status="queued"} 0.0' in body
    assert "mp_queue_pending " in body

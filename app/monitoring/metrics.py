"""Prometheus metrics (prometheus-client) and the per-request plumbing that feeds them and the logs.

Per request: a count by method, route template and status, and the latency by method and route
template (never the raw path: ids would make a series per audit). At each scrape: the jobs waiting
in the queue and the jobs that failed (docs/jobs.md).

With several worker processes set PROMETHEUS_MULTIPROC_DIR to an empty folder shared by them (the
systemd unit and docker-compose.yml do): any worker then answers for all of them.

GET /metrics answers only `Authorization: Bearer MP_METRICS_TOKEN`; without a token configured it
does not exist (404), so it is never public by accident.
"""

import hmac
import logging
import os
import time
from collections.abc import Iterator

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlmodel import Session
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import SessionDep
from app.errors import NotFound
from app.jobs.models import JobStatus
from app.models import metadata
from app.monitoring.logs import REQUEST_ID, request_id_from
from app.settings import get_settings

log = logging.getLogger("mystery_patient.access")
router = APIRouter(include_in_schema=False)

REQUESTS = Counter("mp_http_requests", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram("mp_http_request_duration_seconds", "Time to answer an HTTP request", ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))


def route_of(request: Request) -> str:
    route = request.scope.get("route")
    return str(getattr(route, "path", None) or "unmatched")


class Observe:
    """Outermost middleware: request id in, metrics and one access log line out. Plain ASGI: it reads
    the status and adds the id as the response starts (no task and stream per request)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        request_id = request_id_from(request.headers.get("x-request-id"))
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_of(request)
            REQUESTS.labels(request.method, route, str(status)).inc()
            LATENCY.labels(request.method, route).observe(elapsed)
            log.info("%s %s %s", request.method, route, status, extra={
                "method": request.method, "path": request.url.path, "route": route, "status": status,
                "duration_ms": round(elapsed * 1000, 1),
                "client": request.client.host if request.client else None})
            REQUEST_ID.reset(token)


class QueueCollector(Collector):
    """Read at each scrape, so every app server reports the same shared truth: the jobs waiting in
    the queue (huey) and the jobs by status in the database, failures included (docs/jobs.md)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def collect(self) -> Iterator[Metric]:
        from app.jobs.queue import QUEUE_ERRORS, huey

        pending = GaugeMetricFamily("mp_queue_pending", "Jobs waiting in the queue")
        try:
            pending.add_metric([], huey.pending_count())
        except QUEUE_ERRORS:
            log.warning("metrics: the job queue cannot be reached")
        else:
            yield pending
        jobs = GaugeMetricFamily("mp_jobs", "Jobs kept in the database, by status (failed = job failures)",
                                 labels=["status"])
        table = metadata.tables["jobs"]
        rows = self.session.connection().execute(select(table.c.status, func.count()).group_by(table.c.status))
        counts: dict[str, int] = {str(status): int(count) for status, count in rows}
        for status in JobStatus:
            jobs.add_metric([status.value], counts.get(status.value, 0))
        yield jobs


def _registry(session: Session) -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ProcessMetrics())
    registry.register(QueueCollector(session))
    return registry


class _ProcessMetrics(Collector):
    """This process's own request metrics (the default registry), beside the queue's."""

    def collect(self) -> Iterator[Metric]:
        from prometheus_client import REGISTRY

        yield from REGISTRY.collect()


@router.get("/metrics", name="metrics")
def metrics(request: Request, session: SessionDep) -> Response:
    expected = get_settings().metrics_token
    offered = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(offered.encode(), expected.encode()):
        raise NotFound()
    return Response(generate_latest(_registry(session)), media_type=CONTENT_TYPE_LATEST)

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
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

from app.errors import NotFound
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


async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Outermost middleware: request id in, metrics and one access log line out."""
    request_id = request_id_from(request.headers.get("x-request-id"))
    token = REQUEST_ID.set(request_id)
    started = time.perf_counter()
    status = 500
    try:
        response = await call_next(request)
        status = response.status_code
        response.headers["X-Request-ID"] = request_id
        return response
    finally:
        elapsed = time.perf_counter() - started
        route = route_of(request)
        REQUESTS.labels(request.method, route, str(status)).inc()
        LATENCY.labels(request.method, route).observe(elapsed)
        log.info("%s %s %s", request.method, route, status, extra={
            "method": request.method, "path": request.url.path, "route": route, "status": status,
            "duration_ms": round(elapsed * 1000, 1), "client": request.client.host if request.client else None})
        REQUEST_ID.reset(token)


def _registry() -> CollectorRegistry:
    from prometheus_client import REGISTRY

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


@router.get("/metrics", name="metrics")
def metrics(request: Request) -> Response:
    expected = get_settings().metrics_token
    offered = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(offered.encode(), expected.encode()):
        raise NotFound()
    return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)

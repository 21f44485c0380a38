"""The API's Prometheus metrics: requests by route template and status, their latency, requests
in flight, and the use of each process's database pool.

`policygov serve` runs several processes (``api_workers``). Each records into prometheus-client's
multiprocess files, in the directory ``PROMETHEUS_MULTIPROC_DIR`` names (made afresh by
``serve``, services/api/metrics_server.py); one server in the parent process reads them all, so
one scrape sees every worker. Metrics are only recorded when ``api_metrics_port`` is set.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.domain.settings import Settings

# The label of a request no route matched (a 404 for a path the API does not have): one value,
# whatever the path, so that scanners cannot grow the number of series.
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# From a kept page (about a millisecond) to a heavy upload or export (tens of seconds).
LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass(frozen=True)
class ApiMetrics:
    """One process's metrics; registered in no registry: the parent reads the files."""

    requests: Counter
    latency: Histogram
    in_flight: Gauge
    pool_checked_out: Gauge
    pool_size: Gauge
    pool_max_overflow: Gauge

    @classmethod
    def create(cls) -> ApiMetrics:
        return cls(
            requests=Counter(
                "policygov_http_requests",
                "HTTP requests answered, by method, route template and status code.",
                ("method", "route", "status"),
                registry=None,
            ),
            latency=Histogram(
                "policygov_http_request_duration_seconds",
                "Time from a request's arrival to the end of its response, by route template.",
                ("method", "route"),
                buckets=LATENCY_BUCKETS,
                registry=None,
            ),
            in_flight=Gauge(
                "policygov_http_requests_in_flight",
                "Requests being answered now, over every API process.",
                registry=None,
                multiprocess_mode="livesum",
            ),
            pool_checked_out=Gauge(
                "policygov_db_pool_checked_out",
                "Database connections checked out of the API processes' pools now.",
                registry=None,
                multiprocess_mode="livesum",
            ),
            pool_size=Gauge(
                "policygov_db_pool_size",
                "Connections the API processes' pools keep (db_pool_size per process).",
                registry=None,
                multiprocess_mode="livesum",
            ),
            pool_max_overflow=Gauge(
                "policygov_db_pool_max_overflow",
                "Connections the API processes' pools may open beyond their size when busy.",
                registry=None,
                multiprocess_mode="livesum",
            ),
        )


def route_of(scope: Scope) -> str:
    """The template of the route that answered (``/v1/documents/{document_id}``), never the
    path itself: one series per route, whatever ids are asked for."""
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


class MetricsMiddleware:
    """Counts and times every HTTP request, outermost but for Starlette's own error handler:
    a 413, a 503 or a 304 made by another middleware is counted as the client saw it, and an
    unhandled error as the 500 that handler sends."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        metrics = self.metrics
        metrics.in_flight.inc()
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_status)
        finally:
            elapsed = time.perf_counter() - started
            metrics.in_flight.dec()
            method = scope["method"] if scope["method"] in METHODS else "other"
            route = route_of(scope)
            metrics.requests.labels(method, route, str(status)).inc()
            metrics.latency.labels(method, route).observe(elapsed)


def watch_pool(engine: AsyncEngine, metrics: ApiMetrics, max_overflow: int) -> None:
    """Keep the pool gauges: the configured size once, the connections checked out at every
    check-out and check-in (the pool's own count, so a missed event cannot drift it)."""
    pool = engine.sync_engine.pool
    if not isinstance(pool, QueuePool):
        return
    metrics.pool_size.set(pool.size())
    metrics.pool_max_overflow.set(max_overflow)

    def count(*_: Any) -> None:
        metrics.pool_checked_out.set(pool.checkedout())

    event.listen(pool, "checkout", count)
    event.listen(pool, "checkin", count)


def install(app: FastAPI, engine: AsyncEngine, settings: Settings) -> None:
    """Record this process's metrics; called last in create_app, so that the middleware is
    outside every other."""
    metrics = ApiMetrics.create()
    watch_pool(engine, metrics, settings.db_max_overflow)
    app.add_middleware(MetricsMiddleware, metrics=metrics)

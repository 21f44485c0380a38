"""The notifier's Prometheus metrics: the backlog (outbox lag, queue depth, the oldest email and
webhook delivery waiting), sends by kind and result, retries, and how long each sweep takes.

The notifier is one process: its metrics live in memory, in a registry of its own, served by
``NotifierMetrics.serve`` when ``notifier_metrics_port`` is set. The backlog gauges are sampled
from PostgreSQL and Redis every ``notifier_health_seconds`` (``sample_backlog``), not at the
scrape: a scrape is answered from a thread that cannot use the notifier's connections, and
one query every few seconds costs the same however often Prometheus asks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Iterator
from datetime import datetime
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import utcnow
from services.domain.notifications.backlog import backlog
from services.notifier.health import wait_or_stop

logger = logging.getLogger(__name__)
EMAIL = "email"
WEBHOOK = "webhook"
# The sweeps, as services/notifier/sweeps.py runs them (retention: the daily prune).
SWEEPS = (
    "reviews",
    "consultations",
    "update_cycles",
    "dis_applications",
    "acknowledgements",
    "monitoring",
    "launch",
    "sign_off_time_limits",
    "tracker_snapshots",
    "requeue",
    "meetings",
    "retention",
)
# A send job's outcome (services/notifier/notifications.py, webhooks.py) as a result label;
# an id not taken or given back untried was no attempt, and is not counted.
RESULTS = {
    "sent": "sent",
    "sent, lease lost": "sent",
    "delivered": "sent",
    "failed": "failed",
    "subscription disabled": "failed",
    "retrying": "retry",
    "cancelled": "cancelled",
    "lease lost": "lease_lost",
}
SWEEP_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
RELAY_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0)


class NotifierMetrics:
    """The notifier's metrics, in a registry of their own (nothing global)."""

    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        self.sends = Counter(
            "policygov_notifier_sends",
            "Send attempts by kind (email, webhook) and result (sent, failed, retry: failed "
            "for now and planned again, cancelled: no longer applies, lease_lost).",
            ("kind", "result"),
            registry=r,
        )
        self.retries = Counter(
            "policygov_notifier_retries",
            "Send attempts that were retries (the second attempt of a message or later).",
            ("kind",),
            registry=r,
        )
        self.sweep_seconds = Histogram(
            "policygov_notifier_sweep_duration_seconds",
            "How long each sweep took, by sweep.",
            ("sweep",),
            buckets=SWEEP_BUCKETS,
            registry=r,
        )
        self.sweep_failures = Counter(
            "policygov_notifier_sweep_failures",
            "Sweeps that ended in an error, by sweep.",
            ("sweep",),
            registry=r,
        )
        self.relay_lag = Histogram(
            "policygov_notifier_relay_lag_seconds",
            "Time from an outbox event's commit to its relay into notifications and deliveries.",
            buckets=RELAY_BUCKETS,
            registry=r,
        )
        self._backlog_gauges(r)
        self._start_series()

    def _backlog_gauges(self, r: CollectorRegistry) -> None:
        """The gauges ``sample`` sets from PostgreSQL and Redis."""
        self.outbox_oldest = Gauge(
            "policygov_notifier_outbox_oldest_unpublished_seconds",
            "Age of the oldest outbox event not yet relayed (0 when none): the outbox lag.",
            registry=r,
        )
        self.outbox_unpublished = Gauge(
            "policygov_notifier_outbox_unpublished_events",
            "Outbox events not yet relayed.",
            registry=r,
        )
        self.oldest_pending = Gauge(
            "policygov_notifier_oldest_pending_seconds",
            "How long the longest-waiting email or webhook delivery has been due and unsent "
            "(0 when none is).",
            ("kind",),
            registry=r,
        )
        self.pending = Gauge(
            "policygov_notifier_pending",
            "Emails and webhook deliveries pending or being sent, due or planned.",
            ("kind",),
            registry=r,
        )
        self.queue_jobs = Gauge(
            "policygov_notifier_queue_jobs",
            "Jobs in the arq queue in Redis: ready to run, or deferred to a later time.",
            ("state",),
            registry=r,
        )
        self.sampled_at = Gauge(
            "policygov_notifier_backlog_sampled_timestamp_seconds",
            "When the backlog gauges were last read from PostgreSQL and Redis.",
            registry=r,
        )

    def _start_series(self) -> None:
        """Every series a dashboard shows, at zero from the start rather than absent."""
        for kind in (EMAIL, WEBHOOK):
            self.retries.labels(kind)
            for result in ("sent", "failed", "retry"):
                self.sends.labels(kind, result)
        for sweep in SWEEPS:
            self.sweep_seconds.labels(sweep)
            self.sweep_failures.labels(sweep)
        for state in ("ready", "deferred"):
            self.queue_jobs.labels(state)

    def serve(self, host: str, port: int) -> WSGIServer:
        """Serve these metrics at ``http://host:port/metrics`` from a thread; OSError when the
        port is taken."""
        server, _thread = start_http_server(port, addr=host, registry=self.registry)
        return server

    def count_send(self, kind: str, outcome: str, attempt: int) -> None:
        """One send job's outcome for one row, on its ``attempt`` (1 for the first)."""
        result = RESULTS.get(outcome)
        if result is None:
            return
        self.sends.labels(kind, result).inc()
        if attempt > 1:
            self.retries.labels(kind).inc()

    def relayed(self, created_at: datetime) -> None:
        """An outbox event relayed now (run_relay's ``on_published``)."""
        self.relay_lag.observe(max((utcnow() - created_at).total_seconds(), 0.0))

    @contextlib.contextmanager
    def sweep(self, name: str) -> Iterator[None]:
        """Time one sweep; count it as failed if it raises."""
        started = time.perf_counter()
        try:
            yield
        except BaseException:
            self.sweep_failures.labels(name).inc()
            raise
        finally:
            self.sweep_seconds.labels(name).observe(time.perf_counter() - started)

    async def sample(
        self, sessionmaker: async_sessionmaker[AsyncSession], redis: Redis, queue: str
    ) -> None:
        """Read the backlog from PostgreSQL and the queue from Redis. What cannot be read is
        NaN (a gap on a graph) rather than the last value, which would look current."""
        try:
            async with sessionmaker() as session:
                waiting = await backlog(session)
        except Exception as exc:  # an outage: the health watch says so
            logger.debug("backlog not sampled: %s", exc)
            for gauge in (self.outbox_oldest, self.outbox_unpublished):
                gauge.set(math.nan)
            for kind in (EMAIL, WEBHOOK):
                self.oldest_pending.labels(kind).set(math.nan)
                self.pending.labels(kind).set(math.nan)
        else:
            self.outbox_oldest.set(waiting.outbox.oldest_seconds)
            self.outbox_unpublished.set(waiting.outbox.count)
            for kind, rows in ((EMAIL, waiting.notifications), (WEBHOOK, waiting.deliveries)):
                self.oldest_pending.labels(kind).set(rows.oldest_seconds)
                self.pending.labels(kind).set(rows.count)
        try:
            now_ms = int(time.time() * 1000)
            # arq keeps its queue as a sorted set scored by the time each job may run (ms).
            total = await redis.zcard(queue)
            ready = await redis.zcount(queue, "-inf", now_ms)
        except Exception as exc:
            logger.debug("queue not sampled: %s", exc)
            total = ready = math.nan
        self.queue_jobs.labels("ready").set(ready)
        self.queue_jobs.labels("deferred").set(total - ready)
        self.sampled_at.set(time.time())


def timed(metrics: NotifierMetrics | None, sweep: str) -> contextlib.AbstractContextManager[None]:
    """``metrics.sweep(sweep)``, or nothing when the notifier runs without metrics."""
    return metrics.sweep(sweep) if metrics is not None else contextlib.nullcontext()


async def sample_backlog(
    metrics: NotifierMetrics,
    sessionmaker: async_sessionmaker[AsyncSession],
    redis: Redis,
    queue: str,
    interval: float,
    stopping: asyncio.Event,
) -> None:
    """Sample the backlog every ``interval`` seconds until ``stopping``."""
    while not stopping.is_set():
        await metrics.sample(sessionmaker, redis, queue)
        await wait_or_stop(stopping, interval)

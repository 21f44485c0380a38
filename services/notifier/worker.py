"""The arq worker: the outbox relay (a background task), the send jobs and the sweeps (cron).

arq is only the transport: PostgreSQL holds the state of every notification and delivery, so
any job can run twice or be lost and the outcome is the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from arq import cron, func
from arq.connections import ArqRedis, RedisSettings
from arq.worker import create_worker

from services import collector, tracing
from services.domain import reactions
from services.domain.db import make_engine, make_sessionmaker
from services.domain.documents.files import session_info
from services.domain.health import DependencyHealth
from services.domain.imports import jobs as import_jobs
from services.domain.settings import Settings, get_settings
from services.domain.webhooks.client import receiver_client
from services.notifier.health import (
    REDIS,
    backoff_for,
    log_failure,
    reason,
    unavailable_dependency,
    wait_or_stop,
    watch_health,
)
from services.notifier.mail_backends import backend_for
from services.notifier.metrics import NotifierMetrics, sample_backlog, timed
from services.notifier.notifications import send_notification, send_notifications
from services.notifier.relay import run_relay
from services.notifier.source_feeds import poll_source_feeds
from services.notifier.sweeps import sweep_all, sweep_retention
from services.notifier.transport import ArqTransport
from services.notifier.webhooks import deliver_webhook, deliver_webhooks

logger = logging.getLogger(__name__)
HEARTBEAT_KEY = "policygov:notifier:heartbeat"
QUEUE_NAME = "policygov:notifier"
IMPORT_TIMEOUT_SECONDS = 30 * 60


async def health_check(ctx: dict[str, Any]) -> str:
    """No-op job that proves the worker runs: records a heartbeat in Redis."""
    now = datetime.now(UTC).isoformat()
    await ctx["redis"].set(HEARTBEAT_KEY, now, ex=600)
    return now


async def sweep(ctx: dict[str, Any]) -> str:
    """Cron: review reminders and escalations, consultations opened, closed and chased at their
    time, re-queue anything the queue lost, and keep twelve months of meetings generated (each
    a no-op once done)."""
    try:
        report = await sweep_all(
            ctx["sessionmaker"], ctx["settings"], ctx["transport"], metrics=ctx.get("metrics")
        )
    except Exception as exc:
        if unavailable_dependency(exc) is None:
            raise
        # An outage, not a failed job: one line, and the next minute's sweep tries again.
        log_failure("sweep", exc, 1, None)
        return "skipped: " + reason(exc)
    return f"{report}"


async def run_import(ctx: dict[str, Any], import_id: str) -> str:
    """One tracker import asked for over HTTP (services.domain.imports.jobs): all or nothing."""
    settings = ctx["settings"]
    with tracing.span("tracker.import", attributes={"policygov.import_id": import_id}):
        return await import_jobs.run_import(
            ctx["sessionmaker"], settings.heavy_limits, uuid.UUID(import_id)
        )


async def prune(ctx: dict[str, Any]) -> str:
    """Cron, daily: delete published events, old finished emails and deliveries, and expired
    idempotency records (the audit log is never pruned)."""
    with timed(ctx.get("metrics"), "retention"):
        pruned = await sweep_retention(ctx["sessionmaker"], ctx["settings"])
    return f"{pruned}"


def listen_url(settings: Settings) -> str | None:
    """Where the relay LISTENs: database_listen_url, else database_url unless that is PgBouncer
    in transaction mode, which lends a server connection per transaction and so passes no
    notification on; None: the relay polls only."""
    if settings.database_listen_url:
        return settings.database_listen_url
    return None if settings.database_pgbouncer else settings.database_url


async def open_context(
    settings: Settings, health: DependencyHealth, metrics: NotifierMetrics | None = None
) -> dict[str, Any]:
    """What every job and the relay share for the life of the process, across outages: the
    database engine, one Redis client (it reconnects by itself once Redis answers again), the
    HTTP client, the relay, the health watch and, with metrics, their sampler."""
    reactions.install()
    tracing.set_up("policygov-notifier")
    engine = make_engine(
        settings.database_url,
        pool_size=5,
        max_overflow=5,
        # A connection that died in an outage is replaced, not handed to a job.
        pre_ping=True,
        connect_timeout_seconds=settings.db_connect_timeout_seconds,
        pgbouncer=settings.database_pgbouncer,
    )
    tracing.instrument_engine(engine)
    redis = ArqRedis.from_url(
        settings.redis_url,
        socket_connect_timeout=5,
        # No command of ours blocks: one that hangs this long means Redis is away.
        socket_timeout=10,
    )
    redis.job_serializer = _serialize
    redis.job_deserializer = _deserialize
    redis.default_queue_name = QUEUE_NAME
    stopping = asyncio.Event()
    ctx: dict[str, Any] = {
        "settings": settings,
        "engine": engine,
        "sessionmaker": make_sessionmaker(engine, session_info(settings)),
        "redis": redis,
        "transport": ArqTransport(redis),
        "http": receiver_client(settings),
        # One mail backend for the worker's life: its SMTP connections are reused.
        "mail": backend_for(settings, keep_open=True),
        "health": health,
        "stopping": stopping,
        "metrics": metrics,
    }
    _start_tasks(ctx, settings, metrics)
    return ctx


def _start_tasks(ctx: dict[str, Any], settings: Settings, metrics: NotifierMetrics | None) -> None:
    """The relay, the health watch and, with metrics, the backlog's sampler, for the life of
    the context."""
    stopping, redis, health = ctx["stopping"], ctx["redis"], ctx["health"]
    ctx["relay"] = asyncio.create_task(
        run_relay(
            ctx["sessionmaker"],
            listen_url(settings),
            ctx["transport"],
            settings.relay_poll_seconds,
            on_published=metrics.relayed if metrics else None,
            stopping=stopping,
            backoff=backoff_for(settings),
            requeue_after=timedelta(seconds=settings.requeue_after_seconds),
        )
    )
    ctx["watch"] = asyncio.create_task(
        watch_health(settings, ctx["sessionmaker"], redis, health, stopping)
    )
    if metrics is not None:
        ctx["sampler"] = asyncio.create_task(
            sample_backlog(
                metrics,
                ctx["sessionmaker"],
                redis,
                QUEUE_NAME,
                settings.notifier_health_seconds,
                stopping,
            )
        )


async def close_context(ctx: dict[str, Any]) -> None:
    ctx["stopping"].set()
    for name in ("relay", "watch", "sampler"):
        if name not in ctx:
            continue
        ctx[name].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ctx[name]
    await ctx["http"].aclose()
    await ctx["mail"].aclose()
    await ctx["redis"].aclose()
    await ctx["engine"].dispose()


# A stop that takes longer than this is stuck: Kubernetes and compose give 10 s or more before
# SIGKILL, and a worker left running would keep taking jobs no one will see the end of.
STOP_GRACE_SECONDS = 10.0
STUCK_EXIT_STATUS = 70  # EX_SOFTWARE


def _awaiting(task: asyncio.Task[Any]) -> str:
    """Where a task waits, innermost last: what a stuck stop is waiting for."""
    parts: list[str] = []
    awaited: Any = task.get_coro()
    while awaited is not None and len(parts) < 12:
        frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
        if frame is not None:
            parts.append(f"{frame.f_code.co_name}:{frame.f_lineno}")
        awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
    return f"{task.get_name()} [{' > '.join(parts) or '?'}]"


def stop_on_signals(
    stopping: asyncio.Event,
    grace_seconds: float = STOP_GRACE_SECONDS,
    force_exit: Callable[[int], Any] = os._exit,
) -> None:
    """SIGTERM or Ctrl-C asks the notifier to stop. If it has not stopped ``grace_seconds``
    later, the process logs every task still waiting, and where, and exits anyway
    (status 70): the work it held is leased in the database, so the sweep takes it up."""
    loop = asyncio.get_running_loop()

    def stuck() -> None:
        waiting = [_awaiting(t) for t in asyncio.all_tasks(loop) if not t.done()]
        logger.error(
            "notifier: still stopping after %g s; exiting anyway. Waiting: %s",
            grace_seconds,
            "; ".join(waiting) or "nothing",
        )
        force_exit(STUCK_EXIT_STATUS)

    def ask() -> None:
        if not stopping.is_set():
            stopping.set()
            loop.call_later(grace_seconds, stuck)

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, ask)


async def run_notifier(
    settings: Settings,
    stopping: asyncio.Event,
    health: DependencyHealth | None = None,
    metrics: NotifierMetrics | None = None,
) -> None:
    """Run the notifier until ``stopping`` is set, riding out Redis and PostgreSQL outages.

    arq's worker ends at the first Redis error; here it is started again once Redis answers,
    after a back-off, with the same jobs' context. PostgreSQL outages are ridden out by the
    relay and the jobs (their state is in the database, so nothing is lost meanwhile).
    """
    settings.keyring  # noqa: B018  no key, no start: it signs the links in the emails
    ctx = await open_context(settings, health or DependencyHealth(), metrics)
    collector.freeze_start_up()
    backoff = backoff_for(settings)
    failures = 0
    try:
        while not stopping.is_set():
            try:
                await health_check(ctx)  # the heartbeat, and proof that Redis answers
            except Exception as exc:
                if unavailable_dependency(exc) != REDIS:
                    raise
                failures += 1
                delay = backoff.compute(failures)
                log_failure("worker", exc, failures, delay)
                await wait_or_stop(stopping, delay)
                continue
            if failures:
                logger.warning("worker: Redis answers again; taking jobs")
            failures = 0
            lost = await _work_until_stopped_or_lost(ctx, stopping)
            if lost is not None:
                failures = 1
                delay = backoff.compute(failures)
                log_failure("worker", lost, failures, delay)
                await wait_or_stop(stopping, delay)
    finally:
        await close_context(ctx)


async def _work_until_stopped_or_lost(
    ctx: dict[str, Any], stopping: asyncio.Event
) -> Exception | None:
    """Run one arq worker on the shared context until ``stopping`` (None) or Redis is lost
    (the error). Jobs running when Redis goes are left to finish: their state is in the
    database; only storing their result in Redis fails."""
    worker = create_worker(
        WorkerSettings,  # type: ignore[arg-type]
        redis_pool=ctx["redis"],
        ctx=ctx,
        handle_signals=False,
        max_jobs=ctx["settings"].notifier_max_jobs,
    )
    main = asyncio.create_task(worker.main())
    stop = asyncio.create_task(stopping.wait())
    try:
        await asyncio.wait({main, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop.cancel()
    if not main.done():
        # Stopping: as arq does on SIGTERM, running jobs are cancelled.
        await cancel_until_done([main, *worker.tasks.values()])
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.gather(main, *worker.tasks.values(), return_exceptions=True)
    if stopping.is_set() or main.cancelled():
        return None
    error = main.exception()
    if error is None or not isinstance(error, Exception):
        return None
    if unavailable_dependency(error) != REDIS:
        raise error
    return error


async def cancel_until_done(tasks: list[asyncio.Task[Any]], every: float = 0.5) -> None:
    """Cancel ``tasks`` and wait until each has ended, cancelling again every ``every`` seconds
    a task that is still running. A cancellation can be lost: for example Python 3.11's
    ``asyncio.wait_for`` returns the result instead when the future it waits on completes at the
    same moment (arq and redis-py call it), and arq's poll loop then carried on as if never asked.
    On a busy machine 2 of 16 SIGTERMs were ignored that way until the watchdog's exit."""
    pending = {task for task in tasks if not task.done()}
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=every)


def _serialize(value: Any) -> bytes:
    # JSON, not pickle: jobs carry ids only, and a queue must never execute what it reads.
    return json.dumps(value, default=str).encode()


def _deserialize(raw: bytes) -> Any:
    return json.loads(raw)


class WorkerSettings:
    functions = [
        health_check,
        send_notification,
        send_notifications,
        deliver_webhook,
        deliver_webhooks,
        # arq's five minutes would end a big import; a stopped one is taken up again anyway.
        func(run_import, timeout=IMPORT_TIMEOUT_SECONDS),
        sweep,
        prune,
        poll_source_feeds,
    ]
    cron_jobs = [
        cron(health_check, second=0, run_at_startup=False),
        cron(sweep, second=30, run_at_startup=True),
        # Once a day, at a quiet hour (UTC); arq runs a cron job once however many workers.
        cron(prune, hour=3, minute=17, second=0, run_at_startup=False),
        # NCT 3.2: statutory sources' feeds, daily (each entry is recorded once).
        cron(poll_source_feeds, hour=5, minute=43, second=0, run_at_startup=False),
    ]
    job_serializer = staticmethod(_serialize)
    job_deserializer = staticmethod(_deserialize)
    redis_settings = RedisSettings.from_dsn(get_settings().redis_url)
    queue_name = QUEUE_NAME
    max_jobs = get_settings().notifier_max_jobs
    # arq's default half-second poll was most of the time from commit to inbox.
    poll_delay = 0.1
    # A finished job's id is free again a minute later: retries use new ids anyway.
    keep_result = 60
    max_tries = 5

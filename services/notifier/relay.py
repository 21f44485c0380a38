"""The outbox relay: committed events -> notifications and deliveries -> the queue.

Woken by LISTEN/NOTIFY, backed by polling: a lost NOTIFY costs seconds, never an event.
Batches are taken with FOR UPDATE SKIP LOCKED, so two relays never handle the same event;
a rolled-back transaction never wrote its event, so it emits nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import asyncpg
from redis.backoff import AbstractBackoff, EqualJitterBackoff
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import utcnow
from services.domain.imports import jobs as import_jobs
from services.domain.models.notifications import Notification
from services.domain.models.outbox import OutboxEvent
from services.domain.models.webhooks import WebhookDelivery
from services.domain.notifications.sending import Row, due_for_sending, give_back
from services.domain.notifications.service import Created, fan_out_all
from services.domain.outbox.service import NOTIFY_CHANNEL
from services.notifier.health import log_failure, reason, wait_or_stop
from services.notifier.transport import DELIVER_WEBHOOK, RUN_IMPORT, SEND_NOTIFICATION, Transport

logger = logging.getLogger(__name__)
BATCH = 200
# The outcomes of a batch job for an id it did not take, and for one it gave back.
NOT_TAKEN = "not due or already taken"
GIVEN_BACK = "given back"


async def enqueue_created(transport: Transport, created: Created) -> None:
    """Queue what was just committed; a failure is logged, the sweep re-enqueues it later."""
    try:
        await transport.enqueue_new(SEND_NOTIFICATION, created.notifications)
        await transport.enqueue_new(DELIVER_WEBHOOK, created.deliveries)
        await transport.enqueue_new(RUN_IMPORT, created.imports)
    except Exception as exc:  # the queue being down must not lose what PostgreSQL holds
        logger.warning("could not enqueue (the sweep will): %s", reason(exc))


async def give_back_all(
    sessionmaker: async_sessionmaker[AsyncSession],
    transport: Transport,
    job: str,
    model: type[Row],
    rows: Sequence[Row],
    at: datetime | None,
) -> list[uuid.UUID]:
    """Claims a batch job did not attempt after all: pending again (due at ``at``, or as they
    were), each attempt not counted, and queued again as jobs of one; the ids still ours."""
    async with sessionmaker() as session, session.begin():
        ours = [row for row in rows if await give_back(session, model, row, at)]
    for row in ours:
        try:
            await transport.enqueue(job, row.id, row.attempts - 1, at)
        except Exception as exc:  # the sweep queues every due row again
            logger.warning("%s %s not queued again (the sweep will): %s", job, row.id, exc)
    return [row.id for row in ours]


async def requeue_due(
    sessionmaker: async_sessionmaker[AsyncSession],
    transport: Transport,
    after: timedelta = timedelta(0),
) -> tuple[int, int]:
    """Queue again every notification and delivery due for at least ``after``, and every claim
    whose lease ran out: the queue may have lost them.

    Harmless when it had not: a job id names the row and its attempt, so the queue keeps one.
    Rows the relay queued several to a job are not under those ids, hence ``after``: by then
    such a job has normally run.
    """
    now = utcnow()
    async with sessionmaker() as session:
        notifications = await due_for_sending(session, Notification, now, now - after)
        deliveries = await due_for_sending(session, WebhookDelivery, now, now - after)
        imports = await import_jobs.unfinished(session)
    for notification_id, attempts in notifications:
        await transport.enqueue(SEND_NOTIFICATION, notification_id, attempts, None)
    for delivery_id, attempts in deliveries:
        await transport.enqueue(DELIVER_WEBHOOK, delivery_id, attempts, None)
    for import_id, attempts in imports:
        await transport.enqueue(RUN_IMPORT, import_id, attempts, None)
    return len(notifications), len(deliveries)


async def relay_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    transport: Transport,
    on_published: Callable[[datetime], None] | None = None,
) -> int:
    """Publish one batch of unpublished events; returns how many were published."""
    async with sessionmaker() as session, session.begin():
        events = list(
            (
                await session.execute(
                    select(OutboxEvent)
                    .where(OutboxEvent.published_at.is_(None))
                    .order_by(OutboxEvent.created_at, OutboxEvent.id)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).scalars()
        )
        created = await fan_out_all(session, events)
        for event in events:
            event.published_at = utcnow()
            event.attempts += 1
        stamps = [e.created_at for e in events]
    await enqueue_created(transport, created)
    if on_published:
        for stamp in stamps:
            on_published(stamp)
    return len(events)


async def run_relay(
    sessionmaker: async_sessionmaker[AsyncSession],
    database_url: str | None,
    transport: Transport,
    poll_seconds: float,
    on_published: Callable[[datetime], None] | None = None,
    stopping: asyncio.Event | None = None,
    backoff: AbstractBackoff | None = None,
    requeue_after: timedelta = timedelta(0),
) -> None:
    """Relay until ``stopping`` is set, waking on NOTIFY (LISTEN on ``database_url``; None:
    none) or every ``poll_seconds``.

    A failed round is one log line and a wait that grows while failures last (``backoff``),
    so an outage neither floods the log nor hammers the database coming back.
    """
    stopping = stopping or asyncio.Event()
    backoff = backoff or EqualJitterBackoff(cap=30.0, base=0.5)
    wake = asyncio.Event()
    listener = await _listen(database_url, wake.set)
    last_requeue = 0.0
    failures = 0
    loop = asyncio.get_running_loop()
    try:
        while not stopping.is_set():
            # Cleared before the round, so a NOTIFY that arrives during it wakes the next one.
            wake.clear()
            try:
                while await relay_once(sessionmaker, transport, on_published) == BATCH:
                    pass
                # Put back what the queue lost or a dead sender left, once per poll interval.
                if loop.time() - last_requeue >= poll_seconds:
                    await requeue_due(sessionmaker, transport, requeue_after)
                    last_requeue = loop.time()
            except Exception as exc:
                failures += 1
                delay = backoff.compute(failures)
                log_failure("relay round", exc, failures, delay)
                await wait_or_stop(stopping, delay)
                continue
            recovered, failures = failures > 0, 0
            if recovered:
                logger.warning("relay round succeeded again")
            if (listener is None and recovered) or (listener and listener.is_closed()):
                # The database came back: listen again (polling covers it if that fails).
                listener = await _listen(database_url, wake.set)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=poll_seconds)
    finally:
        if listener is not None and not listener.is_closed():
            with contextlib.suppress(Exception):
                await listener.close(timeout=2)


async def _listen(database_url: str | None, wake: Callable[[], None]) -> asyncpg.Connection | None:
    if database_url is None:
        return None  # PgBouncer in transaction mode, nowhere direct to listen: polling only
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        connection = await asyncpg.connect(dsn, timeout=10)
        await connection.add_listener(NOTIFY_CHANNEL, lambda *_: wake())
        return connection
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        # Polling alone still delivers every event, only later.
        logger.warning("LISTEN unavailable, polling only: %s", reason(exc))
        return None

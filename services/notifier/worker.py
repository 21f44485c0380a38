"""The arq worker: the outbox relay (a background task), the send jobs and the sweeps (cron).

arq is only the transport: PostgreSQL holds the state of every notification and delivery, so
any job can run twice or be lost and the outcome is the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime
from typing import Any

from arq import cron
from arq.connections import RedisSettings

from services.domain.db import make_engine, make_sessionmaker
from services.domain.settings import get_settings
from services.notifier.notifications import send_notification
from services.notifier.receivers import receiver_client
from services.notifier.relay import run_relay
from services.notifier.sweeps import sweep_all, sweep_retention
from services.notifier.transport import ArqTransport
from services.notifier.webhooks import deliver_webhook

HEARTBEAT_KEY = "policygov:notifier:heartbeat"
QUEUE_NAME = "policygov:notifier"


async def health_check(ctx: dict[str, Any]) -> str:
    """No-op job that proves the worker runs: records a heartbeat in Redis."""
    now = datetime.now(UTC).isoformat()
    await ctx["redis"].set(HEARTBEAT_KEY, now, ex=600)
    return now


async def sweep(ctx: dict[str, Any]) -> str:
    """Cron: review reminders and escalations, consultations opened, closed and chased at their
    time, re-queue anything the queue lost, and keep twelve months of meetings generated (each
    a no-op once done)."""
    report = await sweep_all(ctx["sessionmaker"], ctx["settings"], ctx["transport"])
    return f"{report}"


async def prune(ctx: dict[str, Any]) -> str:
    """Cron, daily: delete published events, old finished emails and deliveries, and expired
    idempotency records (the audit log is never pruned)."""
    pruned = await sweep_retention(ctx["sessionmaker"], ctx["settings"])
    return f"{pruned}"


async def startup(ctx: dict[str, Any]) -> None:
    settings = ctx.get("settings") or get_settings()
    engine = make_engine(settings.database_url, pool_size=5, max_overflow=5)
    ctx["settings"] = settings
    ctx["engine"] = engine
    ctx["sessionmaker"] = make_sessionmaker(engine)
    ctx["transport"] = ArqTransport(ctx["redis"])
    ctx["http"] = receiver_client(settings)
    ctx["stopping"] = asyncio.Event()
    ctx["relay"] = asyncio.create_task(
        run_relay(
            ctx["sessionmaker"],
            settings.database_url,
            ctx["transport"],
            settings.relay_poll_seconds,
            stopping=ctx["stopping"],
        )
    )
    await health_check(ctx)


async def shutdown(ctx: dict[str, Any]) -> None:
    ctx["stopping"].set()
    ctx["relay"].cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await ctx["relay"]
    await ctx["http"].aclose()
    await ctx["engine"].dispose()


def _serialize(value: Any) -> bytes:
    # JSON, not pickle: jobs carry ids only, and a queue must never execute what it reads.
    return json.dumps(value, default=str).encode()


def _deserialize(raw: bytes) -> Any:
    return json.loads(raw)


class WorkerSettings:
    functions = [health_check, send_notification, deliver_webhook, sweep, prune]
    cron_jobs = [
        cron(health_check, second=0, run_at_startup=False),
        cron(sweep, second=30, run_at_startup=True),
        # Once a day, at a quiet hour (UTC); arq runs a cron job once however many workers.
        cron(prune, hour=3, minute=17, second=0, run_at_startup=False),
    ]
    on_startup = startup
    on_shutdown = shutdown
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

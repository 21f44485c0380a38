"""The arq worker. In this first version it runs a health job; the notification pipeline
(outbox relay, email, webhooks, sweeps) plugs in here."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from arq import cron
from arq.connections import RedisSettings

from services.domain.settings import get_settings

HEARTBEAT_KEY = "policygov:notifier:heartbeat"


async def health_check(ctx: dict[str, Any]) -> str:
    """No-op job that proves the worker runs: records a heartbeat in Redis."""
    now = datetime.now(UTC).isoformat()
    await ctx["redis"].set(HEARTBEAT_KEY, now, ex=600)
    return now


async def startup(ctx: dict[str, Any]) -> None:
    await health_check(ctx)


def _serialize(value: Any) -> bytes:
    # JSON, not pickle: jobs carry ids only, and a queue must never execute what it reads.
    return json.dumps(value, default=str).encode()


def _deserialize(raw: bytes) -> Any:
    return json.loads(raw)


class WorkerSettings:
    functions = [health_check]
    cron_jobs = [cron(health_check, second=0, run_at_startup=False)]
    on_startup = startup
    job_serializer = staticmethod(_serialize)
    job_deserializer = staticmethod(_deserialize)
    redis_settings = RedisSettings.from_dsn(get_settings().redis_url)
    queue_name = "policygov:notifier"

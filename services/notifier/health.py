"""Outages as the notifier sees them: which errors mean Redis or PostgreSQL is away, how long to
wait before trying again, and the watch that checks both and publishes the notifier's health."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from redis.backoff import EqualJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.exceptions import WatchError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import utcnow
from services.domain.db import is_unavailable
from services.domain.health import NOTIFIER_HEALTH_KEY, DependencyHealth
from services.domain.settings import Settings

logger = logging.getLogger(__name__)
REDIS = "redis"
DATABASE = "database"


def backoff_for(settings: Settings) -> EqualJitterBackoff:
    """Capped exponential back-off with jitter (redis-py's, which works for any dependency)."""
    return EqualJitterBackoff(
        cap=settings.notifier_backoff_cap_seconds, base=settings.notifier_backoff_base_seconds
    )


def unavailable_dependency(exc: BaseException) -> str | None:
    """Which dependency ``exc`` says is away (``redis`` or ``database``), or None for a bug."""
    # Redis first: its connection errors carry the OSError underneath as their cause.
    if isinstance(exc, RedisConnectionError | RedisTimeoutError):
        return REDIS
    # A connection lost while a transaction watched keys (arq's start_jobs) is raised as a
    # WatchError, "retry the transaction", with the connection error as its context.
    if isinstance(exc, WatchError) and isinstance(
        exc.__context__, RedisConnectionError | RedisTimeoutError
    ):
        return REDIS
    if is_unavailable(exc):
        return DATABASE
    return None


def reason(exc: BaseException) -> str:
    """An error as one short line, for logs and for the published health."""
    text_ = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text_}"[:200] if text_ else type(exc).__name__


def log_failure(what: str, exc: Exception, failures: int, delay: float | None) -> None:
    """One line for a dependency that is away; a traceback only for the first of a run of
    unexpected failures (a bug), which repeating every round would not make clearer."""
    dependency = unavailable_dependency(exc)
    then = f"next in {delay:.1f} s" if delay is not None else "the next sweep tries again"
    if dependency is None and failures <= 1:
        logger.exception("%s failed; %s", what, then)
        return
    cause = f"{dependency} unavailable" if dependency else "failed again"
    logger.warning("%s: %s (%s); attempt %d, %s", what, cause, reason(exc), failures, then)


async def wait_or_stop(stopping: asyncio.Event, seconds: float) -> None:
    """Sleep ``seconds``, or less if ``stopping`` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), timeout=seconds)


async def watch_health(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    redis: Redis,
    health: DependencyHealth,
    stopping: asyncio.Event,
) -> None:
    """Check PostgreSQL and Redis every ``notifier_health_seconds`` and publish the health:
    ``degraded`` with what is down and since when, ``ok`` again once both answer."""
    interval = settings.notifier_health_seconds
    while not stopping.is_set():

        async def ping_database() -> None:
            async with sessionmaker() as session:
                await session.execute(text("SELECT 1"))

        for name, probe in ((DATABASE, ping_database), (REDIS, redis.ping)):
            try:
                async with asyncio.timeout(max(interval, 1.0)):
                    await probe()
            except Exception as exc:  # every failure is an answer here
                if health.mark_down(name, reason(exc)):
                    logger.warning("%s unavailable (%s); notifier degraded", name, reason(exc))
            else:
                since = health.mark_up(name)
                if since is not None:
                    gone = (utcnow() - since).total_seconds()
                    logger.warning("%s is back after %.0f s", name, gone)
        await publish(settings.notifier_health_file, redis, health, interval)
        await wait_or_stop(stopping, interval)


async def publish(path: Path, redis: Redis, health: DependencyHealth, interval: float) -> None:
    """Write the health to ``path`` (always) and to Redis (when it answers)."""
    published = health.as_json()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        partial.write_text(published)
        partial.replace(path)  # a reader never sees half a file
    except OSError as exc:
        logger.warning("cannot write %s: %s", path, exc)
    if REDIS not in health.down:
        # Expires unless refreshed, so a notifier that stopped is not reported as fine.
        with contextlib.suppress(Exception):
            await redis.set(NOTIFIER_HEALTH_KEY, published, ex=max(int(interval * 3), 15))


def read_published(path: Path) -> dict[str, Any] | None:
    """The health last written to ``path``, or None if there is none."""
    try:
        loaded: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return loaded

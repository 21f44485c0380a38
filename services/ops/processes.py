"""Running the services: the API, the notifier, both together, and the notifier's one-off
operations."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging.config
import os
import sys
from pathlib import Path

from services.domain.settings import get_settings
from services.logs import logging_config


def serve(host: str | None, port: int | None, workers: int | None) -> None:
    import uvicorn

    settings = get_settings()
    settings.keyring  # noqa: B018  refuse to start, in one line, rather than in uvicorn's traceback
    uvicorn.run(
        "services.api.app:create_app",
        factory=True,
        host=host or settings.api_host,
        port=port or settings.api_port,
        workers=workers or settings.api_workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_config=logging_config(),
    )


def worker() -> None:
    """The notifier, until SIGTERM or Ctrl-C; Redis and PostgreSQL outages do not end it."""
    from services.notifier.worker import run_notifier, stop_on_signals

    logging.config.dictConfig(logging_config())
    get_settings().keyring  # noqa: B018  refuse to start before connecting to anything

    async def work() -> None:
        stopping = asyncio.Event()
        stop_on_signals(stopping)
        await run_notifier(get_settings(), stopping)

    asyncio.run(work())


def notifier_prune() -> int:
    """Run the retention prune once, now, and say how many rows went from each table."""
    from services.domain.db import make_engine, make_sessionmaker
    from services.notifier.sweeps import sweep_retention

    settings = get_settings()

    async def work() -> dict[str, int]:
        engine = make_engine(settings.database_url)
        try:
            return await sweep_retention(make_sessionmaker(engine), settings)
        finally:
            await engine.dispose()

    pruned = asyncio.run(work())
    print("pruned: " + ", ".join(f"{name} {count}" for name, count in pruned.items()))
    return 0


def notifier_sweep() -> int:
    """Run every notifier sweep once, now: review notices, consultations opened, closed and
    chased, re-queue what is due, and generate the next twelve months of meetings."""
    from arq import create_pool
    from arq.connections import RedisSettings

    from services.domain.db import make_engine, make_sessionmaker
    from services.notifier.sweeps import sweep_all
    from services.notifier.transport import ArqTransport
    from services.notifier.worker import QUEUE_NAME, WorkerSettings

    settings = get_settings()

    async def work() -> int:
        engine = make_engine(settings.database_url)
        redis = await create_pool(
            RedisSettings.from_dsn(settings.redis_url),
            job_serializer=WorkerSettings.job_serializer,
            job_deserializer=WorkerSettings.job_deserializer,
            default_queue_name=QUEUE_NAME,
        )
        try:
            report = await sweep_all(make_sessionmaker(engine), settings, ArqTransport(redis))
        finally:
            await redis.aclose()
            await engine.dispose()
        print(
            f"review notices created: {report.review_notices}; queued again: "
            f"{report.requeued_notifications} notifications, "
            f"{report.requeued_deliveries} webhook deliveries; "
            f"meetings generated: {report.meetings_generated}; consultations opened: "
            f"{report.consultations_opened}, closed: {report.consultations_closed}, "
            f"reminders: {report.consultation_reminders}; update cycles closed: "
            f"{report.update_cycles_closed}, reminders: {report.update_cycle_reminders}; "
            f"dis-applications expired: {report.dis_applications_expired}, reminders: "
            f"{report.dis_application_reminders}"
        )
        return 0

    return asyncio.run(work())


def notifier_health() -> int:
    """Print the health the notifier last published to its file: 0 ok, 1 degraded, 2 silent."""
    from datetime import datetime

    from services.domain.db import utcnow
    from services.notifier.health import read_published

    settings = get_settings()
    published = read_published(settings.notifier_health_file)
    if published is None:
        print(f"not reporting: nothing in {settings.notifier_health_file}")
        return 2
    age = (utcnow() - datetime.fromisoformat(published["at"])).total_seconds()
    if age > max(3 * settings.notifier_health_seconds, 15):
        print(f"not reporting: last written {age:.0f} s ago")
        return 2
    print(json.dumps(published))
    return 0 if published["status"] == "ok" else 1


def use_local_secret(path: Path) -> None:
    """Sign with the key in ``path``, made once (random, readable by its owner only) and reused
    after, unless POLICYGOV_SECRET_KEY is set (in the environment or .env): a local install
    needs no manual step."""
    if get_settings().secret_key:
        return
    if not path.exists():
        import secrets

        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two starts at once make one key; 0600 from the start, never world-readable.
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(48) + "\n")
            print(f"policygov run: made a secret key for this install in {path}", file=sys.stderr)
    os.environ["POLICYGOV_SECRET_KEY"] = path.read_text().strip()
    get_settings.cache_clear()


def run_all(local_secret: Path | None = None) -> int:
    """API and notifier together, for local use: a child that dies is started again (the API
    never stops because the notifier did); Ctrl-C (or SIGTERM) stops both."""
    from services.supervisor import supervise

    if local_secret is not None:
        use_local_secret(local_secret)
    get_settings().keyring  # noqa: B018  checked once here, not by children restarted forever
    return supervise(("worker", "serve"))

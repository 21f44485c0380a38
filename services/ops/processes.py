"""Running the services: the API, the notifier, both together, and the notifier's one-off
operations."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging.config
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from services.domain.settings import Settings, get_settings
from services.logs import logging_config


class MetricsPortTaken(Exception):
    """The metrics port is held by another process: a one-line refusal, like a missing key."""

    def __init__(self, host: str, port: int, exc: OSError) -> None:
        super().__init__(f"cannot serve metrics on {host}:{port}: {exc.strerror or exc}")


def serve(host: str | None, port: int | None, workers: int | None) -> None:
    import uvicorn

    settings = get_settings()
    settings.keyring  # noqa: B018  refuse to start, in one line, rather than in uvicorn's traceback
    with _api_metrics(settings):
        uvicorn.run(
            "services.api.app:create_app",
            factory=True,
            host=host or settings.api_host,
            port=port or settings.api_port,
            workers=workers or settings.api_workers,
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            log_config=logging_config(settings.log_format),
            # services/api/request_ids.py writes one line per request instead.
            access_log=False,
        )


@contextlib.contextmanager
def _api_metrics(settings: Settings) -> Iterator[None]:
    """With ``api_metrics_port`` set: the multiprocess directory the workers write to, and the
    server reading it, for as long as the API runs (services/api/metrics_server.py)."""
    if settings.api_metrics_port is None:
        yield
        return
    from services.api.metrics_server import (
        prepare_multiprocess_dir,
        remove_multiprocess_dir,
        serve_metrics,
    )

    path = prepare_multiprocess_dir()
    try:
        try:
            server, _ = serve_metrics(settings.metrics_host, settings.api_metrics_port, path)
        except OSError as exc:
            raise MetricsPortTaken(settings.metrics_host, settings.api_metrics_port, exc) from exc
        try:
            yield
        finally:
            server.shutdown()
    finally:
        remove_multiprocess_dir(path)


def worker() -> None:
    """The notifier, until SIGTERM or Ctrl-C; Redis and PostgreSQL outages do not end it."""
    # One process: its metrics are kept in memory, never in files an API's scrape would read.
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    from services.notifier.metrics import NotifierMetrics
    from services.notifier.worker import run_notifier, stop_on_signals

    logging.config.dictConfig(logging_config(get_settings().log_format))
    settings = get_settings()
    settings.keyring  # noqa: B018  refuse to start before connecting to anything
    metrics = server = None
    if settings.notifier_metrics_port is not None:
        metrics = NotifierMetrics()
        try:
            server = metrics.serve(settings.metrics_host, settings.notifier_metrics_port)
        except OSError as exc:
            raise MetricsPortTaken(
                settings.metrics_host, settings.notifier_metrics_port, exc
            ) from exc

    async def work() -> None:
        stopping = asyncio.Event()
        stop_on_signals(stopping)
        await run_notifier(settings, stopping, metrics=metrics)

    try:
        asyncio.run(work())
    finally:
        if server is not None:
            server.shutdown()


def notifier_prune() -> int:
    """Run the retention prune once, now, and say how many rows went from each table."""
    from services.domain.db import make_sessionmaker
    from services.domain.documents.files import session_info
    from services.notifier.sweeps import sweep_retention
    from services.ops.database import command_engine

    settings = get_settings()

    async def work() -> dict[str, int]:
        engine = command_engine(settings)
        try:
            return await sweep_retention(
                make_sessionmaker(engine, session_info(settings)), settings
            )
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

    from services.domain.db import make_sessionmaker
    from services.domain.documents.files import session_info
    from services.notifier.sweeps import sweep_all
    from services.notifier.transport import ArqTransport
    from services.notifier.worker import QUEUE_NAME, WorkerSettings
    from services.ops.database import command_engine

    settings = get_settings()

    async def work() -> int:
        engine = command_engine(settings)
        redis = await create_pool(
            RedisSettings.from_dsn(settings.redis_url),
            job_serializer=WorkerSettings.job_serializer,
            job_deserializer=WorkerSettings.job_deserializer,
            default_queue_name=QUEUE_NAME,
        )
        try:
            report = await sweep_all(
                make_sessionmaker(engine, session_info(settings)), settings, ArqTransport(redis)
            )
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


def notifier_health(alive: bool = False) -> int:
    """Print the health the notifier last published to its file: 0 ok, 1 degraded, 2 silent.
    ``alive``: 0 for degraded too, since only silence is mended by a restart."""
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
    return 0 if published["status"] == "ok" or alive else 1


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
    _metrics_on_by_default()
    return supervise(("worker", "serve"))


# `policygov run`'s metrics ports unless set: 9464, the port the OpenTelemetry Prometheus
# exporter takes by default, for the API, and the next for the notifier.
DEFAULT_METRICS_PORTS = {
    "POLICYGOV_API_METRICS_PORT": 9464,
    "POLICYGOV_NOTIFIER_METRICS_PORT": 9465,
}


def _metrics_on_by_default() -> None:
    """Turn metrics on for the children (the ports set, or the defaults), and say where; a
    default port another process holds leaves that child's metrics off, rather than leaving
    it restarting for ever."""
    settings = get_settings()
    host = settings.metrics_host
    wanted = (
        ("API", "POLICYGOV_API_METRICS_PORT", settings.api_metrics_port),
        ("notifier", "POLICYGOV_NOTIFIER_METRICS_PORT", settings.notifier_metrics_port),
    )
    said = []
    for what, name, port in wanted:
        if port is None:
            port = DEFAULT_METRICS_PORTS[name]
            if not _is_free(host, port):
                print(
                    f"policygov run: port {port} is taken; {what} metrics off (set {name})",
                    file=sys.stderr,
                )
                continue
            os.environ[name] = str(port)
        said.append(f"{what} http://{host}:{port}/metrics")
    get_settings.cache_clear()
    if said:
        print("policygov run: metrics at " + ", ".join(said), file=sys.stderr, flush=True)


def _is_free(host: str, port: int) -> bool:
    import socket

    with socket.socket() as probe:
        # As the metrics server binds: a port left in TIME_WAIT by a scrape is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True

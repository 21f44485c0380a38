"""The notifier under load: emails per second through SMTP, and commit-to-enqueue latency.

Everything is real: documents are created through the domain functions (each one with an owner
writes a ``document.owner_changed`` event -> one ``document.assigned`` email), a notifier worker
runs as a subprocess (``python -m services.cli worker``: arq, the outbox relay, SmtpBackend),
and an aiosmtpd sink runs as another subprocess (tests/bench/smtp_sink.py).

1. Throughput: N documents are committed first, then a worker is started; the clock runs from
   its start until the sink has every email and every notification row is ``sent``. Each
   Message-ID must arrive exactly once.
2. Latency: with a fresh worker idle, documents are committed one per transaction at a steady
   pace. For each event, the time from its ``created_at`` to the moment the worker's relay
   enqueued its notification job is read from arq's own record of the job (its enqueue time,
   in ms), kept in Redis with the job's result. The worker polls only every 5 s here, so
   anything well below that was woken by LISTEN/NOTIFY. Then a few pairs of back-to-back
   commits, each followed by quiet: a NOTIFY lost while the relay was busy shows as ~5 s.

A separate database (policygov_bench_notifier, dropped and migrated each run) and Redis db 11
(flushed first) keep this apart from the API bench and from anything else on the machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import redis
from sqlalchemy import text

from services.cli import migrate
from services.domain.authz.principal import Principal
from services.domain.db import make_engine, make_sessionmaker
from services.domain.documents.commands import NewDocument
from services.domain.documents.service import create_document
from services.domain.organisations import service as organisations
from services.domain.people import service as people
from services.domain.settings import Settings
from services.domain.webhooks import service as webhooks
from services.domain.webhooks.commands import NewSubscription
from services.notifier.transport import SEND_NOTIFICATION
from services.notifier.worker import HEARTBEAT_KEY
from tests.bench import dataset
from tests.bench.notifier_report import Latency, Report, Stats, Throughput, WebhookThroughput
from tests.bench.servers import free_port
from tests.bench.usage import postgres_seconds_between, postgres_times, process_seconds

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/policygov_bench_notifier"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/11"
OWNERS = 10
CREATE_BATCH = 100  # documents per transaction while preparing the throughput run
# The throughput worker polls often (a short poll also re-queues often: the relay calls
# requeue_due after every round); the latency worker polls at the default 5 s, so that a low
# latency can only come from LISTEN/NOTIFY.
THROUGHPUT_POLL_SECONDS = 0.5
LATENCY_POLL_SECONDS = 5.0


@dataclass
class Config:
    url: str
    redis_url: str
    emails: int
    rate: float  # documents committed per second in the latency run
    seconds: float  # length of the latency run
    out: Path
    bursts: int = 3  # pairs of back-to-back commits after the steady run
    max_jobs: int | None = None  # None: the worker's own default (POLICYGOV_NOTIFIER_MAX_JOBS)


# --- processes -------------------------------------------------------------------------------


class Sink:
    """The SMTP sink subprocess and the receipts it appends to a file."""

    def __init__(self, path: Path, module: str = "tests.bench.smtp_sink") -> None:
        self.path = path
        self.port = free_port()
        path.unlink(missing_ok=True)
        path.touch()
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, str(self.port), str(path)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().decode().strip()
        if line != "ready":
            self.stop()
            raise RuntimeError(f"the SMTP sink did not start: {line!r}")
        self.receipts: list[tuple[float, str]] = []
        self._reader = path.open()
        self._partial = ""

    def poll(self) -> int:
        """Read what arrived since the last call; the number of messages received so far."""
        chunk = self._partial + self._reader.read()
        lines = chunk.split("\n")
        self._partial = lines.pop()
        for line in lines:
            stamp, _, message_id = line.partition(" ")
            self.receipts.append((float(stamp), message_id))
        return len(self.receipts)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if hasattr(self, "_reader"):
            self.poll()
            self._reader.close()


def worker_env(url: str, redis_url: str, sink: Sink, poll_seconds: float) -> dict[str, str]:
    """A worker's environment: this database and Redis, plain SMTP to ``sink``."""
    return {
        **os.environ,
        "POLICYGOV_DATABASE_URL": url,
        "POLICYGOV_REDIS_URL": redis_url,
        "POLICYGOV_SECRET_KEY": "bench-secret-key",
        "POLICYGOV_MAIL_BACKEND": "smtp",
        "POLICYGOV_SMTP_HOST": "127.0.0.1",
        "POLICYGOV_SMTP_PORT": str(sink.port),
        "POLICYGOV_SMTP_STARTTLS": "false",
        "POLICYGOV_SMTP_IMPLICIT_TLS": "false",
        "POLICYGOV_SMTP_TIMEOUT_SECONDS": "10",
        "POLICYGOV_RELAY_POLL_SECONDS": str(poll_seconds),
    }


def start_worker(
    config: Config,
    sink: Sink,
    poll_seconds: float,
    log: Path,
    env_extra: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    env = {**worker_env(config.url, config.redis_url, sink, poll_seconds), **(env_extra or {})}
    if config.max_jobs is not None:
        env["POLICYGOV_NOTIFIER_MAX_JOBS"] = str(config.max_jobs)
    with log.open("ab") as out:
        out.write(f"\n===== worker started {datetime.now().isoformat()}\n".encode())
        out.flush()
        return subprocess.Popen(
            [sys.executable, "-m", "services.cli", "worker"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def log_tail(log: Path, lines: int = 25) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- data ------------------------------------------------------------------------------------


@dataclass
class Organisation:
    id: uuid.UUID
    principal: Principal
    owners: list[uuid.UUID]


async def prepare_database(config: Config) -> Organisation:
    await dataset.drop_database(config.url)  # refuses a name without "bench" in it
    await asyncio.to_thread(migrate, config.url)
    engine = make_engine(config.url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            org = await organisations.create_organisation(
                session, slug="bench-notifier", name="Bench Notifier Trust"
            )
            officer = await people.create_person(
                session,
                None,
                organisation_id=org.id,
                name="Petra Policy",
                email="petra.policy@bench-notifier.example.org",
                job_title="Policy and Procedures Officer",
                roles=["policy_officer"],
            )
            owners = []
            for number in range(OWNERS):
                person = await people.create_person(
                    session,
                    None,
                    organisation_id=org.id,
                    name=f"{dataset.FIRST_NAMES[number]} {dataset.LAST_NAMES[number]}",
                    email=f"owner.{number}@bench-notifier.example.org",
                    job_title="Head of Service",
                    roles=["approver"],
                )
                owners.append(person.id)
    finally:
        await engine.dispose()
    principal = Principal(
        organisation_id=org.id,
        person_id=officer.id,
        roles=frozenset({"policy_officer"}),
        label="Petra Policy (bench)",
    )
    return Organisation(org.id, principal, owners)


def document_fields(org: Organisation, prefix: str, number: int) -> dict[str, Any]:
    return {
        "reference": f"{prefix}-{number:05d}",
        "title": f"Safeguarding adults procedure {number}",
        "summary": "How staff raise and record a safeguarding concern.",
        "kind": "policy",
        "service_area": "Adult Social Care",
        "owner_id": org.owners[number % len(org.owners)],
    }


def flush_redis(url: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


async def wait_for_heartbeat(
    client: redis.Redis, worker: subprocess.Popen[bytes], log: Path, limit_s: float = 60
) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited with {worker.returncode}:\n{log_tail(log)}")
        if client.exists(HEARTBEAT_KEY):
            return time.perf_counter() - started
        await asyncio.sleep(0.02)
    raise RuntimeError(f"the worker did not start within {limit_s:.0f} s:\n{log_tail(log)}")


# --- 1. throughput ---------------------------------------------------------------------------


async def throughput(config: Config, org: Organisation, conn: asyncpg.Connection) -> Throughput:
    engine = make_engine(config.url)
    started = time.perf_counter()
    try:
        sessionmaker = make_sessionmaker(engine)
        for first in range(0, config.emails, CREATE_BATCH):
            async with sessionmaker() as session, session.begin():
                for number in range(first, min(first + CREATE_BATCH, config.emails)):
                    await create_document(
                        session, org.principal, NewDocument.of(document_fields(org, "NTF", number))
                    )
    finally:
        await engine.dispose()
    created_s = time.perf_counter() - started
    print(
        f"  {config.emails:,} documents with an owner committed through create_document in "
        f"{created_s:.1f} s ({config.emails / created_s:,.0f}/s, {CREATE_BATCH} a transaction)",
        flush=True,
    )

    client = redis.Redis.from_url(config.redis_url)
    sink = Sink(config.out / "notifier-sink-throughput.txt")
    log = config.out / "notifier-worker.log"
    timeout = max(120.0, config.emails / 5)
    worker = None
    try:
        pg_before = postgres_times()
        sink_before = process_seconds(sink.process.pid)
        started = time.perf_counter()
        worker = start_worker(config, sink, THROUGHPUT_POLL_SECONDS, log)
        ready_s = await wait_for_heartbeat(client, worker, log)
        received = sent = 0
        done_at = None
        last_check = 0.0
        while time.perf_counter() - started < timeout:
            received = sink.poll()
            now = time.perf_counter()
            if received >= config.emails and now - last_check > 0.1:
                last_check = now
                sent = await conn.fetchval(
                    "SELECT count(*) FROM notifications WHERE status = 'sent'"
                )
                if sent >= config.emails:
                    done_at = time.perf_counter()
                    break
            if worker.poll() is not None:
                raise RuntimeError(f"the worker exited with {worker.returncode}:\n{log_tail(log)}")
            await asyncio.sleep(0.02)
        end = done_at or time.perf_counter()
        wall = end - started
        worker_cpu = process_seconds(worker.pid)
        pg_cpu = postgres_seconds_between(pg_before, postgres_times())
        sink_cpu = process_seconds(sink.process.pid) - sink_before
    finally:
        if worker is not None:
            stop_process(worker)
        sink.stop()
        client.close()

    ids = Counter(message_id for _, message_id in sink.receipts)
    expected = {f"<{r['id']}@policygov>" for r in await conn.fetch("SELECT id FROM notifications")}
    statuses = {
        r["status"]: r["n"]
        for r in await conn.fetch("SELECT status, count(*) AS n FROM notifications GROUP BY status")
    }
    retried = await conn.fetchval("SELECT count(*) FROM notifications WHERE attempts > 1")
    stamps = sorted(stamp for stamp, _ in sink.receipts)
    # The sink's stamps are wall-clock; the start is converted with the offset measured now.
    offset = time.time() - time.perf_counter()
    first_email_s = stamps[0] - (started + offset) if stamps else float("nan")
    first_to_last = stamps[-1] - stamps[0] if len(stamps) > 1 else float("nan")
    return Throughput(
        emails=config.emails,
        documents_created_s=round(created_s, 2),
        seconds=round(wall, 3),
        emails_per_s=round(len(ids) / wall, 1),
        worker_ready_s=round(ready_s, 3),
        first_email_s=round(first_email_s, 3),
        first_to_last_s=round(first_to_last, 3),
        emails_per_s_first_to_last=round((len(stamps) - 1) / first_to_last, 1)
        if len(stamps) > 1
        else 0.0,
        received=len(sink.receipts),
        distinct_message_ids=len(ids),
        duplicates=sum(n - 1 for n in ids.values() if n > 1),
        missing=len(expected - ids.keys()) + max(0, config.emails - len(expected)),
        unexpected=len(ids.keys() - expected),
        not_sent={k: v for k, v in statuses.items() if k != "sent"},
        attempts_over_one=retried,
        poll_seconds=THROUGHPUT_POLL_SECONDS,
        max_jobs=config.max_jobs or Settings().notifier_max_jobs,
        worker_cpu=round(100 * worker_cpu / wall, 1),
        postgres_cpu=round(100 * pg_cpu / wall, 1),
        sink_cpu=round(100 * sink_cpu / wall, 1),
        timed_out=done_at is None,
    )


# --- 1b. webhook throughput -----------------------------------------------------------------


async def webhook_throughput(
    config: Config, org: Organisation, conn: asyncpg.Connection
) -> WebhookThroughput:
    """``config.emails`` document.created events to one subscription on a local receiver:
    deliveries a second from the worker's start until every one arrived and is recorded."""
    hook_sink = Sink(config.out / "notifier-webhook-receipts.txt", "tests.bench.webhook_sink")
    mail_sink = Sink(config.out / "notifier-sink-webhooks.txt")
    allowed = Settings(secret_key="bench-secret-key", webhook_allowed_hosts=["127.0.0.1"])
    engine = make_engine(config.url)
    try:
        sessionmaker = make_sessionmaker(engine)
        system = Principal.system(org.id, "bench")
        async with sessionmaker() as session, session.begin():
            await webhooks.create_subscription(
                session,
                system,
                allowed,
                NewSubscription(
                    url=f"http://127.0.0.1:{hook_sink.port}/hook",
                    event_types=["document.created"],
                ),
            )
        for first in range(0, config.emails, CREATE_BATCH):
            async with sessionmaker() as session, session.begin():
                for number in range(first, min(first + CREATE_BATCH, config.emails)):
                    fields = {**document_fields(org, "WHK", number), "owner_id": None}
                    await create_document(session, org.principal, NewDocument.of(fields))
    finally:
        await engine.dispose()

    client = redis.Redis.from_url(config.redis_url)
    log = config.out / "notifier-worker.log"
    timeout = max(120.0, config.emails / 5)
    worker = None
    try:
        started = time.perf_counter()
        env_extra = {"POLICYGOV_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"}
        worker = start_worker(config, mail_sink, THROUGHPUT_POLL_SECONDS, log, env_extra)
        await wait_for_heartbeat(client, worker, log)
        done_at = None
        while time.perf_counter() - started < timeout:
            if hook_sink.poll() >= config.emails:
                delivered = await conn.fetchval(
                    "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'"
                )
                if delivered >= config.emails:
                    done_at = time.perf_counter()
                    break
            if worker.poll() is not None:
                raise RuntimeError(f"the worker exited with {worker.returncode}:\n{log_tail(log)}")
            await asyncio.sleep(0.02)
        wall = (done_at or time.perf_counter()) - started
        worker_cpu = process_seconds(worker.pid)
    finally:
        if worker is not None:
            stop_process(worker)
        hook_sink.stop()
        mail_sink.stop()
        client.close()
    ids = Counter(webhook_id for _, webhook_id in hook_sink.receipts)
    expected = {f"msg_{r['id'].hex}" for r in await conn.fetch("SELECT id FROM webhook_deliveries")}
    return WebhookThroughput(
        deliveries=config.emails,
        seconds=round(wall, 3),
        deliveries_per_s=round(len(ids) / wall, 1),
        received=len(hook_sink.receipts),
        duplicates=sum(n - 1 for n in ids.values() if n > 1),
        missing=len(expected - ids.keys()) + max(0, config.emails - len(expected)),
        worker_cpu=round(100 * worker_cpu / wall, 1),
        timed_out=done_at is None,
    )


# --- 2. latency ------------------------------------------------------------------------------


async def wait_delivered(
    conn: asyncpg.Connection, sink: Sink, documents: list[uuid.UUID], limit_s: float = 60
) -> None:
    """Until every document's notification is sent and at the sink (or the time is up)."""
    deadline = time.perf_counter() + limit_s
    while time.perf_counter() < deadline:
        sent = await conn.fetchval(
            "SELECT count(*) FROM notifications WHERE status = 'sent' AND document_id = "
            "ANY($1::uuid[])",
            documents,
        )
        if sent >= len(documents) and sink.poll() >= len(documents):
            return
        await asyncio.sleep(0.05)


async def latency(
    config: Config, org: Organisation, conn: asyncpg.Connection, bursts: int
) -> Latency:
    client = redis.Redis.from_url(config.redis_url)
    client.delete(HEARTBEAT_KEY)
    sink = Sink(config.out / "notifier-sink-latency.txt")
    log = config.out / "notifier-worker.log"
    engine = make_engine(config.url, pool_size=1, max_overflow=0)
    sessionmaker = make_sessionmaker(engine)
    count = max(1, round(config.rate * config.seconds))
    commits: dict[uuid.UUID, float] = {}  # document id -> wall clock when COMMIT returned
    burst_documents: set[uuid.UUID] = set()

    async def commit(number: int) -> uuid.UUID:
        async with sessionmaker() as session:
            async with session.begin():
                document = await create_document(
                    session, org.principal, NewDocument.of(document_fields(org, "LAT", number))
                )
            commits[document.id] = time.time()
        return document.id

    worker = None
    try:
        worker = start_worker(config, sink, LATENCY_POLL_SECONDS, log)
        await wait_for_heartbeat(client, worker, log)
        # The relay task LISTENs right after the startup hook; give it, and the startup
        # sweep, a moment so the first documents do not measure the worker's start.
        await asyncio.sleep(2.0)
        async with sessionmaker() as session:  # warm the pool and the statement cache
            await session.execute(text("SELECT 1"))
        print(
            f"  latency: {count} documents one per transaction at {config.rate:g}/s "
            f"({config.seconds:g} s), then {bursts} pair(s) of back-to-back commits "
            f"{LATENCY_POLL_SECONDS + 0.7:g} s apart; the worker polls every "
            f"{LATENCY_POLL_SECONDS:g} s",
            flush=True,
        )
        pg_before = postgres_times()
        worker_before = process_seconds(worker.pid)
        own_before = time.process_time()
        t0 = time.perf_counter()
        for number in range(count):
            delay = t0 + number / config.rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            await commit(number)
        # The window ends once the last email is at the sink.
        await wait_delivered(conn, sink, list(commits))
        wall = time.perf_counter() - t0
        worker_cpu = process_seconds(worker.pid) - worker_before
        pg_cpu = postgres_seconds_between(pg_before, postgres_times())
        own_cpu = time.process_time() - own_before
        # Two commits in a row, then quiet for longer than the poll interval: the second
        # NOTIFY may arrive while the relay handles the first. Only NOTIFY or the poll can
        # then pick it up, so this shows whether a wake-up is ever lost.
        for burst in range(bursts):
            await asyncio.sleep(LATENCY_POLL_SECONDS + 0.7 if burst else 0.5)
            burst_documents.add(await commit(count + 2 * burst))
            burst_documents.add(await commit(count + 2 * burst + 1))
        if bursts:
            await asyncio.sleep(LATENCY_POLL_SECONDS + 0.7)
            await wait_delivered(conn, sink, list(commits))
        rows = await conn.fetch(
            """SELECT n.id, n.document_id, e.created_at, e.published_at
               FROM notifications n JOIN outbox_events e ON e.id = n.event_id
               WHERE n.document_id = ANY($1::uuid[])""",
            list(commits),
        )
        # arq keeps each finished job's record (with its enqueue, start and finish times in ms)
        # for keep_result = 60 s under this key; attempt 0 is the job the relay enqueued.
        keys = [f"arq:result:{SEND_NOTIFICATION}:{row['id']}:0" for row in rows]
        found: Any = client.mget(keys) if keys else []
        jobs = {row["id"]: json.loads(raw) for row, raw in zip(rows, found, strict=True) if raw}
    finally:
        if worker is not None:
            stop_process(worker)
        sink.stop()
        client.close()
        await engine.dispose()

    received = Counter(message_id for _, message_id in sink.receipts)
    arrival = {message_id: stamp for stamp, message_id in sink.receipts}
    series: dict[str, list[float]] = {
        k: []
        for k in (
            "created_to_enqueue",
            "created_to_commit",
            "commit_to_enqueue",
            "created_to_published",
            "enqueue_to_start",
            "job",
            "created_to_email",
            "burst",
        )
    }
    for row in rows:
        created = row["created_at"].timestamp()
        committed = commits[row["document_id"]]
        job = jobs.get(row["id"])
        if row["document_id"] in burst_documents:
            if job is not None:
                series["burst"].append(job["et"] - 1000 * created)
            continue
        series["created_to_commit"].append(1000 * (committed - created))
        if row["published_at"] is not None:
            series["created_to_published"].append(
                1000 * (row["published_at"].timestamp() - created)
            )
        if job is not None:
            enqueued = job["et"] / 1000
            series["created_to_enqueue"].append(1000 * (enqueued - created))
            series["commit_to_enqueue"].append(1000 * (enqueued - committed))
            series["enqueue_to_start"].append(job["st"] - job["et"])
            series["job"].append(job["ft"] - job["st"])
        stamp = arrival.get(f"<{row['id']}@policygov>")
        if stamp is not None:
            series["created_to_email"].append(1000 * (stamp - created))
    expected = {f"<{row['id']}@policygov>" for row in rows}
    poll_ms = 1000 * LATENCY_POLL_SECONDS
    return Latency(
        documents=count,
        rate_per_s=config.rate,
        seconds=config.seconds,
        poll_seconds=LATENCY_POLL_SECONDS,
        events_measured=len(series["created_to_enqueue"]),
        missing_job_records=len(commits) - len(series["created_to_enqueue"]) - len(series["burst"]),
        over_poll_interval=sum(1 for v in series["created_to_enqueue"] if v >= poll_ms),
        after_next_commit=sum(1 for v in series["created_to_enqueue"] if v >= 1000 / config.rate),
        created_to_enqueue_ms=Stats.of(series["created_to_enqueue"]),
        created_to_commit_ms=Stats.of(series["created_to_commit"]),
        commit_to_enqueue_ms=Stats.of(series["commit_to_enqueue"]),
        created_to_published_ms=Stats.of(series["created_to_published"]),
        enqueue_to_start_ms=Stats.of(series["enqueue_to_start"]),
        job_ms=Stats.of(series["job"]),
        created_to_email_ms=Stats.of(series["created_to_email"]),
        bursts=bursts,
        burst_created_to_enqueue_ms=sorted(round(v, 1) for v in series["burst"]),
        burst_waited_for_poll=sum(1 for v in series["burst"] if v >= 0.9 * poll_ms),
        samples_ms=sorted(round(v, 1) for v in series["created_to_enqueue"]),
        worker_cpu=round(100 * worker_cpu / wall, 1),
        postgres_cpu=round(100 * pg_cpu / wall, 1),
        committer_cpu=round(100 * own_cpu / wall, 1),
        undelivered=len(expected - received.keys()) + max(0, len(commits) - len(expected)),
        duplicates=sum(n - 1 for n in received.values() if n > 1),
    )


# --- the whole part --------------------------------------------------------------------------


async def run_async(config: Config) -> Report:
    report = Report(
        cpu_count=os.cpu_count(),
        database=config.url.rsplit("/", 1)[-1],
        redis=config.redis_url.rsplit("/", 1)[-1],
    )
    print(
        f"\nNotifier: database {report.database} (dropped and migrated), Redis db {report.redis} "
        "(flushed), SMTP sink and worker as subprocesses",
        flush=True,
    )
    org = await prepare_database(config)
    flush_redis(config.redis_url)
    conn = await asyncpg.connect(dataset.dsn(config.url))
    try:
        print(f"  throughput: {config.emails:,} emails", flush=True)
        report.throughput = await throughput(config, org, conn)
        report.latency = await latency(config, org, conn, config.bursts)
        print(f"  webhooks: {config.emails:,} deliveries", flush=True)
        report.webhooks = await webhook_throughput(config, org, conn)
    finally:
        await conn.close()
    return report


def run(config: Config) -> Report:
    config.out.mkdir(parents=True, exist_ok=True)
    (config.out / "notifier-worker.log").unlink(missing_ok=True)
    return asyncio.run(run_async(config))

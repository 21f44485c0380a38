"""The fault run: real processes, real faults, then a count of what arrived.

    python -m tests.faults.run [--events 20] [--outage 15] [--phase-timeout 60]
                               [--quiet-timeout 600]
    make faults

Starts the API (uvicorn) and notifier workers (``python -m services.cli worker``, as
``policygov worker``) against their own database (``FAULTS_DATABASE_URL``, default
``policygov_faults``, dropped and migrated each run) and a private ``redis-server`` on a free port
(db ``FAULTS_REDIS_DB``, default 12), so that Redis can be stopped without touching anyone
else's. An SMTP sink (tests/faults/smtp_sink.py) and four webhook receivers (tests/
webhook_receiver.py) stand in for the outside world. Then, phase by phase, documents are created
through the API, each owned by someone whose email is sent, and each event is delivered to
four subscribers:

- standing faults, in every phase: an owner whose server answers 451 once (then accepts),
  one whose server answers 550 (must fail, once); a receiver answering 500 once per message
  (then 200), one answering 410 Gone (disables its subscription), one answering a redirect
  (never followed: fails);
1. baseline: one worker;
2. SIGKILL mid-send: the sink holds a message at RCPT and the worker is killed meanwhile,
   then started again;
3. two workers at once;
4. Redis stopped for ``--outage`` seconds while events keep being produced, then started
   again (empty: whatever the queue held is gone). A worker that dies meanwhile is reported,
   and started again so that the count still means something.

Each phase waits up to ``--phase-timeout`` for the queue to drain, then moves on. At the end
it waits for quiescence (nothing pending or sending, the outbox published) or
``--quiet-timeout``: a webhook whose first answer was a 500 after a lapsed claim is next tried
5 minutes later (the Svix schedule), and an arq job a killed worker had taken waits for arq's
job timeout (300 s) before another worker runs it, so a full run takes about ten minutes. Then
it prints one table: events produced, emails and webhooks expected, delivered,
duplicated (the same email, or the same event to the same subscriber, arriving twice) and lost,
with the verdict. Logs and receipts are kept in var/faults/. Not part of pytest: it takes
minutes and owns processes.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from services.cli import migrate
from services.domain.access import service as access
from services.domain.db import make_engine, make_sessionmaker
from services.domain.organisations import service as organisations
from services.domain.people import service as people
from tests.bench.dataset import dsn
from tests.bench.notifier import Sink, log_tail, stop_process, worker_env
from tests.bench.servers import Server, start_uvicorn
from tests.factories import document_body
from tests.faults.outages import RedisServer
from tests.webhook_receiver import Received, Receiver, Reply, running

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "var" / "faults"
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/policygov_faults"
DEFAULT_REDIS_DB = 12
DOMAIN = "faults.example.org"
# The owners, by the fault their mail server plays (tests/faults/smtp_sink.py).
OWNERS = ("ok.1", "ok.2", "flaky.1", "refused.1")
SLOW_OWNER = "slow.1"
RECEIVERS = ("ok", "flaky", "gone", "redirect")
DONE_EMAIL = ("sent", "failed", "cancelled")
DONE_DELIVERY = ("delivered", "failed", "cancelled")


@dataclass
class Config:
    url: str
    redis_db: int
    events: int
    outage_seconds: float
    phase_timeout: float
    quiet_timeout: float


@dataclass
class Notes:
    """What happened, in order, for the report."""

    lines: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def add(self, text: str) -> None:
        line = f"{time.monotonic() - self.started:6.1f} s  {text}"
        self.lines.append(line)
        print(line, flush=True)


# --- the outside world -----------------------------------------------------------------------


class Subscribers(Receiver):
    """Four receivers on one server, one per path: /ok, /flaky (500 to the first attempt of
    each message), /gone (410) and /redirect (302). Every POST is verified with its path's
    secret and recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[str, str] = {}
        self.seen_ids: set[str] = set()
        self.accepted: list[Received] = []
        self.arrived_at: list[float] = []  # beside accepted, one for each
        self.disconnects = 0

    async def _endpoint(self, request: Request) -> Response:
        # Requests arrive concurrently: nothing here may lean on state shared between them
        # (the base class scripts one secret and one queue of replies for all).
        path = request.url.path.strip("/")
        try:
            body = await request.body()
        except ClientDisconnect:  # the sender was killed mid-send: nothing arrived
            self.disconnects += 1
            return Response(status_code=400)
        headers = dict(request.headers)
        entry = Received(request.url.path, headers, body)
        try:
            entry.verified = Webhook(self.secrets[path]).verify(body, headers)
        except (KeyError, WebhookVerificationError) as exc:
            entry.verified = exc
        self.received.append(entry)
        reply = self._reply_for(path, headers.get("webhook-id", ""))
        if reply.status < 300:
            if isinstance(entry.verified, Exception):
                return Response(status_code=401)
            self.accepted.append(entry)
            self.arrived_at.append(time.monotonic())
        return Response(reply.body, status_code=reply.status, headers=reply.headers)

    def _reply_for(self, path: str, webhook_id: str) -> Reply:
        if path == "gone":
            return Reply(410)
        if path == "redirect":
            return Reply(302, headers={"location": "https://elsewhere.example.org/hook"})
        if path == "flaky" and webhook_id not in self.seen_ids:
            self.seen_ids.add(webhook_id)
            return Reply(500, body=b"not now")
        return Reply(200)


class SmtpSink(Sink):
    """tests/faults/smtp_sink.py as a subprocess (the bench's sink, with faults), read whole."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, "tests.faults.smtp_sink")

    def poll(self) -> int:
        return len(self.received())

    def lines(self) -> list[str]:
        return self.path.read_text().splitlines()

    def holds(self) -> int:
        return sum(1 for line in self.lines() if line.startswith("HOLD "))

    def received(self) -> Counter[str]:
        """Message-ID -> how many times it was accepted."""
        return Counter(line.split()[1] for line in self.lines() if not line.startswith("HOLD "))


class Workers:
    """Notifier workers (``python -m services.cli worker``), by name."""

    def __init__(self, env: dict[str, str], notes: Notes) -> None:
        self.env = env
        self.notes = notes
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.deaths: list[str] = []
        self.kill_times: list[float] = []

    def start(self, name: str) -> None:
        log = OUT / f"worker-{name}.log"
        with log.open("ab") as out:
            out.write(f"\n===== started {time.strftime('%H:%M:%S')}\n".encode())
            self.running[name] = subprocess.Popen(
                [sys.executable, "-m", "services.cli", "worker"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.notes.add(f"worker {name} started (pid {self.running[name].pid})")

    def kill(self, name: str) -> None:
        process = self.running.pop(name)
        self.kill_times.append(time.monotonic())
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        self.notes.add(f"worker {name} killed with SIGKILL")

    def restart_the_dead(self, during: str) -> None:
        """A worker that exited on its own is a finding: noted, then started again."""
        for name, process in list(self.running.items()):
            if process.poll() is not None:
                self.deaths.append(f"worker {name} exited ({process.returncode}) {during}")
                self.notes.add(f"worker {name} EXITED with {process.returncode} {during}")
                tail = log_tail(OUT / f"worker-{name}.log", 3).replace("\n", " | ")
                self.notes.add(f"  its log ends: {tail[-300:]}")
                del self.running[name]
                self.start(name)

    def stop_all(self) -> None:
        for process in self.running.values():
            stop_process(process)
        self.running.clear()


# --- the data --------------------------------------------------------------------------------


async def prepare_database(url: str) -> dict[str, Any]:
    """A fresh database with one organisation, its owners, and API keys for the run."""
    name = make_url(url).database
    if not name or "faults" not in name:
        raise SystemExit(f"refusing to drop {name!r}: the fault run only rebuilds a *faults* db")
    conn = await asyncpg.connect(dsn(url, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
    await asyncio.to_thread(migrate, url)
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            org = await organisations.create_organisation(
                session, slug="faults", name="Fault Run Trust"
            )
            officer = await people.create_person(
                session, None, organisation_id=org.id, name="Petra Policy",
                email=f"petra@{DOMAIN}", roles=["policy_officer"],
            )  # fmt: skip
            owners = {}
            for local in (*OWNERS, SLOW_OWNER):
                person = await people.create_person(
                    session, None, organisation_id=org.id, name=f"Owner {local}",
                    email=f"{local}@{DOMAIN}", roles=["approver"],
                )  # fmt: skip
                owners[local] = person.id
            keys = {}
            for role, person_id in (("policy_officer", officer.id), ("admin", None)):
                issued = await access.create_api_key(
                    session, None, organisation_id=org.id, role=role, name=f"fault run {role}",
                    person_id=person_id,
                )  # fmt: skip
                keys[role] = issued.secret
    finally:
        await engine.dispose()
    return {"owners": owners, "keys": keys}


@dataclass
class Producer:
    api: httpx.AsyncClient
    headers: dict[str, str]
    owners: dict[str, uuid.UUID]
    notes: Notes
    made: int = 0
    refused: Counter[str] = field(default_factory=Counter)

    async def documents(self, count: int, owner_names: tuple[str, ...] = OWNERS) -> None:
        """``count`` documents, each with an owner (an email) and its events (webhooks)."""
        for number in range(count):
            owner = self.owners[owner_names[number % len(owner_names)]]
            body = document_body(
                reference=f"FLT-{self.made + sum(self.refused.values()) + 1:05d}",
                owner_id=str(owner),
            )
            try:
                response = await self.api.post("/v1/documents", json=body, headers=self.headers)
            except httpx.HTTPError as exc:
                self.refused[type(exc).__name__] += 1
                continue
            if response.status_code == 201:
                self.made += 1
            else:
                self.refused[str(response.status_code)] += 1


async def subscribe(
    api: httpx.AsyncClient, admin: dict[str, str], hooks: Subscribers
) -> dict[str, str]:
    """One subscription to every event per receiver path; {subscription id: path}."""
    ids = {}
    for path in RECEIVERS:
        response = await api.post(
            "/v1/webhooks", json={"url": hooks.url(f"/{path}")}, headers=admin
        )
        response.raise_for_status()
        created = response.json()
        hooks.secrets[path] = created["secret"]
        ids[created["id"]] = path
    return ids


# --- waiting ---------------------------------------------------------------------------------


async def outstanding(conn: asyncpg.Connection) -> tuple[int, int, int]:
    """(emails, deliveries, outbox events) not finished yet."""
    emails = await conn.fetchval(
        "SELECT count(*) FROM notifications WHERE status IN ('pending', 'sending')"
    )
    deliveries = await conn.fetchval(
        "SELECT count(*) FROM webhook_deliveries WHERE status IN ('pending', 'sending')"
    )
    events = await conn.fetchval("SELECT count(*) FROM outbox_events WHERE published_at IS NULL")
    return int(emails), int(deliveries), int(events)


async def settle(
    conn: asyncpg.Connection, workers: Workers, notes: Notes, seconds: float, during: str
) -> bool:
    """Wait until nothing is outstanding (twice in a row) or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    quiet = 0
    left = (0, 0, 0)
    while time.monotonic() < deadline:
        workers.restart_the_dead(during)
        left = await outstanding(conn)
        quiet = quiet + 1 if left == (0, 0, 0) else 0
        if quiet >= 2:
            return True
        await asyncio.sleep(1)
    notes.add(f"not quiet after {seconds:.0f} s {during}: (emails, webhooks, events) = {left}")
    return False


async def wait_for(predicate: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.1)
    return False


# --- the run ---------------------------------------------------------------------------------


@dataclass
class Row:
    what: str
    expected: int
    delivered: int
    duplicated: int
    lost: int
    refused_as_meant: str
    # Of the duplicated, how many came again under the same id (Message-ID, webhook-id): an
    # at-least-once re-send a receiver can drop; the rest came under a new id, which it cannot.
    same_id: int = 0
    # Of those, how many first arrived before a SIGKILL and again after it: the killed sender
    # had its 200 but died before recording it, the one window at-least-once cannot close.
    # Anything else duplicated is a finding.
    across_a_kill: int = 0


def tally(
    what: str,
    wanted: set[Any],
    arrived: Counter[Any],
    ids_of: dict[Any, set[str]],
    refused: str,
    arrivals: dict[Any, list[float]] | None = None,
    kills: list[float] | None = None,
) -> Row:
    """One line of the table: what should have arrived against what did (each counted once)."""
    twice = [k for k in wanted if arrived[k] > 1]
    same_id = [k for k in twice if len(ids_of[k]) == 1]

    def across_a_kill(k: Any) -> bool:
        times = sorted((arrivals or {}).get(k, []))
        return len(times) == 2 and any(times[0] < kill < times[1] for kill in kills or [])

    return Row(
        what,
        expected=len(wanted),
        delivered=len(wanted & set(arrived)),
        duplicated=len(twice),
        lost=len(wanted - set(arrived)),
        refused_as_meant=refused,
        same_id=len(same_id),
        across_a_kill=sum(1 for k in same_id if across_a_kill(k)),
    )


async def count(
    conn: asyncpg.Connection,
    sink: SmtpSink,
    hooks: Subscribers,
    paths: dict[str, str],
    kills: list[float],
) -> tuple[list[Row], list[str]]:
    problems: list[str] = []
    emails = await conn.fetch("SELECT id, recipient_email, status FROM notifications")
    received = sink.received()
    wanted = {
        f"<{r['id']}@policygov>" for r in emails if not r["recipient_email"].startswith("refused.")
    }
    refused = [r for r in emails if r["recipient_email"].startswith("refused.")]
    wrongly_sent = [r for r in refused if r["status"] != "failed"]
    if wrongly_sent:
        problems.append(f"{len(wrongly_sent)} emails to a 550 mailbox not failed")
    # An email's id is its Message-ID: a duplicate is always the same id again.
    email_row = tally(
        "emails",
        wanted,
        received,
        {m: {m} for m in received},
        f"{len(refused) - len(wrongly_sent)}/{len(refused)} failed on 550",
    )
    stray = set(received) - wanted
    if stray:
        problems.append(f"{len(stray)} emails arrived that no notification asked for")

    deliveries = await conn.fetch(
        "SELECT id, subscription_id, body::text AS body, status FROM webhook_deliveries"
    )

    # An event is its body ({type, timestamp, data}): the same on every attempt and replay.
    def key(path: str, body: bytes | str) -> tuple[str, str]:
        raw = body.encode() if isinstance(body, str) else body
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"))
        return path, hashlib.sha256(canonical.encode()).hexdigest()

    wanted_hooks = {
        key(paths[str(r["subscription_id"])], r["body"])
        for r in deliveries
        if paths[str(r["subscription_id"])] in ("ok", "flaky")
    }
    arrived = Counter(key(r.path.strip("/"), r.body) for r in hooks.accepted)
    ids_of: dict[tuple[str, str], set[str]] = {}
    arrivals: dict[tuple[str, str], list[float]] = {}
    for r, at in zip(hooks.accepted, hooks.arrived_at, strict=True):
        ids_of.setdefault(key(r.path.strip("/"), r.body), set()).add(r.headers["webhook-id"])
        arrivals.setdefault(key(r.path.strip("/"), r.body), []).append(at)
    unverified = [r for r in hooks.accepted if isinstance(r.verified, Exception)]
    if unverified:
        problems.append(f"{len(unverified)} webhooks accepted without a valid signature")
    meant_to_fail = [
        r for r in deliveries if paths[str(r["subscription_id"])] in ("gone", "redirect")
    ]
    failed_right = [r for r in meant_to_fail if r["status"] == "failed"]
    hook_row = tally(
        "webhooks",
        wanted_hooks,
        arrived,
        ids_of,
        f"{len(failed_right)}/{len(meant_to_fail)} failed on 410/redirect",
        arrivals,
        kills,
    )
    return [email_row, hook_row], problems


def table(events: int, rows: list[Row]) -> str:
    head = f"{'':10} {'expected':>9} {'delivered':>10} {'duplicated':>11} {'(same id)':>10}"
    head += f" {'lost':>6}  refused as meant"
    lines = [f"events produced: {events}", head]
    for r in rows:
        lines.append(
            f"{r.what:10} {r.expected:>9} {r.delivered:>10} {r.duplicated:>11} {r.same_id:>10}"
            f" {r.lost:>6}  {r.refused_as_meant}"
        )
    return "\n".join(lines)


async def run(config: Config) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    notes = Notes()
    redis_server = RedisServer(OUT)
    redis_server.start()
    redis_url = f"redis://127.0.0.1:{redis_server.port}/{config.redis_db}"
    notes.add(f"database {make_url(config.url).database}, private Redis {redis_url}")
    data = await prepare_database(config.url)
    sink = SmtpSink(OUT / "smtp-receipts.txt")
    env = {
        # The API reads the same environment: it needs only the first two.
        **worker_env(config.url, redis_url, sink, poll_seconds=1),
        "POLICYGOV_SECRET_KEY": secrets.token_urlsafe(32),
        "POLICYGOV_WEBHOOK_ALLOWED_HOSTS": '["127.0.0.1"]',
        "POLICYGOV_WEBHOOK_TIMEOUT_SECONDS": "5",
        "POLICYGOV_EMAIL_RETRY_BASE_SECONDS": "1",
        "POLICYGOV_SEND_LEASE_SECONDS": "10",
    }
    workers = Workers(env, notes)
    api: Server | None = None
    conn = await asyncpg.connect(dsn(config.url))
    verdict = 1
    try:
        api = await asyncio.to_thread(start_uvicorn, "api", "services.api.app:create_app", env, OUT)
        notes.add(f"API on {api.base_url}")
        async with (
            running(Subscribers()) as hooks,
            httpx.AsyncClient(base_url=api.base_url, timeout=30) as client,
        ):
            assert isinstance(hooks, Subscribers)
            admin = {"Authorization": f"Bearer {data['keys']['admin']}"}
            officer = {"Authorization": f"Bearer {data['keys']['policy_officer']}"}
            paths = await subscribe(client, admin, hooks)
            producer = Producer(client, officer, data["owners"], notes)
            n = config.events

            notes.add(f"phase 1, baseline: {n} documents, one worker")
            workers.start("a")
            await producer.documents(n)
            await settle(conn, workers, notes, config.phase_timeout, "in phase 1")

            notes.add("phase 2, SIGKILL mid-send: a message held at RCPT, its worker killed")
            holds = sink.holds()
            await producer.documents(1, (SLOW_OWNER,))
            await producer.documents(n - 1)
            if await wait_for(lambda: sink.holds() > holds, 60):
                workers.kill("a")
                workers.start("a")
            else:
                notes.add("no message was held within 60 s: nothing killed (not tested)")
            await settle(conn, workers, notes, config.phase_timeout, "in phase 2")

            notes.add(f"phase 3, two workers: {n} documents")
            workers.start("b")
            await producer.documents(n)
            await settle(conn, workers, notes, config.phase_timeout, "in phase 3")

            notes.add(f"phase 4, Redis stopped for {config.outage_seconds:.0f} s")
            await producer.documents(n // 2)
            redis_server.stop()
            notes.add("redis-server stopped")
            outage_ends = time.monotonic() + config.outage_seconds
            await producer.documents(n - n // 2)
            await asyncio.sleep(max(0.0, outage_ends - time.monotonic()))
            dead_during = [name for name, p in workers.running.items() if p.poll() is not None]
            redis_server.start()
            notes.add(
                "redis-server started again (empty)"
                + (f"; workers dead meanwhile: {', '.join(dead_during)}" if dead_during else "")
            )
            notes.add(f"waiting up to {config.quiet_timeout:.0f} s for everything to finish")
            quiet = await settle(
                conn, workers, notes, config.quiet_timeout, "during or after the Redis outage"
            )
            notes.add("quiet" if quiet else "gave up waiting")

            rows, problems = await count(conn, sink, hooks, paths, workers.kill_times)
            events = int(await conn.fetchval("SELECT count(*) FROM outbox_events"))
            print()
            print(table(events, rows))
            print(f"documents created: {producer.made}", end="")
            if producer.refused:
                print(f"; requests refused: {dict(producer.refused)}", end="")
            print(f"; webhook POSTs cut off by a kill: {hooks.disconnects}")
            problems += workers.deaths
            if not quiet:
                problems.append("not quiescent at the end: see the notes above")
            for r in rows:
                if r.across_a_kill:
                    print(
                        f"{r.what} re-sent under the same id because the SIGKILL came between "
                        f"the receiver's 200 and its record: {r.across_a_kill} (at-least-once; "
                        "a receiver drops them by id)"
                    )
            failures = [r for r in rows if r.duplicated - r.across_a_kill or r.lost]
            verdict = 1 if failures or problems else 0
            for problem in problems:
                print(f"- {problem}")
            print(
                "verdict: "
                + (
                    "PASS: nothing lost, nothing duplicated but across a kill"
                    if verdict == 0
                    else "FAIL"
                )
            )
    finally:
        workers.stop_all()
        if api is not None:
            api.stop()
        sink.stop()
        redis_server.stop()
        await conn.close()
    return verdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20, help="documents per phase")
    parser.add_argument("--outage", type=float, default=15.0, help="seconds Redis is down")
    # A phase moves on after this even when retries are still due (a lapsed claim, a retry
    # 5 min away on the webhook schedule); only the end waits for everything.
    parser.add_argument("--phase-timeout", type=float, default=60.0)
    parser.add_argument("--quiet-timeout", type=float, default=600.0)
    args = parser.parse_args()
    config = Config(
        url=os.environ.get("FAULTS_DATABASE_URL", DEFAULT_URL),
        redis_db=int(os.environ.get("FAULTS_REDIS_DB", DEFAULT_REDIS_DB)),
        events=max(args.events, 2),
        outage_seconds=args.outage,
        phase_timeout=args.phase_timeout,
        quiet_timeout=args.quiet_timeout,
    )
    sys.exit(asyncio.run(run(config)))


if __name__ == "__main__":
    main()

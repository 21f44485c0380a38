"""Moving in (issue 16): a 50,000-row tracker CSV imported in the background through the API,
while a reader keeps asking the API for a page of the register.

The API (uvicorn) and the notifier's worker run as subprocesses on a database of their own
(dropped and migrated), as `make run` runs them. Measured: from the POST to the import's
`succeeded`, the progress readings seen on the way, and the reader's latencies meanwhile.

    python -m tests.bench.moving_in [ROWS]
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from services.cli import migrate
from services.domain.access import service as access
from services.domain.db import make_engine, make_sessionmaker
from services.domain.organisations import service as organisations
from services.domain.people import service as people
from tests.bench import dataset
from tests.bench.notifier import log_tail, stop_process
from tests.bench.servers import start_uvicorn

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/policygov_bench_moving_in"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
ROWS = 50_000
OFFICERS = 20
READ_EVERY_SECONDS = 0.1
ROOT = Path(__file__).resolve().parents[2]
# The tracker's own headings, as councils write them (the import understands them).
HEADINGS = (
    "Ref",
    "Title",
    "Type",
    "Service area",
    "Responsible Officer",
    "RSM",
    "Last reviewed",
    "Review date",
    "Trix link",
)


@dataclass
class MovingIn:
    rows: int
    status: str
    seconds: float  # from the POST to `succeeded` read back
    created: int
    progress_readings: int  # distinct (phase, done) seen while running
    reader_requests: int
    reader_p50_ms: float
    reader_p99_ms: float
    reader_max_ms: float
    reader_errors: int


async def prepare(url: str) -> tuple[str, list[str]]:
    """A fresh database with one organisation, its officers and an admin key: (key, emails)."""
    await dataset.drop_database(url)  # refuses a name without "bench" in it
    await asyncio.to_thread(migrate, url)
    engine = make_engine(url)
    emails = [f"officer.{n}@bench-moving-in.example.org" for n in range(OFFICERS)]
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            org = await organisations.create_organisation(
                session, slug="bench-moving-in", name="Bench Moving In Council"
            )
            ids = []
            for n, email in enumerate(emails):
                person = await people.create_person(
                    session,
                    None,
                    organisation_id=org.id,
                    name=f"{dataset.FIRST_NAMES[n]} {dataset.LAST_NAMES[n]}",
                    email=email,
                    job_title="Head of Service",
                    roles=["admin", "policy_officer"] if n == 0 else ["approver"],
                )
                ids.append(person.id)
            issued = await access.create_api_key(
                session,
                None,
                organisation_id=org.id,
                role="admin",
                name="bench moving in",
                person_id=ids[0],
            )
    finally:
        await engine.dispose()
    return issued.secret, emails


def tracker_csv(rows: int, emails: list[str]) -> bytes:
    """A tracker as a council keeps one: every column filled in most rows, UK dates."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    areas = ["Adults", "Children", "Commissioning", "Housing", "Public health"]
    for n in range(rows):
        writer.writerow(
            [
                f"MI-{n:06d}",
                f"{areas[n % 5]} procedure {n}: care planning and review",
                ("Procedure", "Policy", "Form")[n % 3],
                areas[n % 5],
                emails[n % len(emails)],
                emails[(n * 7 + 3) % len(emails)],
                f"{1 + n % 28:02d}/{1 + n % 12:02d}/2025",
                f"2027-{1 + n % 12:02d}-{1 + n % 28:02d}" if n % 4 else "",
                f"https://bench.trixonline.co.uk/chapter/{n}" if n % 2 else "",
            ]
        )
    return out.getvalue().encode()


class Reader(threading.Thread):
    """Asks for a page of the register every READ_EVERY_SECONDS until stopped."""

    def __init__(self, base: str, key: str) -> None:
        super().__init__(daemon=True)
        self.client = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30
        )
        self.stopping = threading.Event()
        self.latencies: list[float] = []
        self.errors = 0

    def run(self) -> None:
        while not self.stopping.is_set():
            started = time.perf_counter()
            try:
                ok = self.client.get("/v1/documents", params={"limit": 20}).status_code == 200
            except httpx.HTTPError:
                ok = False
            self.latencies.append((time.perf_counter() - started) * 1000)
            self.errors += not ok
            self.stopping.wait(READ_EVERY_SECONDS)
        self.client.close()


def run(url: str, redis_url: str, out: Path, rows: int = ROWS) -> MovingIn:
    out.mkdir(parents=True, exist_ok=True)
    print(
        f"\nMoving in: {rows:,} tracker rows, imported in the background; database "
        f"{url.rsplit('/', 1)[-1]} (dropped and migrated); API and worker as subprocesses",
        flush=True,
    )
    key, emails = asyncio.run(prepare(url))
    content = tracker_csv(rows, emails)
    env = {
        "POLICYGOV_DATABASE_URL": url,
        "POLICYGOV_REDIS_URL": redis_url,
        "POLICYGOV_SECRET_KEY": "bench-secret-key",
        "POLICYGOV_MAIL_DIR": str(out / "moving-in-mail"),
    }
    api = start_uvicorn("moving-in-api", "services.api.app:create_app", env, out)
    log = out / "moving-in-worker.log"
    with log.open("wb") as written:
        worker = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "worker"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=written,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{api.port}"
    reader = Reader(base, key)
    try:
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=120
        ) as client:
            reader.start()
            started = time.perf_counter()
            answer = client.post(
                "/v1/imports",
                params={"background": "true"},
                files={"file": ("tracker.csv", content, "text/csv")},
            )
            if answer.status_code != 202:
                raise RuntimeError(f"the import was refused: {answer.status_code} {answer.text}")
            body, readings = _follow(client, answer.headers["location"], worker, log)
            seconds = time.perf_counter() - started
    finally:
        reader.stopping.set()
        reader.join(timeout=30)
        stop_process(worker)
        api.stop()
    latencies = sorted(reader.latencies) or [0.0]
    return MovingIn(
        rows=rows,
        status=body["status"],
        seconds=round(seconds, 1),
        created=(body.get("report") or {}).get("created", 0),
        progress_readings=readings,
        reader_requests=len(reader.latencies),
        reader_p50_ms=round(statistics.median(latencies), 1),
        reader_p99_ms=round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1),
        reader_max_ms=round(latencies[-1], 1),
        reader_errors=reader.errors,
    )


def _follow(
    client: httpx.Client, location: str, worker: Any, log: Path, limit_s: float = 600
) -> tuple[dict[str, Any], int]:
    """Poll the import until it has finished: its last body, and the progress readings seen."""
    seen: set[tuple[str, int]] = set()
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get(location).json()
        if body["status"] == "running" and body["phase"]:
            seen.add((body["phase"], body["done"]))
        if body["finished_at"]:
            return body, len(seen)
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited with {worker.returncode}:\n{log_tail(log)}")
        time.sleep(0.25)
    raise RuntimeError(f"the import did not finish within {limit_s:.0f} s:\n{log_tail(log)}")


def print_table(result: MovingIn) -> None:
    print(
        f"  {result.rows:,} rows: {result.status} in {result.seconds:.1f} s "
        f"({result.created:,} created, {result.progress_readings} progress readings); "
        f"the register read meanwhile {result.reader_requests} times: p50 "
        f"{result.reader_p50_ms:.0f} ms, p99 {result.reader_p99_ms:.0f} ms, max "
        f"{result.reader_max_ms:.0f} ms, {result.reader_errors} errors"
    )


def to_json(result: MovingIn) -> dict[str, Any]:
    return asdict(result)


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else ROWS
    outcome = run(
        os.environ.get("BENCH_MOVING_IN_DATABASE_URL") or DEFAULT_URL,
        os.environ.get("BENCH_MOVING_IN_REDIS_URL") or DEFAULT_REDIS_URL,
        ROOT / "var" / "bench",
        count,
    )
    print_table(outcome)

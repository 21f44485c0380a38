"""Moving in, in the background: `POST /v1/imports?background=true` answers at once, the
notifier's worker imports (all or nothing), `GET /v1/imports/{id}` shows the progress and then
the report. A worker that stops mid-way leaves nothing written and the import is run again."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select, update

from services.domain.clock import utcnow
from services.domain.heavy_work import HeavyLimits
from services.domain.imports import jobs
from services.domain.models.audit import AuditRecord
from services.domain.models.documents import Document
from services.domain.models.imports import TrackerImport
from services.domain.settings import Settings
from services.notifier.relay import relay_once, requeue_due
from services.notifier.transport import RUN_IMPORT
from tests.api.test_imports import csv_file
from tests.factories import World
from tests.notifier.conftest import RecordingTransport

PROBLEM = "application/problem+json"


def rows(world: World, count: int, prefix: str = "BG") -> bytes:
    author = world.a.author.email
    return csv_file(
        *(
            f"{prefix}-{n:05d},Moving in {n},Policy,Adults,{author},,31/01/2026,,"
            for n in range(count)
        )
    )


async def start(client: AsyncClient, headers: dict[str, str], content: bytes, **params: str) -> Any:
    return await client.post(
        "/v1/imports",
        params={"background": "true", **params},
        files={"file": ("tracker.csv", content, "text/csv")},
        headers=headers,
    )


async def documents(world: World) -> int:
    async with world.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Document)) or 0)


async def run(world: World, import_id: str) -> str:
    return await jobs.run_import(world.sessionmaker, HeavyLimits(), uuid.UUID(import_id))


async def test_the_answer_comes_at_once_and_the_import_follows(
    client: AsyncClient, world: World
) -> None:
    headers = world.a.policy_officer.headers
    started = await start(client, headers, rows(world, 30))
    assert started.status_code == 202, started.text
    job = started.json()
    assert started.headers["location"] == f"/v1/imports/{job['id']}"
    assert (job["status"], job["done"], job["report"]) == ("queued", 0, None)
    assert await documents(world) == 0
    # The relay queues it from the outbox, as it queues emails.
    transport = RecordingTransport()
    while await relay_once(world.sessionmaker, transport):
        pass
    assert (RUN_IMPORT, uuid.UUID(job["id"]), 0, None) in transport.jobs

    assert await run(world, job["id"]) == "succeeded"
    assert await run(world, job["id"]) == "not waiting"  # a repeated job does nothing

    done = await client.get(started.headers["location"], headers=headers)
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "succeeded" and body["finished_at"] and body["error"] is None
    assert (body["phase"], body["done"], body["total"]) == ("importing", 30, 30)
    assert body["report"]["created"] == 30 and body["report"]["problems"] == []
    assert await documents(world) == 30
    async with world.sessionmaker() as session:
        # On behalf of who asked, and the file is not kept once imported.
        actors = set(
            await session.scalars(
                select(AuditRecord.actor_person_id).where(AuditRecord.action == "document.created")
            )
        )
        content = await session.scalar(select(TrackerImport.content))
    assert actors == {world.a.policy_officer.person_id}
    assert content is None


async def test_progress_shows_while_the_rows_go_through(
    client: AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "PROGRESS_EVERY_SECONDS", 0.05)
    headers = world.a.policy_officer.headers
    job = (await start(client, headers, rows(world, 3000))).json()
    seen: list[tuple[str, str | None, int]] = []

    async def watch() -> None:
        while True:
            got = (await client.get(f"/v1/imports/{job['id']}", headers=headers)).json()
            seen.append((got["status"], got["phase"], got["done"]))
            if got["finished_at"]:
                return
            await asyncio.sleep(0.02)

    watching = asyncio.create_task(watch())
    assert await run(world, job["id"]) == "succeeded"
    await asyncio.wait_for(watching, 10)
    running = [s for s in seen if s[0] == "running" and s[1] == "importing" and 0 < s[2] < 3000]
    assert running, seen
    assert [s[2] for s in running] == sorted(s[2] for s in running)  # only ever forward
    assert seen[-1] == ("succeeded", "importing", 3000)


async def test_a_file_with_problems_is_rejected_with_its_report_and_nothing_written(
    client: AsyncClient, world: World
) -> None:
    headers = world.a.policy_officer.headers
    content = csv_file(
        "OK-1,Fine,Policy,,,,,,",
        "OK-2,,Policy,,,,,,",  # no title
        "OK-3,Fine,Poem,,,,,,",  # no such kind
    )
    job = (await start(client, headers, content)).json()
    assert await run(world, job["id"]) == "rejected"
    body = (await client.get(f"/v1/imports/{job['id']}", headers=headers)).json()
    assert body["status"] == "rejected"
    assert [(p["row"], p["column"]) for p in body["report"]["problems"]] == [
        (3, "Title"),
        (4, "Kind"),
    ]
    assert await documents(world) == 0


async def test_a_dry_run_in_the_background_reports_and_writes_nothing(
    client: AsyncClient, world: World
) -> None:
    headers = world.a.policy_officer.headers
    job = (await start(client, headers, rows(world, 5), dry_run="true")).json()
    assert job["dry_run"] is True
    assert await run(world, job["id"]) == "succeeded"
    body = (await client.get(f"/v1/imports/{job['id']}", headers=headers)).json()
    assert body["report"]["dry_run"] is True and body["report"]["created"] == 5
    assert await documents(world) == 0


async def test_who_may_see_and_start_imports(client: AsyncClient, world: World) -> None:
    job = (await start(client, world.a.policy_officer.headers, rows(world, 1))).json()
    other = await client.get(f"/v1/imports/{job['id']}", headers=world.b.policy_officer.headers)
    assert other.status_code == 404 and other.headers["content-type"] == PROBLEM
    author = await client.get(f"/v1/imports/{job['id']}", headers=world.a.author.headers)
    assert author.status_code == 403
    refused = await start(client, world.a.author.headers, rows(world, 1))
    assert refused.status_code == 403
    unknown = await client.get(f"/v1/imports/{uuid.uuid4()}", headers=world.a.admin.headers)
    assert unknown.status_code == 404


async def test_an_old_xls_is_refused_at_once(client: AsyncClient, world: World) -> None:
    response = await client.post(
        "/v1/imports",
        params={"background": "true"},
        files={"file": ("tracker.xls", b"\xd0\xcf\x11\xe0old", "application/vnd.ms-excel")},
        headers=world.a.policy_officer.headers,
    )
    assert response.status_code == 415, response.text
    async with world.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(TrackerImport)) == 0


async def test_an_import_left_by_a_stopped_worker_is_taken_up_again(
    client: AsyncClient, world: World
) -> None:
    headers = world.a.policy_officer.headers
    job = (await start(client, headers, rows(world, 10))).json()
    async with world.sessionmaker() as session, session.begin():
        # A worker claimed it, then stopped (its transaction, and so its rows, rolled back).
        await session.execute(
            update(TrackerImport).values(status="running", attempts=1, heartbeat_at=utcnow())
        )
    assert await run(world, job["id"]) == "not waiting"  # its heartbeat is fresh: still its
    async with world.sessionmaker() as session:
        assert await jobs.unfinished(session) == []
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            update(TrackerImport).values(heartbeat_at=utcnow() - jobs.STALE - timedelta(1))
        )
    # The sweep queues it again, as the next attempt.
    transport = RecordingTransport()
    await requeue_due(world.sessionmaker, transport)
    assert transport.jobs == [(RUN_IMPORT, uuid.UUID(job["id"]), 1, None)]
    assert await run(world, job["id"]) == "succeeded"
    assert await documents(world) == 10


async def test_an_import_that_keeps_stopping_is_failed_not_tried_for_ever(
    client: AsyncClient, world: World
) -> None:
    headers = world.a.policy_officer.headers
    job = (await start(client, headers, rows(world, 2))).json()
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            update(TrackerImport).values(
                status="running",
                attempts=jobs.MAX_ATTEMPTS,
                heartbeat_at=utcnow() - jobs.STALE - timedelta(1),
            )
        )
    assert await run(world, job["id"]) == "failed"
    body = (await client.get(f"/v1/imports/{job['id']}", headers=headers)).json()
    assert body["status"] == "failed" and "nothing was imported" in body["error"]
    assert await documents(world) == 0


def _worker(settings: Settings, redis_url: str, mail: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "POLICYGOV_DATABASE_URL": settings.database_url,
        "POLICYGOV_REDIS_URL": redis_url,
        "POLICYGOV_SECRET_KEY": str(settings.secret_key),
        "POLICYGOV_MAIL_DIR": str(mail),
        "POLICYGOV_RELAY_POLL_SECONDS": "0.3",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "services.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def test_the_notifiers_worker_runs_it(
    client: AsyncClient, world: World, settings: Settings, redis_url: str, tmp_path: Path
) -> None:
    headers = world.a.policy_officer.headers
    job = (await start(client, headers, rows(world, 200))).json()
    worker = _worker(settings, redis_url, tmp_path)
    try:
        for _ in range(200):
            body = (await client.get(f"/v1/imports/{job['id']}", headers=headers)).json()
            if body["finished_at"]:
                break
            await asyncio.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)
    assert body["status"] == "succeeded", body
    assert body["report"]["created"] == 200
    assert await documents(world) == 200

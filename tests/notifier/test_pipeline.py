"""The notifier end to end: real PostgreSQL, Redis, SMTP server and worker processes.

Nothing that must reach someone is lost when the worker, Redis or the SMTP server fails, and
nobody gets the same email twice because a job ran twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from httpx import AsyncClient
from sqlalchemy import select, update

from services.domain.clock import utcnow
from services.domain.models.notifications import Notification
from services.domain.settings import Settings
from services.notifier.notifications import send_notification
from services.notifier.relay import relay_once
from tests.factories import World, document_body
from tests.faults.outages import RedisServer
from tests.notifier.conftest import RecordingTransport
from tests.notifier.smtp_sink import Sink


@pytest.fixture
def sink() -> Iterator[Sink]:
    with Sink() as running:
        yield running


def smtp_settings(settings: Settings, sink: Sink, **extra: object) -> Settings:
    return settings.model_copy(
        update={
            "mail_backend": "smtp",
            "smtp_host": "127.0.0.1",
            "smtp_port": sink.port,
            "smtp_timeout_seconds": 5.0,
            "email_retry_base_seconds": 0.1,
            **extra,
        }
    )


async def assign_owners(client: AsyncClient, world: World, count: int) -> None:
    for _ in range(count):
        response = await client.post(
            "/v1/documents",
            json=document_body(owner_id=str(world.a.approver.person_id)),
            headers=world.a.policy_officer.headers,
        )
        assert response.status_code == 201


async def statuses(world: World) -> list[tuple[str, int]]:
    async with world.sessionmaker() as session:
        rows = (await session.execute(select(Notification))).scalars().all()
        return sorted((n.status, n.attempts) for n in rows)


def ctx_for(world: World, settings: Settings, transport: RecordingTransport) -> dict[str, object]:
    return {"settings": settings, "sessionmaker": world.sessionmaker, "transport": transport}


async def make_due_now(world: World) -> None:
    async with world.sessionmaker() as session, session.begin():
        await session.execute(update(Notification).values(next_attempt_at=utcnow()))


async def test_an_smtp_451_is_retried_and_the_email_sent_once(
    client: AsyncClient, world: World, settings: Settings, sink: Sink
) -> None:
    await assign_owners(client, world, 1)
    transport = RecordingTransport()
    await relay_once(world.sessionmaker, transport)
    sink.handler.data_replies = ["451 4.3.0 Mailbox busy, try later"]
    ctx = ctx_for(world, smtp_settings(settings, sink), transport)
    notification_id = str(transport.jobs[0][1])
    assert await send_notification(ctx, notification_id) == "retrying"
    assert await statuses(world) == [("pending", 1)]
    retry = transport.jobs[-1]
    assert retry[0] == "send_notification" and retry[2] == 1 and retry[3] is not None
    # The same job arriving twice (at-least-once queue) sends once.
    await make_due_now(world)
    results = await asyncio.gather(
        send_notification(ctx, notification_id), send_notification(ctx, notification_id)
    )
    assert sorted(results) == ["not due or already taken", "sent"]
    assert await statuses(world) == [("sent", 2)]
    assert list(sink.handler.message_ids().values()) == [1]


async def test_an_smtp_550_fails_at_once_without_retry(
    client: AsyncClient, world: World, settings: Settings, sink: Sink
) -> None:
    await assign_owners(client, world, 1)
    transport = RecordingTransport()
    await relay_once(world.sessionmaker, transport)
    sink.handler.data_replies = ["550 5.1.1 No such user here"]
    ctx = ctx_for(world, smtp_settings(settings, sink), transport)
    assert await send_notification(ctx, str(transport.jobs[0][1])) == "failed"
    assert len(transport.jobs) == 1  # nothing re-queued
    async with world.sessionmaker() as session:
        row = (await session.execute(select(Notification))).scalar_one()
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error and "550" in row.last_error
    assert sink.handler.received == []


async def test_a_sender_that_lost_its_claim_cannot_undo_the_send_that_took_over(
    client: AsyncClient, world: World, settings: Settings, sink: Sink
) -> None:
    await assign_owners(client, world, 1)
    transport = RecordingTransport()
    await relay_once(world.sessionmaker, transport)
    ctx = ctx_for(world, smtp_settings(settings, sink), transport)
    notification_id = str(transport.jobs[0][1])
    sink.handler.hold_rcpt_number = 1  # the first sender stalls in the middle of sending
    late = asyncio.create_task(send_notification(ctx, notification_id))
    assert await asyncio.to_thread(sink.handler.holding.wait, 10)
    # Its lease runs out (it looks dead), and another run claims and sends the email.
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            update(Notification).values(locked_until=utcnow() - timedelta(seconds=1))
        )
    assert await send_notification(ctx, notification_id) == "sent"
    assert await statuses(world) == [("sent", 2)]
    # The late sender wakes to a 451: its "try again later" must not reopen a sent email.
    sink.handler.data_replies = ["451 4.3.0 Mailbox busy, try later"]
    sink.handler.release.set()
    assert await late == "lease lost"
    assert await statuses(world) == [("sent", 2)]
    assert len(transport.jobs) == 1  # no retry queued


def worker_env(settings: Settings, sink: Sink, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "POLICYGOV_DATABASE_URL": settings.database_url,
        "POLICYGOV_REDIS_URL": redis_url,
        "POLICYGOV_SECRET_KEY": str(settings.secret_key),
        "POLICYGOV_MAIL_BACKEND": "smtp",
        "POLICYGOV_SMTP_HOST": "127.0.0.1",
        "POLICYGOV_SMTP_PORT": str(sink.port),
        "POLICYGOV_SEND_LEASE_SECONDS": "2",
        "POLICYGOV_RELAY_POLL_SECONDS": "0.3",
        "POLICYGOV_NOTIFIER_MAX_JOBS": "1",
    }


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "services.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it has not stopped: a worker left running would relay the next
    tests' events from the same database."""
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
        raise


async def wait_until_all_sent(world: World, count: int, seconds: float = 40) -> None:
    for _ in range(int(seconds / 0.2)):
        rows = await statuses(world)
        if len(rows) == count and all(status == "sent" for status, _ in rows):
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"not all sent: {await statuses(world)}")


async def test_a_worker_killed_in_the_middle_of_sending_leaves_each_email_sent_once(
    client: AsyncClient, world: World, settings: Settings, sink: Sink, redis_url: str
) -> None:
    await assign_owners(client, world, 5)
    sink.handler.hold_rcpt_number = 3  # the third email stalls mid-transaction
    env = worker_env(settings, sink, redis_url)
    worker = start_worker(env)
    try:
        assert await asyncio.to_thread(sink.handler.holding.wait, 40), "no email reached RCPT 3"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        sink.handler.release.set()
        assert len(sink.handler.received) == 2  # the first two, before the kill
        worker = start_worker(env)
        await wait_until_all_sent(world, 5)
    finally:
        stop_worker(worker)
    ids = sink.handler.message_ids()
    assert len(ids) == 5 and set(ids.values()) == {1}, ids


async def test_events_committed_while_redis_is_down_are_delivered_when_it_returns(
    client: AsyncClient, world: World, settings: Settings, sink: Sink, tmp_path: Path
) -> None:
    redis = RedisServer(tmp_path)
    # The API commits while this Redis does not run: it needs only PostgreSQL.
    await assign_owners(client, world, 3)
    redis.start()
    worker = None
    try:
        worker = start_worker(worker_env(settings, sink, redis.url))
        await wait_until_all_sent(world, 3)
    finally:
        if worker is not None:
            stop_worker(worker)
        redis.stop()
    assert sorted(sink.handler.message_ids().values()) == [1, 1, 1]


async def test_a_notification_about_a_review_done_meanwhile_is_cancelled(
    client: AsyncClient, world: World, settings: Settings, sink: Sink
) -> None:
    from services.notifier.sweeps import sweep_reviews

    response = await client.post(
        "/v1/documents",
        json=document_body(
            kind="procedure",
            owner_id=str(world.a.approver.person_id),
            next_review_due=(utcnow().date() + timedelta(days=3)).isoformat(),
        ),
        headers=world.a.policy_officer.headers,
    )
    doc = response.json()
    transport = RecordingTransport()
    await sweep_reviews(world.sessionmaker, settings, transport)
    # Reviewed with no change before the reminder went out: the due date moves on.
    moved = await client.patch(
        f"/v1/documents/{doc['id']}",
        json={"next_review_due": (utcnow().date() + timedelta(days=365)).isoformat()},
        headers={**world.a.policy_officer.headers, "If-Match": response.headers["etag"]},
    )
    assert moved.status_code == 200
    ctx = ctx_for(world, smtp_settings(settings, sink), transport)
    assert await send_notification(ctx, str(transport.jobs[0][1])) == "cancelled"
    assert sink.handler.received == []
    assert uuid.UUID(str(transport.jobs[0][1]))

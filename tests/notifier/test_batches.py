"""What the relay creates together goes several to a job: one claim for all, each sent once.

Real PostgreSQL, Redis, SMTP sink and webhook receiver. A batch must keep every promise of a
job of one: nothing sent twice, nothing already sent or taken sent again, a notice that no
longer applies cancelled, and what it could not attempt given back, not lost.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
from arq.connections import ArqRedis, RedisSettings, create_pool
from httpx import AsyncClient
from sqlalchemy import select, update

from services.domain.clock import utcnow
from services.domain.models.notifications import Notification
from services.domain.models.webhooks import WebhookDelivery, WebhookSubscription
from services.domain.settings import Settings
from services.domain.webhooks.client import receiver_client
from services.notifier.notifications import send_notifications
from services.notifier.relay import relay_once, requeue_due
from services.notifier.transport import BATCH_SIZE, ArqTransport
from services.notifier.webhooks import deliver_webhooks
from tests.factories import World
from tests.notifier.conftest import RecordingTransport
from tests.notifier.smtp_sink import Sink
from tests.notifier.test_pipeline import assign_owners, ctx_for, smtp_settings, statuses
from tests.notifier.test_webhooks import ping, subscribe
from tests.webhook_receiver import Receiver, closed_port, running


@pytest.fixture
def sink() -> Iterator[Sink]:
    with Sink() as running_sink:
        yield running_sink


@pytest.fixture
async def arq_redis(redis_url: str) -> AsyncIterator[ArqRedis]:
    pool = await create_pool(RedisSettings.from_dsn(redis_url))
    await pool.flushdb()
    yield pool
    await pool.flushdb()
    await pool.aclose()


async def created_ids(world: World) -> list[str]:
    transport = RecordingTransport()
    while await relay_once(world.sessionmaker, transport):
        pass
    return [str(job[1]) for job in transport.jobs if job[0] == "send_notification"]


async def test_the_relay_queues_what_one_round_created_several_to_a_job_and_a_lone_row_alone(
    client: AsyncClient, world: World, arq_redis: ArqRedis
) -> None:
    await assign_owners(client, world, BATCH_SIZE + 5)
    await relay_once(world.sessionmaker, ArqTransport(arq_redis))
    jobs = await arq_redis.queued_jobs()
    batches = sorted(len(job.args[0]) for job in jobs if job.function == "send_notifications")
    assert batches == [5, BATCH_SIZE]
    async with world.sessionmaker() as session:
        every = {str(i) for i in (await session.execute(select(Notification.id))).scalars()}
    assert {i for job in jobs for i in job.args[0]} == every

    await assign_owners(client, world, 1)
    await relay_once(world.sessionmaker, ArqTransport(arq_redis))
    alone = [job for job in await arq_redis.queued_jobs() if job.function == "send_notification"]
    # Under the id the sweep would give it, so that the queue holds it once.
    assert [job.job_id for job in alone] == [f"send_notification:{alone[0].args[0]}:0"]


async def test_a_batch_sends_each_once_and_skips_what_is_sent_or_no_longer_due(
    client: AsyncClient, world: World, settings: Settings, sink: Sink
) -> None:
    await assign_owners(client, world, 4)
    ids = await created_ids(world)
    transport = RecordingTransport()
    ctx = ctx_for(world, smtp_settings(settings, sink), transport)
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            update(Notification)
            .where(Notification.id == uuid.UUID(ids[3]))
            .values(next_attempt_at=utcnow() + timedelta(hours=1))
        )
    assert await send_notifications(ctx, ids[:2]) == {"sent": 2}
    # The queue delivers at least once: a batch repeated, or overlapping another, sends nothing
    # twice.
    assert await send_notifications(ctx, ids) == {"sent": 1, "not due or already taken": 3}
    assert await statuses(world) == [("pending", 0), ("sent", 1), ("sent", 1), ("sent", 1)]
    assert sorted(sink.handler.message_ids().values()) == [1, 1, 1]
    assert transport.jobs == []


async def test_when_the_server_is_down_the_rest_of_a_batch_waits_as_long_as_the_first(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    await assign_owners(client, world, 3)
    ids = await created_ids(world)
    transport = RecordingTransport()
    down = settings.model_copy(
        update={
            "mail_backend": "smtp",
            "smtp_host": "127.0.0.1",
            "smtp_port": closed_port(),
            "smtp_timeout_seconds": 2.0,
            "email_retry_base_seconds": 60.0,
        }
    )
    outcomes = await send_notifications(ctx_for(world, down, transport), ids)
    assert outcomes == {"retrying": 1, "given back": 2}
    async with world.sessionmaker() as session:
        rows = {str(n.id): n for n in (await session.execute(select(Notification))).scalars()}
    first, rest = rows[ids[0]], [rows[i] for i in ids[1:]]
    assert (first.status, first.attempts) == ("pending", 1)
    # Not attempted: no attempt counted, due when the one that was tried is.
    assert {(n.status, n.attempts, n.next_attempt_at) for n in rest} == {
        ("pending", 0, first.next_attempt_at)
    }
    assert sorted((job[1], job[2], job[3]) for job in transport.jobs) == sorted(
        (uuid.UUID(i), attempt, first.next_attempt_at)
        for i, attempt in zip(ids, (1, 0, 0), strict=True)
    )


async def test_a_batch_out_of_time_gives_back_what_it_has_not_sent(
    client: AsyncClient, world: World, settings: Settings, sink: Sink
) -> None:
    await assign_owners(client, world, 2)
    ids = await created_ids(world)
    transport = RecordingTransport()
    # A lease of nothing: half of it has gone before the first message.
    hurried = smtp_settings(settings, sink, send_lease_seconds=0)
    assert await send_notifications(ctx_for(world, hurried, transport), ids) == {"given back": 2}
    assert await statuses(world) == [("pending", 0), ("pending", 0)]
    assert sorted(job[1:3] for job in transport.jobs) == sorted((uuid.UUID(i), 0) for i in ids)
    assert sink.handler.received == []
    ctx = ctx_for(world, smtp_settings(settings, sink), transport)
    assert await send_notifications(ctx, ids) == {"sent": 2}


async def test_the_sweep_queues_again_only_what_has_been_due_a_while_or_whose_lease_ran_out(
    client: AsyncClient, world: World
) -> None:
    await assign_owners(client, world, 3)
    ids = [uuid.UUID(i) for i in await created_ids(world)]
    now = utcnow()
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            update(Notification)
            .where(Notification.id == ids[1])
            .values(next_attempt_at=now - timedelta(minutes=5))
        )
        await session.execute(
            update(Notification)
            .where(Notification.id == ids[2])
            .values(status="sending", attempts=1, locked_until=now - timedelta(seconds=1))
        )
    transport = RecordingTransport()
    assert await requeue_due(world.sessionmaker, transport, timedelta(seconds=30)) == (2, 0)
    assert sorted(job[1:3] for job in transport.jobs) == sorted([(ids[1], 0), (ids[2], 1)])
    transport = RecordingTransport()
    assert await requeue_due(world.sessionmaker, transport) == (3, 0)


async def test_a_batch_of_deliveries_posts_each_once_and_fails_those_of_a_disabled_subscription(
    world: World, settings: Settings
) -> None:
    hook_settings = settings.model_copy(
        update={"webhook_allowed_hosts": ["127.0.0.1"], "webhook_timeout_seconds": 10}
    )
    async with running(Receiver()) as receiver, receiver_client(hook_settings) as http:
        live = await subscribe(world, hook_settings, receiver.url())
        receiver.secret = live.secret
        gone = await subscribe(world, hook_settings, receiver.url("/gone"))
        ids = [await ping(world, live.id) for _ in range(3)] + [await ping(world, gone.id)]
        async with world.sessionmaker() as session, session.begin():
            await session.execute(
                update(WebhookSubscription)
                .where(WebhookSubscription.id == gone.id)
                .values(is_active=False)
            )
        transport = RecordingTransport()
        ctx = {
            "settings": hook_settings,
            "sessionmaker": world.sessionmaker,
            "transport": transport,
            "http": http,
        }
        batch = [str(i) for i in ids]
        assert await deliver_webhooks(ctx, batch) == {"delivered": 3, "failed": 1}
        assert await deliver_webhooks(ctx, batch) == {"not due or already taken": 4}
        assert len(receiver.received) == 3
        assert {r.headers["webhook-id"] for r in receiver.received} == {
            d.webhook_id for d in await deliveries_of(world) if d.subscription_id == live.id
        }
        assert all(r.verified and not isinstance(r.verified, Exception) for r in receiver.received)
    rows = await deliveries_of(world)
    assert sorted((d.status, d.attempts) for d in rows) == [("delivered", 1)] * 3 + [("failed", 1)]


async def deliveries_of(world: World) -> list[WebhookDelivery]:
    async with world.sessionmaker() as session:
        return list((await session.execute(select(WebhookDelivery))).scalars())

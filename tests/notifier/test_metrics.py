"""The notifier's metrics against real rows, a real queue and real sends: what the gauges say
waits, and what the counters say was sent, retried and swept."""

from __future__ import annotations

import math
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest
from arq.connections import ArqRedis
from httpx import AsyncClient
from sqlalchemy import update

from services.domain.clock import utcnow
from services.domain.db import make_engine, make_sessionmaker
from services.domain.models.notifications import Notification
from services.domain.models.outbox import OutboxEvent
from services.domain.models.webhooks import WebhookDelivery
from services.domain.settings import Settings
from services.domain.webhooks.client import receiver_client
from services.notifier.metrics import SWEEPS, NotifierMetrics
from services.notifier.notifications import send_notification
from services.notifier.relay import relay_once
from services.notifier.sweeps import sweep_all
from services.notifier.webhooks import deliver_webhook
from tests.factories import World, document_body
from tests.notifier.conftest import RecordingTransport
from tests.notifier.smtp_sink import Sink, free_port
from tests.notifier.test_webhooks import ping, subscribe
from tests.webhook_receiver import Receiver, Reply, running


def sample(metrics: NotifierMetrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


async def new_document(client: AsyncClient, world: World) -> None:
    """A document with an owner: its event tells the owner, by email, once relayed."""
    created = await client.post(
        "/v1/documents",
        json=document_body(owner_id=str(world.a.approver.person_id)),
        headers=world.a.policy_officer.headers,
    )
    assert created.status_code == 201


@pytest.fixture
async def queue(settings: Settings) -> AsyncIterator[tuple[ArqRedis, str]]:
    redis = ArqRedis.from_url(settings.redis_url)
    name = f"policygov:test-metrics:{uuid.uuid4().hex}"
    yield redis, name
    await redis.delete(name)
    await redis.aclose()


async def test_the_backlog_gauges_show_how_long_the_oldest_event_email_and_delivery_waited(
    client: AsyncClient,
    world: World,
    settings: Settings,
    queue: tuple[ArqRedis, str],
) -> None:
    await new_document(client, world)
    await relay_once(world.sessionmaker, RecordingTransport())  # one email pending
    await new_document(client, world)  # one event not yet relayed
    hooks = settings.model_copy(update={"webhook_allowed_hosts": ["127.0.0.1"]})
    subscription = await subscribe(world, hooks, "http://127.0.0.1:9/hook")
    await ping(world, subscription.id)  # one delivery pending
    now = utcnow()
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.published_at.is_(None))
            .values(created_at=now - timedelta(seconds=120))
        )
        await session.execute(update(Notification).values(next_attempt_at=now - timedelta(hours=1)))
        # A retry planned for later is not late: counted as pending, not as waiting.
        await session.execute(
            update(WebhookDelivery).values(next_attempt_at=now + timedelta(hours=1))
        )
    redis, name = queue
    await redis.enqueue_job("health_check", _queue_name=name)
    await redis.enqueue_job("health_check", _queue_name=name)
    await redis.enqueue_job("health_check", _queue_name=name, _defer_by=timedelta(hours=1))

    metrics = NotifierMetrics()
    await metrics.sample(world.sessionmaker, redis, name)

    assert 120 <= sample(metrics, "policygov_notifier_outbox_oldest_unpublished_seconds") < 180
    assert sample(metrics, "policygov_notifier_outbox_unpublished_events") >= 1
    email = sample(metrics, "policygov_notifier_oldest_pending_seconds", kind="email")
    assert 3600 <= email < 3660
    assert sample(metrics, "policygov_notifier_oldest_pending_seconds", kind="webhook") == 0
    assert sample(metrics, "policygov_notifier_pending", kind="email") == 1
    assert sample(metrics, "policygov_notifier_pending", kind="webhook") == 1
    assert sample(metrics, "policygov_notifier_queue_jobs", state="ready") == 2
    assert sample(metrics, "policygov_notifier_queue_jobs", state="deferred") == 1
    # Relayed and nothing waiting: every age is 0 again.
    await relay_once(world.sessionmaker, RecordingTransport())
    async with world.sessionmaker() as session, session.begin():
        await session.execute(update(Notification).values(status="sent"))
    await metrics.sample(world.sessionmaker, redis, name)
    assert sample(metrics, "policygov_notifier_outbox_oldest_unpublished_seconds") == 0
    assert sample(metrics, "policygov_notifier_outbox_unpublished_events") == 0
    assert sample(metrics, "policygov_notifier_oldest_pending_seconds", kind="email") == 0


async def test_what_cannot_be_read_is_unknown_rather_than_the_last_value(
    client: AsyncClient, world: World, queue: tuple[ArqRedis, str]
) -> None:
    metrics = NotifierMetrics()
    await new_document(client, world)
    redis, name = queue
    await metrics.sample(world.sessionmaker, redis, name)
    assert sample(metrics, "policygov_notifier_outbox_unpublished_events") >= 1
    nowhere = free_port()
    engine = make_engine(
        f"postgresql+asyncpg://postgres@127.0.0.1:{nowhere}/policygov", connect_timeout_seconds=2
    )
    gone = ArqRedis.from_url(f"redis://127.0.0.1:{nowhere}/0", socket_connect_timeout=2)
    try:
        await metrics.sample(make_sessionmaker(engine), gone, name)
    finally:
        await gone.aclose()
        await engine.dispose()
    assert math.isnan(sample(metrics, "policygov_notifier_outbox_unpublished_events") or 0)
    assert math.isnan(sample(metrics, "policygov_notifier_pending", kind="email") or 0)
    assert math.isnan(sample(metrics, "policygov_notifier_queue_jobs", state="ready") or 0)


@pytest.fixture
def sink() -> Iterator[Sink]:
    with Sink() as running_sink:
        yield running_sink


async def test_an_email_tried_again_counts_a_retry_then_a_send_that_was_a_retry(
    client: AsyncClient, world: World, settings: Settings, sink: Sink
) -> None:
    await new_document(client, world)
    transport = RecordingTransport()
    await relay_once(world.sessionmaker, transport)
    smtp = settings.model_copy(
        update={"mail_backend": "smtp", "smtp_host": "127.0.0.1", "smtp_port": sink.port}
    )
    metrics = NotifierMetrics()
    ctx = {
        "settings": smtp,
        "sessionmaker": world.sessionmaker,
        "transport": transport,
        "metrics": metrics,
    }
    notification_id = str(transport.jobs[0][1])
    sink.handler.data_replies = ["451 4.3.0 Mailbox busy, try later"]
    assert await send_notification(ctx, notification_id) == "retrying"
    assert sample(metrics, "policygov_notifier_sends_total", kind="email", result="retry") == 1
    assert sample(metrics, "policygov_notifier_retries_total", kind="email") == 0
    async with world.sessionmaker() as session, session.begin():
        await session.execute(update(Notification).values(next_attempt_at=utcnow()))
    assert await send_notification(ctx, notification_id) == "sent"
    assert await send_notification(ctx, notification_id) == "not due or already taken"
    assert sample(metrics, "policygov_notifier_sends_total", kind="email", result="sent") == 1
    assert sample(metrics, "policygov_notifier_retries_total", kind="email") == 1
    assert sample(metrics, "policygov_notifier_sends_total", kind="email", result="failed") == 0


async def test_a_webhook_answered_500_then_410_counts_a_retry_then_a_failure(
    world: World, settings: Settings
) -> None:
    hooks = settings.model_copy(update={"webhook_allowed_hosts": ["127.0.0.1"]})
    async with running(Receiver()) as receiver, receiver_client(hooks) as http:
        subscription = await subscribe(world, hooks, receiver.url())
        receiver.secret = subscription.secret
        delivery_id = await ping(world, subscription.id)
        receiver.answer(Reply(500), 410)
        metrics = NotifierMetrics()
        ctx = {
            "settings": hooks,
            "sessionmaker": world.sessionmaker,
            "transport": RecordingTransport(),
            "http": http,
            "metrics": metrics,
        }
        assert await deliver_webhook(ctx, str(delivery_id)) == "retrying"
        async with world.sessionmaker() as session, session.begin():
            await session.execute(update(WebhookDelivery).values(next_attempt_at=utcnow()))
        assert await deliver_webhook(ctx, str(delivery_id)) == "subscription disabled"
    assert sample(metrics, "policygov_notifier_sends_total", kind="webhook", result="retry") == 1
    assert sample(metrics, "policygov_notifier_sends_total", kind="webhook", result="failed") == 1
    assert sample(metrics, "policygov_notifier_sends_total", kind="webhook", result="sent") == 0
    assert sample(metrics, "policygov_notifier_retries_total", kind="webhook") == 1


async def test_each_sweep_is_timed_under_its_name_and_a_failure_is_counted(
    world: World, settings: Settings
) -> None:
    metrics = NotifierMetrics()
    await sweep_all(world.sessionmaker, settings, RecordingTransport(), metrics=metrics)
    for name in SWEEPS:
        count = sample(metrics, "policygov_notifier_sweep_duration_seconds_count", sweep=name)
        assert count == (0 if name == "retention" else 1), name
    with pytest.raises(httpx.ConnectError), metrics.sweep("reviews"):
        raise httpx.ConnectError("down")
    assert sample(metrics, "policygov_notifier_sweep_failures_total", sweep="reviews") == 1
    assert sample(metrics, "policygov_notifier_sweep_duration_seconds_count", sweep="reviews") == 2

"""The daily prune: what has outlived its use goes, a batch per transaction; the paper trail
and the audit log stay. Rows are aged by setting their timestamps directly."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy import func, select, update

from services.domain.clock import utcnow
from services.domain.models.audit import AuditRecord
from services.domain.models.idempotency import IdempotencyRecord
from services.domain.models.notifications import Notification
from services.domain.models.outbox import OutboxEvent
from services.domain.models.webhooks import WebhookDelivery, WebhookSubscription
from services.domain.retention import service as retention
from services.domain.settings import Settings
from services.notifier.sweeps import sweep_retention
from services.notifier.worker import WorkerSettings, prune
from tests.factories import World, document_body

NOW = utcnow()
LONG_AGO = NOW - timedelta(days=91)
RECENTLY = NOW - timedelta(days=89)


async def add(world: World, *rows: Any) -> None:
    async with world.sessionmaker() as session, session.begin():
        session.add_all(rows)


def email(world: World, status: str, created_at: datetime, **values: Any) -> Notification:
    values.setdefault("kind", "meeting.moved")
    return Notification(
        id=uuid.uuid4(),
        organisation_id=world.a.id,
        dedupe_key=f"test:{uuid.uuid4()}",
        recipient_email="reader@alpha.example.org",
        status=status,
        created_at=created_at,
        **values,
    )


async def subscription(world: World) -> uuid.UUID:
    row = WebhookSubscription(
        id=uuid.uuid4(),
        organisation_id=world.a.id,
        url="https://93.184.215.14/hook",
        event_types=["document.published"],
        secret="whsec_x",
    )
    await add(world, row)
    return row.id


def delivery(world: World, subscription_id: uuid.UUID, status: str, created_at: datetime) -> Any:
    return WebhookDelivery(
        id=uuid.uuid4(),
        organisation_id=world.a.id,
        subscription_id=subscription_id,
        event_type="webhook.ping",
        body={},
        status=status,
        created_at=created_at,
    )


def event(world: World, published_at: datetime | None, created_at: datetime) -> OutboxEvent:
    return OutboxEvent(
        id=uuid.uuid4(),
        organisation_id=world.a.id,
        type="webhook.ping",
        payload={},
        created_at=created_at,
        published_at=published_at,
    )


def key(world: World, name: str, created_at: datetime) -> IdempotencyRecord:
    return IdempotencyRecord(
        organisation_id=world.a.id,
        caller_id=uuid.uuid4(),
        key=name,
        fingerprint="f" * 64,
        state="done",
        locked_at=created_at,
        created_at=created_at,
    )


async def ids(world: World, model: Any) -> set[Any]:
    column = model.key if model is IdempotencyRecord else model.id
    async with world.sessionmaker() as session:
        return set((await session.execute(select(column))).scalars())


async def test_what_has_outlived_its_use_goes_and_the_rest_stays(
    world: World, settings: Settings
) -> None:
    gone, kept = [], []
    for status in ("sent", "failed", "cancelled"):
        gone.append(email(world, status, LONG_AGO))
    kept += [
        email(world, "pending", LONG_AGO),  # still to be sent
        email(world, "sending", LONG_AGO),
        email(world, "sent", RECENTLY),
    ]
    hook = await subscription(world)
    gone += [delivery(world, hook, s, LONG_AGO) for s in ("delivered", "failed")]
    kept += [
        delivery(world, hook, "pending", LONG_AGO),
        delivery(world, hook, "delivered", RECENTLY),
    ]
    gone.append(event(world, LONG_AGO, LONG_AGO))
    kept += [event(world, None, LONG_AGO), event(world, RECENTLY, RECENTLY)]
    # Idempotency records live idempotency_ttl_hours (24 by default).
    gone.append(key(world, "expired", NOW - timedelta(hours=25)))
    kept.append(key(world, "fresh", NOW - timedelta(hours=23)))
    await add(world, *gone, *kept)

    pruned = await sweep_retention(world.sessionmaker, settings, NOW)

    assert pruned == {
        "idempotency_records": 1,
        "outbox_events": 1,
        "notifications": 3,
        "webhook_deliveries": 2,
    }
    for model in (Notification, WebhookDelivery, OutboxEvent):
        assert await ids(world, model) >= {r.id for r in kept if isinstance(r, model)}
        assert not await ids(world, model) & {r.id for r in gone if isinstance(r, model)}
    assert await ids(world, IdempotencyRecord) == {"fresh"}
    # Running it again finds nothing more.
    assert set((await sweep_retention(world.sessionmaker, settings, NOW)).values()) == {0}


async def test_the_periods_come_from_the_settings(world: World, settings: Settings) -> None:
    eight_days = NOW - timedelta(days=8)
    await add(world, email(world, "sent", eight_days), event(world, NOW, eight_days))
    week = settings.model_copy(
        update={"retention_notification_days": 7, "retention_outbox_days": 9}
    )
    pruned = await sweep_retention(world.sessionmaker, week, NOW)
    assert (pruned["notifications"], pruned["outbox_events"]) == (1, 0)


async def test_emails_about_a_document_stay_on_its_timeline_however_old(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    # The paper trail (timeline and FOI export) reads them; a review's overdue notice would
    # also be sent again by the next sweep if its row went.
    h = world.a.policy_officer.headers
    document = (await client.post("/v1/documents", json=document_body(), headers=h)).json()
    old = email(
        world,
        "sent",
        NOW - timedelta(days=3 * 365),
        document_id=uuid.UUID(document["id"]),
        kind="review.overdue",
        sent_at=NOW - timedelta(days=3 * 365),
    )
    await add(world, old)

    await sweep_retention(world.sessionmaker, settings, NOW)

    timeline = await client.get(f"/v1/documents/{document['id']}/timeline", headers=h)
    emails = [e for e in timeline.json()["entries"] if e["type"] == "notification.email"]
    assert [e["refs"]["notification_id"] for e in emails] == [str(old.id)]


async def test_the_audit_log_is_never_pruned(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    h = world.a.policy_officer.headers
    assert (await client.post("/v1/documents", json=document_body(), headers=h)).status_code == 201
    async with world.sessionmaker() as session, session.begin():
        # The audit log refuses any UPDATE: age everything instead by pruning in 20 years.
        await session.execute(update(OutboxEvent).values(published_at=NOW))
        before = await session.scalar(
            select(func.count()).where(AuditRecord.organisation_id == world.a.id)
        )
    assert before

    pruned = await sweep_retention(world.sessionmaker, settings, NOW + timedelta(days=20 * 365))

    assert pruned["outbox_events"] >= 1  # the events of the same change went
    async with world.sessionmaker() as session:
        assert (
            await session.scalar(
                select(func.count()).where(AuditRecord.organisation_id == world.a.id)
            )
            == before
        )
    audit = await client.get("/v1/audit", headers=world.a.admin.headers)
    assert audit.status_code == 200 and len(audit.json()["items"]) == before


async def test_each_batch_is_its_own_transaction_of_at_most_the_batch_size(
    world: World, settings: Settings
) -> None:
    await add(world, *(event(world, LONG_AGO, LONG_AGO) for _ in range(5)))
    [outbox] = [r for r in retention.expired(settings, NOW) if r.name == "outbox_events"]
    sizes = []
    for _ in range(4):
        async with world.sessionmaker() as session, session.begin():
            sizes.append(await retention.prune_batch(session, outbox, 2))
    assert sizes == [2, 2, 1, 0]


async def test_a_row_another_transaction_holds_is_left_for_the_next_run_without_waiting(
    world: World, settings: Settings
) -> None:
    held, free = email(world, "sent", LONG_AGO), email(world, "sent", LONG_AGO)
    await add(world, held, free)
    async with world.sessionmaker() as sender, sender.begin():
        # Another worker is reading this row for update (a claim, a replay).
        await sender.execute(
            select(Notification).where(Notification.id == held.id).with_for_update()
        )
        pruned = await asyncio.wait_for(sweep_retention(world.sessionmaker, settings, NOW), 10)
        assert pruned["notifications"] == 1
    assert await ids(world, Notification) == {held.id}
    assert (await sweep_retention(world.sessionmaker, settings, NOW))["notifications"] == 1


async def test_two_workers_pruning_at_once_delete_each_row_once(
    world: World, settings: Settings
) -> None:
    await add(world, *(event(world, LONG_AGO, LONG_AGO) for _ in range(40)))
    small = settings.model_copy(update={"retention_batch_size": 3})
    first, second = await asyncio.gather(
        sweep_retention(world.sessionmaker, small, NOW),
        sweep_retention(world.sessionmaker, small, NOW),
    )
    # A worker stops at a short batch; whatever both left, a later run takes.
    later = await sweep_retention(world.sessionmaker, small, NOW)
    assert first["outbox_events"] + second["outbox_events"] + later["outbox_events"] == 40
    assert await ids(world, OutboxEvent) == set()


async def test_the_worker_prunes_once_a_day_at_a_quiet_hour(
    world: World, settings: Settings
) -> None:
    [daily] = [job for job in WorkerSettings.cron_jobs if job.coroutine is prune]
    assert (daily.hour, daily.minute, daily.second, daily.unique) == (3, 17, 0, True)
    await add(world, event(world, LONG_AGO, LONG_AGO))
    report = await prune({"sessionmaker": world.sessionmaker, "settings": settings})
    assert "'outbox_events': 1" in report

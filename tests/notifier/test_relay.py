"""The outbox relay: every committed event is handled once; nothing rolled back is."""

from __future__ import annotations

import asyncio

from httpx import AsyncClient
from sqlalchemy import func, select, text

from services.domain.models.notifications import Notification
from services.domain.models.outbox import OutboxEvent
from services.notifier.relay import relay_once, run_relay
from tests.factories import World, document_body
from tests.notifier.conftest import RecordingTransport
from tests.statements import statements_of


async def assign_owner(client: AsyncClient, world: World) -> dict:
    response = await client.post(
        "/v1/documents",
        json=document_body(owner_id=str(world.a.approver.person_id)),
        headers=world.a.policy_officer.headers,
    )
    assert response.status_code == 201
    return response.json()


async def test_an_assignment_becomes_one_email_to_the_new_owner(
    client: AsyncClient, world: World, transport: RecordingTransport
) -> None:
    doc = await assign_owner(client, world)
    published = await relay_once(world.sessionmaker, transport)
    assert published >= 3  # document.created, document.owner_changed, document.people_assigned
    async with world.sessionmaker() as session:
        rows = (await session.execute(select(Notification))).scalars().all()
        unpublished = await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.published_at.is_(None))
        )
    assert [(n.kind, n.recipient_email, n.status) for n in rows] == [
        ("document.assigned", "approver@alpha.example.org", "pending")
    ]
    assert rows[0].context["reference"] == doc["reference"]
    assert rows[0].context["roles"] == ["owner"]
    assert unpublished == 0
    assert [(j[0], j[1]) for j in transport.jobs] == [("send_notification", rows[0].id)]
    # Relaying again finds nothing new and queues nothing more.
    assert await relay_once(world.sessionmaker, transport) == 0
    assert len(transport.jobs) == 1


async def test_a_rolled_back_change_emits_nothing(
    world: World, transport: RecordingTransport
) -> None:
    async with world.sessionmaker() as session:
        await session.execute(
            text(
                "INSERT INTO outbox_events (id, organisation_id, type, payload, created_at) "
                "VALUES (gen_random_uuid(), :org, 'document.updated', '{}', now())"
            ),
            {"org": world.a.id},
        )
        await session.rollback()
    assert await relay_once(world.sessionmaker, transport) == 0


async def test_two_relays_at_once_publish_each_event_once(
    client: AsyncClient, world: World
) -> None:
    for _ in range(15):
        await assign_owner(client, world)
    first, second = RecordingTransport(), RecordingTransport()
    counts = await asyncio.gather(
        relay_once(world.sessionmaker, first), relay_once(world.sessionmaker, second)
    )
    # Three events each: created, owner_changed and people_assigned.
    assert sum(counts) == 45
    queued = [j[1] for j in first.jobs + second.jobs]
    assert len(queued) == len(set(queued)) == 15


async def test_when_the_queue_is_down_nothing_is_lost(client: AsyncClient, world: World) -> None:
    await assign_owner(client, world)
    down = RecordingTransport(broken=True)
    assert await relay_once(world.sessionmaker, down) == 3
    async with world.sessionmaker() as session:
        pending = (
            (await session.execute(select(Notification.id).where(Notification.status == "pending")))
            .scalars()
            .all()
        )
    assert len(pending) == 1  # stored, waiting for the sweep to queue it


async def test_the_relay_wakes_on_notify_without_waiting_for_the_poll(
    client: AsyncClient, world: World, settings: object
) -> None:
    transport = RecordingTransport()
    stopping = asyncio.Event()
    task = asyncio.create_task(
        run_relay(
            world.sessionmaker,
            settings.database_url,  # type: ignore[attr-defined]
            transport,
            poll_seconds=60,  # so only NOTIFY can wake it in time
            stopping=stopping,
        )
    )
    await asyncio.sleep(0.3)  # listening
    await assign_owner(client, world)
    for _ in range(50):
        if transport.jobs:
            break
        await asyncio.sleep(0.05)
    stopping.set()
    task.cancel()
    assert transport.jobs, "the relay did not wake on NOTIFY"


async def test_an_event_committed_while_the_relay_is_busy_is_not_left_for_the_poll(
    client: AsyncClient, world: World, settings: object
) -> None:
    class SlowTransport(RecordingTransport):
        async def enqueue(self, *args: object, **kwargs: object) -> None:
            if not self.jobs:
                await asyncio.sleep(0.5)  # the first round is still running...
            await super().enqueue(*args, **kwargs)  # type: ignore[arg-type]

    transport = SlowTransport()
    stopping = asyncio.Event()
    task = asyncio.create_task(
        run_relay(
            world.sessionmaker,
            settings.database_url,  # type: ignore[attr-defined]
            transport,
            poll_seconds=60,
            stopping=stopping,
        )
    )
    await asyncio.sleep(0.3)
    await assign_owner(client, world)
    await asyncio.sleep(0.2)
    await assign_owner(client, world)  # ...when this one's NOTIFY arrives

    def notified() -> int:
        return len({job[1] for job in transport.jobs})

    for _ in range(60):
        if notified() == 2:
            break
        await asyncio.sleep(0.05)
    stopping.set()
    task.cancel()
    assert notified() == 2, "the second event waited for the poll interval"


async def test_a_round_reads_what_its_events_share_once_however_many_events(
    client: AsyncClient, world: World, transport: RecordingTransport
) -> None:
    """The organisation's policy contact and webhook subscriptions, and the documents and
    people the events name, are read once a round, not once an email (it was one query each
    per email: a sixth of the notifier's time at a burst)."""
    for _ in range(12):
        await assign_owner(client, world)
    with statements_of(world.sessionmaker) as statements:
        assert await relay_once(world.sessionmaker, transport) >= 36
    assert len(transport.jobs) == 12
    reads = [s for s in statements if s.startswith("SELECT")]
    assert sum("person_roles" in s for s in reads) == 1  # the policy contact
    assert sum("FROM webhook_subscriptions" in s for s in reads) == 1
    # Each person and document by id, one at a time: none.
    assert [
        s for s in reads if s.endswith(("people.id = $1::UUID", "documents.id = $1::UUID"))
    ] == []

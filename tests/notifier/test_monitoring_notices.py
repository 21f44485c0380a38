"""Monitoring actions in the notifier (Cafcass 7.4, Dorset xi): the owner is emailed when given
an action; the daily sweep reminds them 7 and 1 days before the due date and, once it is
overdue, tells the document's owner (and the action's owner) once, however often it runs; a
closed action's email goes to the document's owner and whoever set it.

Real PostgreSQL, the real relay and the real sweep function; the queue is recorded."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from httpx import AsyncClient
from sqlalchemy import select

from services.domain.models.notifications import Notification
from services.domain.notifications.sending import is_still_true
from services.domain.settings import Settings
from services.notifier.relay import relay_once
from services.notifier.staff_sweeps import sweep_monitoring
from services.notifier.sweeps import sweep_all
from tests.api.dis_applications_support import in_force_document
from tests.api.monitoring_support import action_body, day, set_action
from tests.factories import World
from tests.notifier.conftest import RecordingTransport


async def _relay(world: World, transport: RecordingTransport) -> None:
    while await relay_once(world.sessionmaker, transport):
        pass


async def _told(world: World, kind: str) -> list[tuple[uuid.UUID | None, str]]:
    """(recipient, dedupe key) of every notification of ``kind``, oldest first."""
    async with world.sessionmaker() as session:
        rows = await session.execute(
            select(Notification.recipient_person_id, Notification.dedupe_key)
            .where(Notification.kind == kind)
            .order_by(Notification.created_at, Notification.dedupe_key)
        )
        return [(r[0], r[1]) for r in rows.all()]


async def _still_true(world: World, kind: str) -> list[bool]:
    async with world.sessionmaker() as session:
        rows = await session.execute(
            select(Notification).where(Notification.kind == kind).order_by(Notification.created_at)
        )
        return [await is_still_true(session, n) for n in rows.scalars()]


async def test_the_owner_is_told_of_the_action_and_the_documents_owner_of_its_outcome(
    client: AsyncClient, world: World, transport: RecordingTransport
) -> None:
    a = world.a
    document_id = await in_force_document(client, a)
    # Set by the policy team for the reader; the approver owns the document.
    made = await set_action(client, document_id, a.policy_officer.headers, action_body(a))
    # The approver gives one to themself: nobody is emailed of what they did themself.
    await set_action(
        client,
        document_id,
        a.approver.headers,
        action_body(str(a.approver.person_id), title="Report to ECMT"),
    )
    await _relay(world, transport)
    assert [who for who, _ in await _told(world, "monitoring_action.assigned")] == [
        a.reader.person_id
    ]
    assert await _still_true(world, "monitoring_action.assigned") == [True]

    done = await client.post(
        f"/v1/monitoring-actions/{made.json()['id']}/completion",
        json={"outcome": "Eight of ten files use the new assessment."},
        headers=a.reader.headers,
    )
    assert done.status_code == 200, done.text
    # Its request is void once done; the document's owner and the policy officer who set it
    # are told the outcome, not the reader who closed it.
    assert await _still_true(world, "monitoring_action.assigned") == [False]
    await _relay(world, transport)
    assert sorted(str(who) for who, _ in await _told(world, "monitoring_action.closed")) == sorted(
        [str(a.approver.person_id), str(a.policy_officer.person_id)]
    )


async def test_the_sweep_reminds_before_the_due_date_and_escalates_once_when_overdue(
    client: AsyncClient, world: World, transport: RecordingTransport
) -> None:
    a = world.a
    document_id = await in_force_document(client, a)
    made = (
        await set_action(
            client, document_id, a.policy_officer.headers, action_body(a, due_on=day(10))
        )
    ).json()
    due_on = date.fromisoformat(made["due_on"])

    async def sweep(on: date) -> int:
        return await sweep_monitoring(world.sessionmaker, transport, on)

    assert await sweep(due_on - timedelta(days=8)) == 0
    # Seven days before: the reminder, once, however often the sweep runs.
    assert await sweep(due_on - timedelta(days=7)) == 1
    assert await sweep(due_on - timedelta(days=7)) == 0
    # A missed day still sends the next one once.
    assert await sweep(due_on) == 1
    assert await sweep(due_on) == 0
    reminders = await _told(world, "monitoring_action.due")
    assert [(who, key.split(":")[4]) for who, key in reminders] == [
        (a.reader.person_id, "7"),
        (a.reader.person_id, "1"),
    ]
    # The day after the due date: the document's owner and the action's owner, once.
    assert await sweep(due_on + timedelta(days=1)) == 2
    assert await sweep(due_on + timedelta(days=1)) == 0
    assert await sweep(due_on + timedelta(days=30)) == 0
    escalated = await _told(world, "monitoring_action.overdue")
    assert sorted(str(who) for who, _ in escalated) == sorted(
        [str(a.approver.person_id), str(a.reader.person_id)]
    )
    # Closing it voids the escalation still queued.
    assert await _still_true(world, "monitoring_action.overdue") == [True, True]
    cancelled = await client.post(
        f"/v1/monitoring-actions/{made['id']}/cancellation",
        json={"reason": "Replaced by the review."},
        headers=a.approver.headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert await _still_true(world, "monitoring_action.overdue") == [False, False]


async def test_an_action_given_a_new_date_is_reminded_again_for_it(
    client: AsyncClient, world: World, transport: RecordingTransport
) -> None:
    a = world.a
    document_id = await in_force_document(client, a)
    made = await set_action(
        client, document_id, a.policy_officer.headers, action_body(a, due_on=day(1))
    )
    assert await sweep_monitoring(world.sessionmaker, transport, date.fromisoformat(day(0))) == 1
    moved = await client.patch(
        f"/v1/monitoring-actions/{made.json()['id']}",
        json={"due_on": day(5)},
        headers={**a.policy_officer.headers, "If-Match": made.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.text
    assert await sweep_monitoring(world.sessionmaker, transport, date.fromisoformat(day(0))) == 1
    assert len(await _told(world, "monitoring_action.due")) == 2


async def test_sweep_all_runs_the_monitoring_sweep(
    client: AsyncClient, world: World, transport: RecordingTransport, settings: Settings
) -> None:
    a = world.a
    document_id = await in_force_document(client, a)
    await set_action(client, document_id, a.policy_officer.headers, action_body(a, due_on=day(3)))
    report = await sweep_all(world.sessionmaker, settings, transport)
    assert report.monitoring_reminders == 1

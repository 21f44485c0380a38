"""Dis-applications in the notifier (Cafcass 6.1): who is emailed of a request, a decision and
an end; the daily sweep reminds the requester and the document's owner before the end date,
each threshold once however often it runs, and marks it expired once the end date has passed.

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
from services.notifier.sweeps import DisApplicationSweep, sweep_all, sweep_dis_applications
from tests.api.dis_applications_support import (
    approved,
    asked,
    day,
    decide,
    in_force_document,
    today,
)
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


async def test_the_decider_is_asked_and_the_requester_manager_and_owner_told_the_decision(
    client: AsyncClient, world: World, transport: RecordingTransport
) -> None:
    a = world.a
    # Owned by the author; the organisation's default decider is the owner.
    document_id = await in_force_document(client, a, owner_id=str(a.author.person_id))
    made = await asked(client, a, document_id)
    await _relay(world, transport)
    assert [who for who, _ in await _told(world, "dis_application.requested")] == [
        a.author.person_id
    ]
    # The author holds no permission to decide: an approver owner is needed. Hand the
    # document to the approver (the policy team's change), then the approver decides.
    got = await client.get(f"/v1/documents/{document_id}", headers=a.policy_officer.headers)
    moved = await client.patch(
        f"/v1/documents/{document_id}",
        json={"owner_id": str(a.approver.person_id)},
        headers={**a.policy_officer.headers, "If-Match": got.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.text
    decided = await decide(client, made["id"], a.approver.headers, outcome="refused")
    assert decided.status_code == 200, decided.text
    await _relay(world, transport)
    # The requester and the line manager they discussed it with; the owner decided it.
    assert sorted(str(who) for who, _ in await _told(world, "dis_application.decided")) == sorted(
        [str(a.reader.person_id), str(a.policy_officer.person_id)]
    )


async def test_the_sweep_reminds_before_the_end_once_per_threshold_then_expires_it(
    client: AsyncClient, world: World, transport: RecordingTransport
) -> None:
    a = world.a
    document_id = await in_force_document(client, a)
    granted = await approved(client, a, document_id, ends_on=day(10))
    ends_on = date.fromisoformat(granted["ends_on"])
    await _relay(world, transport)

    async def sweep(on: date) -> DisApplicationSweep:
        return await sweep_dis_applications(world.sessionmaker, transport, on)

    # Ten days before: the 14-day reminder (the nearest threshold reached), once.
    assert await sweep(ends_on - timedelta(days=10)) == DisApplicationSweep(0, 2)
    assert await sweep(ends_on - timedelta(days=10)) == DisApplicationSweep(0, 0)
    assert await sweep(ends_on - timedelta(days=9)) == DisApplicationSweep(0, 0)
    # Two days before: the last reminder, once.
    assert await sweep(ends_on - timedelta(days=2)) == DisApplicationSweep(0, 2)
    assert await sweep(ends_on - timedelta(days=1)) == DisApplicationSweep(0, 0)
    reminders = await _told(world, "dis_application.ending")
    assert sorted((str(who), key.split(":")[3]) for who, key in reminders) == sorted(
        [
            (str(a.reader.person_id), "14"),
            (str(a.approver.person_id), "14"),
            (str(a.reader.person_id), "2"),
            (str(a.approver.person_id), "2"),
        ]
    )
    # The end date itself is the last day in force.
    assert await sweep(ends_on) == DisApplicationSweep(0, 0)
    got = await client.get(f"/v1/dis-applications/{granted['id']}", headers=a.reader.headers)
    assert got.json()["status"] == "approved"
    # The day after: expired, once; both are told.
    assert await sweep(ends_on + timedelta(days=1)) == DisApplicationSweep(1, 0)
    assert await sweep(ends_on + timedelta(days=1)) == DisApplicationSweep(0, 0)
    got = await client.get(f"/v1/dis-applications/{granted['id']}", headers=a.reader.headers)
    assert (got.json()["status"], got.json()["ended_by_id"]) == ("expired", None)
    assert got.json()["end_reason"] == f"Its end date, {ends_on.isoformat()}, has passed."
    await _relay(world, transport)
    assert sorted(str(who) for who, _ in await _told(world, "dis_application.ended")) == sorted(
        [str(a.reader.person_id), str(a.approver.person_id)]
    )
    assert len(await _told(world, "dis_application.ending")) == 4


async def test_the_organisations_reminder_days_are_used_and_a_revoked_one_is_not_reminded(
    client: AsyncClient, world: World, transport: RecordingTransport
) -> None:
    a = world.a
    org = await client.get("/v1/organisation", headers=a.admin.headers)
    changed = await client.patch(
        "/v1/organisation",
        json={"dis_application_reminder_days": [30, 7]},
        headers={**a.admin.headers, "If-Match": org.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["dis_application_reminder_days"] == [30, 7]
    document_id = await in_force_document(client, a)
    kept = await approved(client, a, document_id, ends_on=day(60), section="A")
    revoked = await approved(client, a, document_id, ends_on=day(60), section="B")
    ended = await client.post(
        f"/v1/dis-applications/{revoked['id']}/revocation",
        json={"reason": "No longer needed."},
        headers=a.approver.headers,
    )
    assert ended.status_code == 200, ended.text
    ends_on = date.fromisoformat(kept["ends_on"])
    for days_before, reminders in ((31, 0), (30, 2), (14, 0), (8, 0)):
        swept = await sweep_dis_applications(
            world.sessionmaker, transport, ends_on - timedelta(days=days_before)
        )
        assert swept == DisApplicationSweep(0, reminders), days_before
    keys = [key for _, key in await _told(world, "dis_application.ending")]
    assert {key.split(":")[1] for key in keys} == {kept["id"]}
    assert {key.split(":")[3] for key in keys} == {"30"}


async def test_sweep_all_runs_the_dis_application_sweep(
    client: AsyncClient, world: World, transport: RecordingTransport, settings: Settings
) -> None:
    a = world.a
    document_id = await in_force_document(client, a)
    await approved(client, a, document_id, ends_on=day(3))
    report = await sweep_all(world.sessionmaker, settings, transport)
    assert (report.dis_applications_expired, report.dis_application_reminders) == (0, 2)


async def _still_true(world: World, kind: str) -> list[bool]:
    async with world.sessionmaker() as session:
        rows = await session.execute(
            select(Notification).where(Notification.kind == kind).order_by(Notification.created_at)
        )
        return [await is_still_true(session, n) for n in rows.scalars()]


async def test_a_request_email_is_void_once_decided_and_a_reminder_once_revoked(
    client: AsyncClient, world: World, transport: RecordingTransport
) -> None:
    a = world.a
    document_id = await in_force_document(client, a)
    made = await asked(client, a, document_id, ends_on=day(5))
    await _relay(world, transport)
    assert await _still_true(world, "dis_application.requested") == [True]
    decided = await decide(client, made["id"], a.approver.headers)
    assert decided.status_code == 200, decided.text
    assert await _still_true(world, "dis_application.requested") == [False]

    swept = await sweep_dis_applications(world.sessionmaker, transport, today())
    assert swept == DisApplicationSweep(0, 2)
    assert await _still_true(world, "dis_application.ending") == [True, True]
    revoked = await client.post(
        f"/v1/dis-applications/{made['id']}/revocation",
        json={"reason": "Back to normal."},
        headers=a.policy_officer.headers,
    )
    assert revoked.status_code == 200, revoked.text
    assert await _still_true(world, "dis_application.ending") == [False, False]

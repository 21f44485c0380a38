"""Read and acknowledge in the notifier: each person asked is emailed their own link; the
sweep reminds those still pending at each of the organisation's steps, once each however
often it runs, and tells the document's owner once, after the due date, who has not
confirmed. Real PostgreSQL, the real relay and sweep; the queue is recorded."""

from __future__ import annotations

from datetime import date

from httpx import AsyncClient
from sqlalchemy import select

from services.domain.boards.service import working_calendar
from services.domain.models.notifications import Notification
from services.domain.notifications.sending import is_still_true
from services.domain.settings import Settings
from services.notifier.email import render
from services.notifier.relay import relay_once
from services.notifier.staff_sweeps import AcknowledgementSweep, sweep_acknowledgements
from tests.api.acknowledgements_support import (
    add_person,
    issue,
    new_document,
    people_of,
    requests_of,
    set_audience,
    token_of,
)
from tests.factories import World
from tests.notifier.conftest import RecordingTransport


async def _relay(world: World, transport: RecordingTransport) -> None:
    while await relay_once(world.sessionmaker, transport):
        pass


async def _told(world: World, kind: str) -> list[Notification]:
    async with world.sessionmaker() as session:
        rows = await session.execute(
            select(Notification)
            .where(Notification.kind == kind)
            .order_by(Notification.created_at, Notification.dedupe_key)
        )
        return list(rows.scalars())


async def _asked(client: AsyncClient, world: World) -> tuple[str, dict[str, dict[str, str]], date]:
    a = world.a
    sam = await add_person(client, a, "Sam Patel", "North Locality")
    kim = await add_person(client, a, "Kim Other", "North Locality")
    document_id = await new_document(client, a)
    await set_audience(client, a, document_id, person_ids=[sam, kim], due_working_days=10)
    await issue(client, a, document_id)
    [request] = await requests_of(client, a, document_id)
    return (
        request["id"],
        await people_of(client, a, request["id"]),
        date.fromisoformat(request["due_on"]),
    )


async def test_each_person_asked_gets_their_own_link_void_once_they_confirm(
    client: AsyncClient, world: World, transport: RecordingTransport, settings: Settings
) -> None:
    _, people, _ = await _asked(client, world)
    await _relay(world, transport)
    emails = await _told(world, "acknowledgement.requested")
    assert sorted(str(n.recipient_person_id) for n in emails) == sorted(
        people[name]["person_id"] for name in ("Sam Patel", "Kim Other")
    )
    sam = next(n for n in emails if str(n.recipient_person_id) == people["Sam Patel"]["person_id"])
    token = token_of(settings, people["Sam Patel"]["id"])
    assert token not in str(sam.context)  # signed when written, never stored
    text = render(sam, settings).get_body(("plain",))
    assert text is not None
    assert f"/acknowledgements/respond?token={token}" in text.get_content()

    confirmed = await client.post(f"/v1/acknowledgement-links/{token}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    async with world.sessionmaker() as session:
        assert await is_still_true(session, sam) is False
        kim = next(n for n in emails if n.id != sam.id)
        assert await is_still_true(session, kim) is True


async def test_the_sweep_reminds_each_step_once_then_tells_the_owner_once(
    client: AsyncClient, world: World, transport: RecordingTransport, settings: Settings
) -> None:
    a = world.a
    request_id, people, due = await _asked(client, world)
    kim = token_of(settings, people["Kim Other"]["id"])
    assert (await client.post(f"/v1/acknowledgement-links/{kim}/confirm")).status_code == 200
    async with world.sessionmaker() as session:
        calendar = await working_calendar(session, a.id)

    async def sweep(on: date) -> AcknowledgementSweep:
        return await sweep_acknowledgements(world.sessionmaker, transport, on)

    # The organisation's steps: 5 and 1 working days before the due date.
    assert await sweep(calendar.add_working_days(due, -6)) == AcknowledgementSweep(0, 0)
    assert await sweep(calendar.add_working_days(due, -5)) == AcknowledgementSweep(1, 0)
    assert await sweep(calendar.add_working_days(due, -5)) == AcknowledgementSweep(0, 0)
    assert await sweep(calendar.add_working_days(due, -3)) == AcknowledgementSweep(0, 0)
    assert await sweep(calendar.add_working_days(due, -1)) == AcknowledgementSweep(1, 0)
    assert await sweep(due) == AcknowledgementSweep(0, 0)
    reminders = await _told(world, "acknowledgement.reminder")
    assert [n.dedupe_key.rsplit(":", 1)[1] for n in reminders] == ["5", "1"]
    assert {str(n.recipient_person_id) for n in reminders} == {people["Sam Patel"]["person_id"]}
    row = (await people_of(client, a, request_id))["Sam Patel"]
    assert row["reminders_sent"] == [5, 1]

    # The owner (the approver) is told two working days after the due date, once.
    assert await sweep(calendar.add_working_days(due, 1)) == AcknowledgementSweep(0, 0)
    assert await sweep(calendar.add_working_days(due, 2)) == AcknowledgementSweep(0, 1)
    assert await sweep(calendar.add_working_days(due, 3)) == AcknowledgementSweep(0, 0)
    await _relay(world, transport)
    [escalation] = await _told(world, "acknowledgement.escalated")
    assert escalation.recipient_person_id == a.approver.person_id
    assert escalation.context["pending_names"] == ["Sam Patel (North Locality)"]
    assert (escalation.context["asked"], escalation.context["pending"]) == (2, 1)
    got = await client.get(
        f"/v1/acknowledgement-requests/{request_id}", headers=a.policy_officer.headers
    )
    assert got.json()["escalated_at"] is not None
    assert (await people_of(client, a, request_id))["Sam Patel"]["escalated_at"] is not None


async def test_the_organisations_steps_are_used_and_bounded(
    client: AsyncClient, world: World, transport: RecordingTransport
) -> None:
    a = world.a
    org = await client.get("/v1/organisation", headers=a.admin.headers)
    assert org.json()["acknowledgement_reminder_days"] == [5, 1]
    bad = await client.patch(
        "/v1/organisation",
        json={"acknowledgement_reminder_days": [31]},
        headers={**a.admin.headers, "If-Match": org.headers["ETag"]},
    )
    assert bad.status_code == 422, bad.text
    changed = await client.patch(
        "/v1/organisation",
        json={
            "acknowledgement_reminder_days": [2, 2],
            "acknowledgement_escalation_working_days": 0,
        },
        headers={**a.admin.headers, "If-Match": org.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["acknowledgement_reminder_days"] == [2]
    _, _, due = await _asked(client, world)
    async with world.sessionmaker() as session:
        calendar = await working_calendar(session, a.id)
    sweep = await sweep_acknowledgements(
        world.sessionmaker, transport, calendar.add_working_days(due, -2)
    )
    assert sweep == AcknowledgementSweep(2, 0)
    # No grace: the owner is told the first working day after the due date.
    after = await sweep_acknowledgements(
        world.sessionmaker, transport, calendar.add_working_days(due, 1)
    )
    assert after == AcknowledgementSweep(0, 1)

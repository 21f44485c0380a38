"""Review reminders and escalations: once per document, due date, threshold and person."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from httpx import AsyncClient
from sqlalchemy import delete, select, text, update

from services.domain.models.documents import Document
from services.domain.models.notifications import Notification, SweepMark
from services.domain.models.organisations import Organisation
from services.domain.notifications import review_window
from services.domain.settings import Settings
from services.notifier.sweeps import sweep_reviews
from tests.factories import World, document_body
from tests.notifier.conftest import RecordingTransport
from tests.statements import statements_of

TODAY = date(2026, 11, 23)


async def procedure_due(client: AsyncClient, world: World, due: date, **extra: object) -> dict:
    fields: dict[str, object] = {
        "kind": "procedure",
        "owner_id": str(world.a.approver.person_id),
        "responsible_officer_id": str(world.a.author.person_id),
        "next_review_due": due.isoformat(),
        "status": "published",
        **extra,
    }
    body = document_body(**fields)
    response = await client.post("/v1/documents", json=body, headers=world.a.policy_officer.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def notices(world: World) -> list[tuple[str, str]]:
    async with world.sessionmaker() as session:
        rows = (await session.execute(select(Notification).order_by(Notification.kind))).scalars()
        return sorted((n.kind, n.recipient_email.split("@")[0]) for n in rows)


async def admin_escalates(world: World) -> None:
    """Make alpha's admin its escalation contact."""
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            update(Organisation)
            .where(Organisation.id == world.a.id)
            .values(escalation_contact_id=world.a.admin.person_id)
        )


async def test_a_review_due_in_seven_days_reminds_the_ro_and_the_rsm_once(
    client: AsyncClient, world: World, settings: Settings, transport: RecordingTransport
) -> None:
    await procedure_due(client, world, TODAY + timedelta(days=7))
    for _ in range(3):
        await sweep_reviews(world.sessionmaker, settings, transport, today=TODAY)
    assert await notices(world) == [
        ("review.due_soon", "approver"),
        ("review.due_soon", "author"),
    ]
    assert len(transport.jobs) == 2


async def test_two_workers_sweeping_at_the_same_moment_send_each_reminder_once(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    for days in (1, 7, 20, 30):
        await procedure_due(client, world, TODAY + timedelta(days=days))
    first, second = RecordingTransport(), RecordingTransport()
    await asyncio.gather(
        *(
            sweep_reviews(world.sessionmaker, settings, t, today=TODAY)
            for t in (first, second, first, second)
        )
    )
    async with world.sessionmaker() as session:
        count = len((await session.execute(select(Notification.id))).all())
    assert count == 8  # four documents, RO and RSM each
    assert len(first.jobs) + len(second.jobs) == 8


async def test_missing_a_review_by_two_months_escalates_to_the_escalation_contact(
    client: AsyncClient, world: World, settings: Settings, transport: RecordingTransport
) -> None:
    await admin_escalates(world)
    await procedure_due(client, world, date(2026, 9, 23))
    await sweep_reviews(world.sessionmaker, settings, transport, today=TODAY)
    assert await notices(world) == [
        ("review.escalated", "admin"),
        ("review.overdue", "approver"),
        ("review.overdue", "author"),
    ]
    async with world.sessionmaker() as session:
        escalation = (
            await session.execute(
                select(Notification).where(Notification.kind == "review.escalated")
            )
        ).scalar_one()
    assert escalation.context["months"] == 2
    assert escalation.context["responsible_officer_name"] == "Author of alpha"


async def test_the_rsm_standing_in_as_ro_gets_one_reminder_not_two(
    client: AsyncClient, world: World, settings: Settings, transport: RecordingTransport
) -> None:
    await procedure_due(client, world, TODAY + timedelta(days=7), responsible_officer_id=None)
    await sweep_reviews(world.sessionmaker, settings, transport, today=TODAY)
    assert await notices(world) == [("review.due_soon", "approver")]


async def test_retired_documents_get_no_review_notices(
    client: AsyncClient, world: World, settings: Settings, transport: RecordingTransport
) -> None:
    await procedure_due(client, world, TODAY + timedelta(days=7), status="retired")
    await sweep_reviews(world.sessionmaker, settings, transport, today=TODAY)
    assert await notices(world) == []


async def sweep_statements(world: World, settings: Settings) -> list[str]:
    """The statements of one sweep of TODAY."""
    with statements_of(world.sessionmaker) as statements:
        await sweep_reviews(world.sessionmaker, settings, RecordingTransport(), today=TODAY)
    return statements


async def test_a_sweep_with_nothing_new_to_send_does_not_visit_each_document_due(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    """It runs every minute: at 100,000 documents, a savepoint and a dozen statements for each
    one overdue or due soon took 87 s a run, to create nothing."""
    counts = []
    for more in (3, 9):
        for n in range(more):
            await procedure_due(client, world, TODAY - timedelta(days=100 + n))
        await sweep_reviews(world.sessionmaker, settings, RecordingTransport(), today=TODAY)
        statements = await sweep_statements(world, settings)
        made = [s for s in statements if s.startswith(("SAVEPOINT", "INSERT"))]
        assert [s.split("(")[0] for s in made] == ["INSERT INTO sweep_marks "]  # where it got to
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


async def overdue_and_told(
    client: AsyncClient, world: World, settings: Settings, days: int
) -> dict:
    """A document ``days`` overdue, swept once: its owner and RO have their notices."""
    doc = await procedure_due(client, world, TODAY - timedelta(days=days))
    await sweep_reviews(world.sessionmaker, settings, RecordingTransport(), today=TODAY)
    assert await notices(world) == [("review.overdue", "approver"), ("review.overdue", "author")]
    return doc


async def test_a_new_owner_of_an_overdue_document_is_told_at_the_next_sweep(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    doc = await overdue_and_told(client, world, settings, days=3)
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            update(Document)
            .where(Document.id == uuid.UUID(doc["id"]))
            .values(owner_id=world.a.policy_officer.person_id)
        )
    transport = RecordingTransport()
    await sweep_reviews(world.sessionmaker, settings, transport, today=TODAY)
    assert ("review.overdue", "policy_officer") in await notices(world)
    assert len(transport.jobs) == 1


async def hand_edit_owner(world: World, document_id: str, owner: uuid.UUID) -> None:
    """A change the sweep cannot know of: stamped as if made long ago (it was made before the
    last sweep in the test, but within the allowance for clocks)."""
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            text(
                "UPDATE documents SET owner_id = :owner, updated_at = now() - interval '1 day'"
                " WHERE id = :id"
            ),
            {"owner": owner, "id": uuid.UUID(document_id)},
        )
        # The world was built moments ago: its organisations and people count as changed.
        for table in ("organisations", "people"):
            await session.execute(text(f"UPDATE {table} SET updated_at = now() - interval '1 day'"))


async def test_a_document_unchanged_and_reaching_no_threshold_is_not_read_again(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    # The sweep runs every minute over every organisation: it reads what may have changed since
    # its last run (review_window.py), not the whole backlog of overdue documents. This one's
    # escalation falls today (two months on): not read again today either.
    doc = await overdue_and_told(client, world, settings, days=(TODAY - date(2026, 9, 23)).days)
    await hand_edit_owner(world, doc["id"], world.a.policy_officer.person_id)
    for day in (TODAY, TODAY + timedelta(days=1)):
        await sweep_reviews(world.sessionmaker, settings, RecordingTransport(), today=day)
    assert ("review.overdue", "policy_officer") not in await notices(world)
    # Without the mark, a run reads every document due, as a first run does.
    async with world.sessionmaker() as session, session.begin():
        await session.execute(delete(SweepMark))
    await sweep_reviews(world.sessionmaker, settings, RecordingTransport(), today=TODAY)
    assert ("review.overdue", "policy_officer") in await notices(world)


async def test_each_threshold_reached_on_a_later_day_is_noticed_that_day(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    await admin_escalates(world)
    due = date(2026, 12, 31)  # escalated two months on: 28 February, the month's last day
    await procedure_due(client, world, due)
    seen: dict[date, list[str]] = {}
    days = [TODAY, due - timedelta(days=30), due - timedelta(days=8), due - timedelta(days=7)]
    days += [due, due + timedelta(days=1), date(2027, 2, 27), date(2027, 2, 28)]
    for day in days:
        before = await notices(world)
        await sweep_reviews(world.sessionmaker, settings, RecordingTransport(), today=day)
        seen[day] = sorted({kind for kind, _ in await notices(world)} - {k for k, _ in before})
    assert seen == {
        TODAY: [],
        due - timedelta(days=30): ["review.due_soon"],
        due - timedelta(days=8): [],
        due - timedelta(days=7): [],  # the 7-day reminder: same kind, another key
        due: [],
        due + timedelta(days=1): ["review.overdue"],
        date(2027, 2, 27): [],
        date(2027, 2, 28): ["review.escalated"],
    }
    # The 7-day reminder was made on its day, to both people.
    async with world.sessionmaker() as session:
        keys = (await session.execute(select(Notification.dedupe_key))).scalars()
        assert sum(":due_soon:7:" in key for key in keys) == 2


async def test_a_new_escalation_contact_is_sent_the_escalations_outstanding(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    await procedure_due(client, world, TODAY - timedelta(days=90))
    await sweep_reviews(world.sessionmaker, settings, RecordingTransport(), today=TODAY)
    assert ("review.escalated", "admin") not in await notices(world)  # nobody to escalate to
    async with world.sessionmaker() as session, session.begin():
        organisation = await session.get(Organisation, world.a.id)
        assert organisation is not None
        organisation.escalation_contact_id = world.a.admin.person_id
    await sweep_reviews(world.sessionmaker, settings, RecordingTransport(), today=TODAY)
    assert ("review.escalated", "admin") in await notices(world)


async def test_a_change_committed_after_a_sweep_began_is_read_by_the_next_one(
    client: AsyncClient, world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No allowance for clocks here: what is tested is the open transaction's own start.
    monkeypatch.setattr(review_window, "CLOCK_MARGIN", timedelta(0))
    doc = await overdue_and_told(client, world, settings, days=30)
    async with world.sessionmaker() as session, session.begin():
        await session.execute(text("SELECT 1"))  # the transaction has begun
        await asyncio.sleep(0.2)
        document = await session.get(Document, uuid.UUID(doc["id"]))
        assert document is not None
        document.owner_id = world.a.policy_officer.person_id
        await session.flush()  # stamped now, seen only at the commit, after this sweep
        await asyncio.sleep(0.2)
        await sweep_reviews(world.sessionmaker, settings, RecordingTransport(), today=TODAY)
    assert ("review.overdue", "policy_officer") not in await notices(world)
    await sweep_reviews(world.sessionmaker, settings, RecordingTransport(), today=TODAY)
    assert ("review.overdue", "policy_officer") in await notices(world)


@pytest.mark.parametrize("months", [1, 2, 6])
def test_the_review_dates_escalating_between_two_days_are_found_exactly(months: int) -> None:
    # Month ends escalate together (29, 30 and 31 December on 28 February): every day of a
    # year, against the dates counted one by one.
    grace = relativedelta(months=months)
    for start in range(365):
        after = date(2027, 1, 1) + timedelta(days=start)
        for days in (0, 1, 31):
            through = after + timedelta(days=days)
            first, last = review_window._escalating(months, after, through)
            near = (after - grace + timedelta(days=n) for n in range(-5, days + 5))
            assert [first + timedelta(days=n) for n in range((last - first).days + 1)] == [
                d for d in near if after < d + grace <= through
            ]

"""Documents created many at once (a tracker import) get the same checks, audit records and
events as one at a time, in a number of statements that does not grow with the batch."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import event, select

from services.domain.audit import service as audit
from services.domain.authz.principal import Principal
from services.domain.documents import service as documents
from services.domain.documents.commands import NewDocument
from services.domain.errors import Conflict, Invalid
from services.domain.models.audit import AuditRecord
from services.domain.models.documents import Document
from services.domain.models.outbox import OutboxEvent
from tests.factories import World


def fields(world: World, reference: str, more: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "reference": reference,
        "title": f"Safeguarding procedure {reference}",
        "kind": "procedure",
        "status": "published",
        "responsible_officer_id": world.a.author.person_id,
        "owner_id": world.a.policy_officer.person_id,
        "last_reviewed_on": date(2026, 1, 31),
    } | (more or {})


def system(world: World) -> Principal:
    return Principal.system(world.a.id, "test import")


async def created(world: World, rows: list[dict[str, Any]]) -> list[Document]:
    async with world.sessionmaker() as session, session.begin():
        return await documents.create_documents(
            session, system(world), [NewDocument.of(row) for row in rows]
        )


async def history(world: World, document_id: Any) -> tuple[list[str], list[str]]:
    """The audit actions and the event types about one document, in their order."""
    async with world.sessionmaker() as session:
        actions = await session.scalars(
            select(AuditRecord.action)
            .where(AuditRecord.entity_id == document_id)
            .order_by(AuditRecord.seq)
        )
        types = await session.scalars(
            select(OutboxEvent.type)
            .where(OutboxEvent.payload["document_id"].astext == str(document_id))
            .order_by(OutboxEvent.created_at, OutboxEvent.id)
        )
        return list(actions), list(types)


async def test_a_batch_records_and_tells_what_one_at_a_time_does(world: World) -> None:
    async with world.sessionmaker() as session, session.begin():
        alone = await documents.create_document(
            session, system(world), NewDocument.of(fields(world, "ONE-1"))
        )
    batch = await created(world, [fields(world, f"MANY-{n}") for n in range(3)])
    expected = await history(world, alone.id)
    assert expected == (
        ["document.created"],
        [
            "document.created",
            "document.owner_changed",
            "document.owner_changed",
            "document.people_assigned",
        ],
    )
    for document in batch:
        assert await history(world, document.id) == expected
        # The review-date rule: a year (the organisation's default) after the last review.
        assert document.next_review_due == date(2027, 1, 31)
    async with world.sessionmaker() as session:
        verdict = await audit.verify_chain(session, world.a.id)
    assert verdict.is_intact, verdict


async def test_the_statements_do_not_grow_with_the_batch(world: World) -> None:
    counts = []
    for size in (10, 400):
        statements: list[str] = []

        def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            statements.append(statement)  # noqa: B023  (used within the loop's turn)

        async with world.sessionmaker() as session, session.begin():
            connection = await session.connection()
            event.listen(connection.sync_connection, "before_cursor_execute", seen)
            rows = [fields(world, f"B{size}-{n}") for n in range(size)]
            await documents.create_documents(
                session, system(world), [NewDocument.of(row) for row in rows]
            )
        counts.append(len(statements))
    # One at a time, a document took some twenty statements.
    assert counts[0] == counts[1] < 25, counts


@pytest.mark.parametrize(
    ("second", "problem", "field"),
    [
        ({"reference": "SAME-1"}, Conflict, "reference"),
        ({"kind": "poem"}, Invalid, "kind"),
        ({"owner_id": None}, Invalid, "owner_id"),  # a procedure needs its owner (NCT's rule)
        ({"reference": "bad reference"}, Invalid, "reference"),
    ],
)
async def test_one_bad_row_refuses_the_whole_batch(
    world: World, second: dict[str, Any], problem: type[Exception], field: str
) -> None:
    rows = [fields(world, "SAME-1"), fields(world, "SAME-2", second)]
    with pytest.raises(problem) as raised:
        await created(world, rows)
    assert raised.value.extra.get("field") == field  # type: ignore[attr-defined]
    async with world.sessionmaker() as session:
        assert await session.scalar(select(Document.id).limit(1)) is None

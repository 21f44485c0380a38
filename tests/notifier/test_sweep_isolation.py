"""One item a sweep cannot handle is logged and skipped; the others in the same sweep go on.

The fault is real: a PostgreSQL trigger refuses the change to one row, as a constraint, bad
data or a bug would, and the sweep runs against the real database.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import select

from services.domain.models.consultations import Consultation
from services.domain.models.notifications import Notification
from services.domain.settings import Settings
from services.notifier.sweeps import sweep_consultations, sweep_reviews
from tests.api.boards_support import create_document_with_draft
from tests.api.consultations_support import in_hours, open_consultation
from tests.factories import World
from tests.notifier.conftest import RecordingTransport
from tests.notifier.test_review_sweep import TODAY, procedure_due


@asynccontextmanager
async def refusing(world: World, table: str, when: str, operation: str) -> AsyncIterator[None]:
    """Every ``operation`` (UPDATE or INSERT) on ``table`` matching ``when`` fails."""
    async with world.sessionmaker() as session, session.begin():
        conn = await session.connection()
        await conn.exec_driver_sql(
            "CREATE OR REPLACE FUNCTION injected_fault() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'injected fault'; END $$"
        )
        await conn.exec_driver_sql(
            f"CREATE TRIGGER injected_fault BEFORE {operation} ON {table} "
            f"FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION injected_fault()"
        )
    try:
        yield
    finally:
        async with world.sessionmaker() as session, session.begin():
            conn = await session.connection()
            await conn.exec_driver_sql(f"DROP TRIGGER injected_fault ON {table}")
            await conn.exec_driver_sql("DROP FUNCTION injected_fault()")


async def two_consultations(client: AsyncClient, world: World, **fields: str) -> list[str]:
    ids = []
    for reference in ("PROC-1", "PROC-2"):
        document_id, version_id = await create_document_with_draft(client, world, reference)
        consultation = await open_consultation(client, world, document_id, version_id, **fields)
        ids.append(consultation["id"])
    return ids


async def status_of(world: World, consultation_id: str) -> str:
    async with world.sessionmaker() as session:
        consultation = await session.get(Consultation, uuid.UUID(consultation_id))
        assert consultation is not None
        return consultation.status


async def test_a_consultation_that_cannot_be_closed_does_not_hold_up_the_others(
    client: AsyncClient,
    world: World,
    transport: RecordingTransport,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bad, good = await two_consultations(client, world)
    later = datetime.now(UTC) + timedelta(days=400)

    async with refusing(world, "consultations", f"OLD.id = '{bad}'", "UPDATE"):
        report = await sweep_consultations(world.sessionmaker, transport, later)

    assert report.closed == 1
    assert (await status_of(world, bad), await status_of(world, good)) == ("open", "closed")
    assert f"consultation to close {bad} skipped" in caplog.text
    # The next sweep, the fault gone, closes the one left.
    assert (await sweep_consultations(world.sessionmaker, transport, later)).closed == 1
    assert await status_of(world, bad) == "closed"


async def test_a_consultation_that_cannot_be_opened_does_not_hold_up_the_others(
    client: AsyncClient, world: World, transport: RecordingTransport
) -> None:
    bad, good = await two_consultations(client, world, opens_at=in_hours(24))
    assert await status_of(world, bad) == "scheduled"
    tomorrow = datetime.now(UTC) + timedelta(hours=25)

    async with refusing(world, "consultations", f"OLD.id = '{bad}'", "UPDATE"):
        report = await sweep_consultations(world.sessionmaker, transport, tomorrow)

    assert report.opened == 1
    assert (await status_of(world, bad), await status_of(world, good)) == ("scheduled", "open")


async def test_a_review_notice_that_cannot_be_written_does_not_hold_up_the_others(
    client: AsyncClient, world: World, settings: Settings, transport: RecordingTransport
) -> None:
    bad = await procedure_due(client, world, TODAY + timedelta(days=7))
    good = await procedure_due(client, world, TODAY + timedelta(days=7))

    async with refusing(world, "notifications", f"NEW.document_id = '{bad['id']}'", "INSERT"):
        created = await sweep_reviews(world.sessionmaker, settings, transport, today=TODAY)

    assert created == 2  # the RO and the owner of the good one
    async with world.sessionmaker() as session:
        documents = (await session.execute(select(Notification.document_id))).scalars().all()
    assert {str(d) for d in documents} == {good["id"]}
    assert len(transport.jobs) == 2

"""NCT's demo has a Trix update cycle (NCT 3.4 a) opened five weeks ago, every item decided by
its RO, and one chapter amended and issued since, so its amendment pack is not empty
(seed-demo)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import london_day, london_today
from services.domain.demo.loader import load_data, seed_organisation
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.reviews import UpdateCycle, UpdateCycleItem, UpdateCycleItemStatus
from services.domain.organisations import service as organisations

SPECS = {spec["slug"]: spec for spec in load_data()["organisations"]}


async def test_nct_has_one_decided_update_cycle_with_an_amendment_issued_since_it_opened(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    for expected in (1, 0):
        async with sessionmaker() as session:
            counts = await seed_organisation(session, SPECS["nct"])
            await session.commit()
        assert counts["update_cycles"] == expected
    async with sessionmaker() as session:
        org = await organisations.find_by_slug(session, "nct")
        assert org is not None
        cycles = list(
            (
                await session.execute(
                    select(UpdateCycle).where(UpdateCycle.organisation_id == org.id)
                )
            ).scalars()
        )
        assert len(cycles) == 1
        cycle = cycles[0]
        items = list(
            (
                await session.execute(
                    select(UpdateCycleItem).where(UpdateCycleItem.cycle_id == cycle.id)
                )
            ).scalars()
        )
        chapter = (
            await session.execute(
                select(Document).where(
                    Document.organisation_id == org.id, Document.reference == "PROC-003"
                )
            )
        ).scalar_one()
        issued = sorted(
            (v.number, v.issued_on)
            for v in (
                await session.execute(
                    select(DocumentVersion).where(DocumentVersion.document_id == chapter.id)
                )
            ).scalars()
        )
    opened = london_day(cycle.created_at)
    assert opened == london_today() - timedelta(days=35)
    # NCT 3.4 a iii: about six weeks to review and approve the amendments.
    assert cycle.submission_deadline == opened + timedelta(weeks=6)
    assert all(i.status != UpdateCycleItemStatus.PENDING for i in items)
    assert {i.status for i in items} == {
        UpdateCycleItemStatus.AMENDED,
        UpdateCycleItemStatus.ACCEPTED,
        UpdateCycleItemStatus.REJECTED,
    }
    # The amended chapter: in force before the plan arrived, issued again since.
    assert issued[0][0] == "1.0" and issued[0][1] is not None and issued[0][1] < opened
    assert issued[-1] == ("2.0", london_today())

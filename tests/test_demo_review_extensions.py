"""NCT's demo has review extensions (seed 003, 3.4(b)(i): the tracker's "Next Review To Be
Completed By"): one agreed, which the tracker shows as extended with the date it was first due,
and one waiting for its RSM; seeding again adds none (seed-demo)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import london_today
from services.domain.demo.loader import load_data, seed_organisation
from services.domain.models.documents import Document
from services.domain.models.review_extensions import ReviewExtension, ReviewExtensionStatus
from services.domain.organisations import service as organisations
from services.domain.review_extensions.standing import state_of

SPECS = {spec["slug"]: spec for spec in load_data()["organisations"]}


async def test_nct_shows_one_agreed_and_one_pending_review_extension_once(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    spec = SPECS["nct"]
    async with sessionmaker() as session:
        counts = await seed_organisation(session, spec)
        await session.commit()
    assert counts["review_extensions"] == 2
    async with sessionmaker() as session:
        again = await seed_organisation(session, spec)
        await session.commit()
    assert again["review_extensions"] == 0
    async with sessionmaker() as session:
        org = await organisations.find_by_slug(session, "nct")
        assert org is not None
        rows = await session.execute(
            select(ReviewExtension, Document)
            .join(Document, Document.id == ReviewExtension.document_id)
            .where(ReviewExtension.organisation_id == org.id)
        )
        found = {document.reference: (extension, document) for extension, document in rows.all()}
        assert set(found) == {"PG-002", "PROC-004"}
        agreed, guidance = found["PG-002"]
        today = london_today()
        assert agreed.status == ReviewExtensionStatus.AGREED
        assert guidance.next_review_due == today + timedelta(days=75)
        state = await state_of(session, guidance)
        assert (state.is_extended, state.original_due) == (True, today + timedelta(days=20))
        pending, procedure = found["PROC-004"]
        assert pending.status == ReviewExtensionStatus.PENDING
        assert procedure.next_review_due == today + timedelta(days=65)
        assert (await state_of(session, procedure)).pending is not None

"""The demo shows a cascade review (issue 20, item 1): LBBD's Adult Safeguarding Policy
(POL-001), amended from 1.0 to 2.0, governs the Section 42 Enquiries Procedure (PROC-002),
which is given an unscheduled review with the trigger 'parent changed', once."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.demo.loader import load_data, seed_organisation
from services.domain.models.cascades import CascadeFlag, CascadeStatus
from services.domain.models.documents import Document, DocumentStatus
from services.domain.models.reviews import Review
from services.domain.organisations import service as organisations

SPECS = {spec["slug"]: spec for spec in load_data()["organisations"]}
Session = async_sessionmaker[AsyncSession]


async def _seed(sessionmaker: Session) -> dict[str, int]:
    async with sessionmaker() as session:
        counts = await seed_organisation(session, SPECS["lbbd"])
        await session.commit()
    return counts


@pytest.mark.parametrize("slug", ["lbbd"])
async def test_lbbds_amended_safeguarding_policy_opens_a_review_of_its_procedure_once(
    sessionmaker: Session, slug: str
) -> None:
    assert (await _seed(sessionmaker))["cascade_flags"] == 1
    assert (await _seed(sessionmaker))["cascade_flags"] == 0
    async with sessionmaker() as session:
        org = await organisations.find_by_slug(session, slug)
        assert org is not None
        documents = {
            d.reference: d
            for d in (
                await session.execute(select(Document).where(Document.organisation_id == org.id))
            ).scalars()
        }
        [flag] = (
            await session.execute(select(CascadeFlag).where(CascadeFlag.organisation_id == org.id))
        ).scalars()
        assert (flag.parent_document_id, flag.document_id) == (
            documents["POL-001"].id,
            documents["PROC-002"].id,
        )
        assert (flag.previous_number, flag.parent_number) == ("1.0", "2.0")
        assert flag.status == CascadeStatus.REVIEW_OPENED
        review = await session.get(Review, flag.review_id)
        assert review is not None
        assert (review.trigger, review.document_id) == ("parent_changed", documents["PROC-002"].id)
        assert "Adult Safeguarding Policy" in review.trigger_detail
        assert documents["PROC-002"].status == DocumentStatus.UNDER_REVIEW

"""The demo organisations whose seeds ask for requests to the policy service (Birmingham,
Dorset) are seeded with some: open on the queue, accepted into a proposal or a review, and
declined with reasons (seed-demo)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import london_today
from services.domain.demo.loader import load_data, seed_organisation
from services.domain.models.assessments import Proposal
from services.domain.models.policy_requests import (
    AcceptedAs,
    PolicyRequest,
    RequestStatus,
)
from services.domain.models.reviews import Review
from services.domain.organisations import service as organisations

SPECS = {spec["slug"]: spec for spec in load_data()["organisations"]}
Session = async_sessionmaker[AsyncSession]


async def _seed(sessionmaker: Session, spec: dict[str, Any]) -> dict[str, int]:
    async with sessionmaker() as session:
        counts = await seed_organisation(session, spec)
        await session.commit()
    return counts


async def _requests(sessionmaker: Session, slug: str) -> list[PolicyRequest]:
    async with sessionmaker() as session:
        org = await organisations.find_by_slug(session, slug)
        assert org is not None
        rows = await session.execute(
            select(PolicyRequest).where(PolicyRequest.organisation_id == org.id)
        )
        return list(rows.scalars())


@pytest.mark.parametrize("slug", ["bct", "dorset"])
async def test_the_demo_shows_open_accepted_and_declined_requests_once(
    sessionmaker: Session, slug: str
) -> None:
    first = await _seed(sessionmaker, SPECS[slug])
    assert first["requests"] == len(SPECS[slug]["requests"])
    assert (await _seed(sessionmaker, SPECS[slug]))["requests"] == 0
    found = await _requests(sessionmaker, slug)
    assert len(found) == len(SPECS[slug]["requests"])
    assert {r.status for r in found} == {
        RequestStatus.OPEN,
        RequestStatus.ACCEPTED,
        RequestStatus.DECLINED,
    }
    async with sessionmaker() as session:
        for request in found:
            if request.accepted_as == AcceptedAs.PROPOSAL:
                assert await session.get(Proposal, request.proposal_id) is not None
            if request.accepted_as == AcceptedAs.REVIEW:
                assert await session.get(Review, request.review_id) is not None
            if request.status == RequestStatus.DECLINED:
                assert request.decision_note


async def test_birminghams_queue_has_an_overdue_urgent_request_and_a_review(
    sessionmaker: Session,
) -> None:
    await _seed(sessionmaker, SPECS["bct"])
    found = await _requests(sessionmaker, "bct")
    overdue = [
        r.title
        for r in found
        if r.status == RequestStatus.OPEN and r.triage_due_on < london_today()
    ]
    assert overdue == ["Child protection conference escalation procedure"]
    assert {r.accepted_as for r in found} >= {AcceptedAs.PROPOSAL, AcceptedAs.REVIEW}
    # The other organisations' seeds do not ask for requests to a policy service.
    assert await _requests(sessionmaker, "bct") and "requests" not in SPECS["nct"]

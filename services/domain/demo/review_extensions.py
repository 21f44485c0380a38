"""The demo's review extensions (NCT: "Next Review To Be Completed By" on the Procedures Manual
Tracker), asked for and decided through the domain's own rules by the people the data file
names: one agreed (the tracker shows the document extended), one waiting for its RSM."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.clock import london_today
from services.domain.demo.acting import acting_as
from services.domain.models.documents import Document
from services.domain.models.review_extensions import ReviewExtension
from services.domain.review_extensions import decisions, service
from services.domain.review_extensions.commands import NewReviewExtension, ReviewExtensionDecision


async def seed_review_extensions(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    listed: list[dict[str, Any]],
    by_reference: dict[str, Document],
    by_email: dict[str, Any],
) -> int:
    """Each request of the data file whose document has none yet, to a date counted from
    today; how many were created."""
    created = 0
    for spec in listed:
        document = by_reference[spec["reference"]]
        exists = await session.execute(
            select(ReviewExtension.id).where(
                ReviewExtension.organisation_id == organisation_id,
                ReviewExtension.document_id == document.id,
            )
        )
        if exists.first() is not None:
            continue
        command = NewReviewExtension(
            requested_due=london_today() + timedelta(days=spec["requested_in_days"]),
            reasons=spec["reasons"],
        )
        requester = acting_as(organisation_id, by_email[spec["requested_by_email"]])
        asked = await service.request_extension(session, requester, document.id, command)
        decision = spec.get("decision")
        if decision is not None:
            decider = acting_as(organisation_id, by_email[decision["by_email"]])
            extension, locked = await service.get_extension(
                session, decider, asked.id, for_update=True
            )
            await decisions.decide_extension(
                session,
                decider,
                extension,
                locked,
                ReviewExtensionDecision(outcome=decision["outcome"], note=decision["note"]),
            )
        created += 1
    return created

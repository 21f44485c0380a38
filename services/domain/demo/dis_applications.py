"""The demo's dis-applications (Cafcass 6.1), asked for and decided through the domain's own
rules by the people the data file names: one in force, one ending within the fortnight (so the
first sweep reminds of it), one refused."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.clock import london_today
from services.domain.demo.acting import acting_as
from services.domain.dis_applications import service
from services.domain.dis_applications.commands import DisApplicationDecision, NewDisApplication
from services.domain.models.dis_applications import DisApplication
from services.domain.models.documents import Document


async def seed_dis_applications(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    listed: list[dict[str, Any]],
    by_reference: dict[str, Document],
    by_email: dict[str, Any],
) -> int:
    """Each dis-application of the data file not yet there (by document and part), dated from
    today; how many were created."""
    created = 0
    today = london_today()
    for spec in listed:
        document = by_reference[spec["reference"]]
        exists = await session.execute(
            select(DisApplication.id).where(
                DisApplication.organisation_id == organisation_id,
                DisApplication.document_id == document.id,
                DisApplication.section == spec["section"],
            )
        )
        if exists.first() is not None:
            continue
        command = NewDisApplication(
            section=spec["section"],
            applies_to=spec["applies_to"],
            reasons=spec["reasons"],
            risks=spec["risks"],
            mitigation=spec["mitigation"],
            starts_on=today,
            ends_on=today + timedelta(days=spec["lasts_days"]),
            discussed_with_id=by_email[spec["discussed_with_email"]],
        )
        requester = acting_as(organisation_id, by_email[spec["requested_by_email"]])
        asked = await service.request_dis_application(session, requester, document.id, command)
        decision = spec.get("decision")
        if decision is not None:
            approving = decision["outcome"] == "approved"
            await service.decide_dis_application(
                session,
                acting_as(organisation_id, by_email[decision["by_email"]]),
                asked,
                DisApplicationDecision(
                    outcome=decision["outcome"],
                    note=decision["note"],
                    circumstances_exceptional=approving,
                    variation_justified=approving,
                ),
            )
        created += 1
    return created

"""The demo organisations' requests to the policy service: some open on the queue (one past
its triage date), some accepted into a proposal or a review, some declined with reasons.

Birmingham: "All requests for support with developing or refreshing policies, procedures,
practice standards or practice guidance should be emailed to the Policy Service within the
Practice Hub". Dorset aim 3 iii: the PPP Group evaluates and agrees the need for new governance
documents before they are drafted.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.models.documents import Document
from services.domain.models.policy_requests import PolicyRequest
from services.domain.policy_requests import service, triage
from services.domain.policy_requests.commands import Acceptance, NewPolicyRequest


async def seed_requests(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    listed: list[dict[str, Any]],
    by_email: dict[str, Any],
    by_reference: dict[str, Document],
) -> int:
    """The requests of the data file, each made by its requester ``received_days_ago`` and
    triaged as its ``triage`` says; one whose title exists is left as it is."""
    created = 0
    for r in listed:
        exists = await session.scalar(
            select(PolicyRequest.id).where(
                PolicyRequest.organisation_id == organisation_id,
                PolicyRequest.title == r["title"],
            )
        )
        if exists is not None:
            continue
        requester = Principal.system(
            organisation_id, "seed-demo", person_id=by_email[r["requested_by"]]
        )
        document = by_reference[r["document"]] if r.get("document") else None
        command = NewPolicyRequest.of(
            {
                "kind": r["kind"],
                "title": r["title"],
                "details": r["details"],
                "document_id": document.id if document else None,
                "service_area": r.get("service_area"),
                "urgency": r.get("urgency", "routine"),
            }
        )
        received_at = utcnow() - timedelta(days=r.get("received_days_ago", 0))
        request = await service.make_request(session, requester, command, received_at=received_at)
        if r.get("triage"):
            await _triage(session, organisation_id, request, r["triage"], by_email)
        created += 1
    return created


async def _triage(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    request: PolicyRequest,
    decision: dict[str, Any],
    by_email: dict[str, Any],
) -> None:
    team = Principal.system(organisation_id, "seed-demo", person_id=by_email[decision["by"]])
    if "reasons" in decision:
        await triage.decline_request(
            session,
            team,
            request,
            reasons=decision["reasons"],
            expected_version=request.row_version,
        )
        return
    acceptance = Acceptance.of(
        {
            "into": decision["into"],
            "note": decision.get("note", ""),
            "trigger": decision.get("trigger"),
            "sponsor_id": by_email.get(decision.get("sponsor", "")),
            "lead_officer_id": by_email.get(decision.get("lead_officer", "")),
        }
    )
    await triage.accept_request(
        session, team, request, acceptance, expected_version=request.row_version
    )

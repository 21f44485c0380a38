"""Who is told about requests to the policy service, and what their email says.

A new request goes to the policy team (Birmingham: to the Policy Service within the Practice
Hub), with the date they triage it by; the requester is told the decision: accepted into a
proposal or a review, or declined with the reasons. A withdrawal tells nobody by email (the
queue shows it, and webhook subscribers receive the event).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.models.documents import Document
from services.domain.models.people import Person, PersonRole
from services.domain.models.policy_requests import PolicyRequest
from services.domain.notices.notice import Handler, Notice
from services.domain.notices.recipients import active_people, person_name
from services.domain.people.policy_team import policy_team


async def _request(
    session: AsyncSession, event: events.PolicyRequestMade | events.PolicyRequestTriaged
) -> tuple[PolicyRequest, Document | None, dict[str, Any]] | None:
    request = await session.get(PolicyRequest, event.request_id)
    if request is None:
        return None
    document = await session.get(Document, request.document_id) if request.document_id else None
    context = {
        "request_id": str(request.id),
        "request_title": request.title,
        "request_kind": request.kind.value,
        "details": request.details,
        "service_area": request.service_area,
        "urgency": request.urgency.value,
        "wanted_by": request.wanted_by.isoformat() if request.wanted_by else None,
        "triage_due_on": request.triage_due_on.isoformat(),
        "requested_by_name": await person_name(session, request.requested_by_id),
    }
    return request, document, context


async def _made(session: AsyncSession, event: events.PolicyRequestMade) -> list[Notice]:
    found = await _request(session, event)
    if found is None:
        return []
    request, document, context = found
    # A policy officer who asked is not told of their own request: the rest of the team
    # triages it, or the organisation's admins when the requester is the whole team.
    team = [
        person
        for person in await policy_team(session, event.organisation_id)
        if person.id != request.requested_by_id
    ]
    if not team:
        team = await _admins(session, event.organisation_id, but=request.requested_by_id)
    return [Notice("policy_request.made", person, context, document) for person in team]


async def _admins(
    session: AsyncSession, organisation_id: uuid.UUID, *, but: uuid.UUID
) -> list[Person]:
    rows = await session.execute(
        select(Person)
        .join(PersonRole, PersonRole.person_id == Person.id)
        .where(
            Person.organisation_id == organisation_id,
            Person.is_active.is_(True),
            Person.id != but,
            PersonRole.role == "admin",
        )
        .order_by(Person.name, Person.id)
    )
    return list(dict.fromkeys(rows.scalars()))


async def _triaged(session: AsyncSession, event: events.PolicyRequestTriaged) -> list[Notice]:
    found = await _request(session, event)
    if found is None:
        return []
    request, document, context = found
    context = {
        **context,
        "status": event.status,
        "accepted_as": event.accepted_as,
        "decision_note": request.decision_note,
        "triaged_by_name": await person_name(session, request.triaged_by_id),
    }
    people = await active_people(session, event.organisation_id, [request.requested_by_id])
    return [Notice("policy_request.triaged", person, context, document) for person in people]


# The events whose notices this module decides (notifications/handlers.py).
HANDLERS: dict[type, Handler] = {
    events.PolicyRequestMade: _made,
    events.PolicyRequestTriaged: _triaged,
}

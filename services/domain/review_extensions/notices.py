"""Who is told about review extensions, and what their email says.

- ``review_extension.requested``: to the document's owner (the RSM), or to the policy team when
  no active owner can decide it (none named, or the owner is the one asking); void once it is
  decided, withdrawn or lapsed.
- ``review_extension.decided``: to the requester; and to the owner when the policy team
  decided (the date of their document moved, or did not); never to the decider.
- ``review_extension.ended``: a request withdrawn by someone else (the policy team), or lapsed
  because the review date moved meanwhile, to the requester.

Context keys (besides those every email has): ``review_extension_id``,
``review_extension_path``, ``current_due`` and ``requested_due`` (ISO dates),
``requested_by_name``, ``reasons``, ``times_extended_before`` and ``original_due``; the decision
adds ``status`` (agreed or refused), ``agreed_due``, ``decision_note`` and
``decided_by_name``; the end ``status`` (withdrawn or lapsed) and ``end_reason``.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.models.documents import Document
from services.domain.models.review_extensions import ReviewExtension, ReviewExtensionStatus
from services.domain.notices.notice import Handler, Notice
from services.domain.notices.recipients import active_people, person_name
from services.domain.people.policy_team import policy_team

REQUESTED = "review_extension.requested"
DECIDED = "review_extension.decided"
ENDED = "review_extension.ended"


async def still_applies(session: AsyncSession, kind: str, context: dict[str, Any]) -> bool:
    """A request to decide is void once it is no longer pending; a decision or an end reports
    what happened and stays true."""
    if kind != REQUESTED:
        return True
    found = await session.get(ReviewExtension, uuid.UUID(context["review_extension_id"]))
    return found is not None and found.status == ReviewExtensionStatus.PENDING


async def _load(
    session: AsyncSession, extension_id: uuid.UUID
) -> tuple[ReviewExtension, Document, dict[str, Any]] | None:
    extension = await session.get(ReviewExtension, extension_id)
    document = await session.get(Document, extension.document_id) if extension else None
    if extension is None or document is None:
        return None
    context = {
        "review_extension_id": str(extension.id),
        "review_extension_path": f"/v1/review-extensions/{extension.id}",
        "current_due": extension.current_due.isoformat(),
        "requested_due": extension.requested_due.isoformat(),
        "original_due": extension.original_due.isoformat(),
        "times_extended_before": extension.sequence - 1,
        "requested_by_name": await person_name(session, extension.requested_by_id),
        "reasons": extension.reasons,
    }
    return extension, document, context


async def _requested(session: AsyncSession, event: events.ReviewExtensionRequested) -> list[Notice]:
    loaded = await _load(session, event.review_extension_id)
    if loaded is None:
        return []
    extension, document, context = loaded
    org = event.organisation_id
    # Nobody decides their own request: an owner standing in as RO asks the policy team.
    people = await active_people(session, org, [document.owner_id], but=extension.requested_by_id)
    if not people:
        team = [person.id for person in await policy_team(session, org)]
        people = await active_people(session, org, team, but=extension.requested_by_id)
    return [Notice(REQUESTED, person, context, document) for person in people]


async def _decided(session: AsyncSession, event: events.ReviewExtensionDecided) -> list[Notice]:
    loaded = await _load(session, event.review_extension_id)
    if loaded is None:
        return []
    extension, document, context = loaded
    context = {
        **context,
        "status": event.status,
        "agreed_due": event.agreed_due.isoformat() if event.agreed_due else None,
        "decision_note": extension.decision_note,
        "decided_by_name": await person_name(session, event.decided_by_id),
    }
    ids = (extension.requested_by_id, document.owner_id)
    people = await active_people(session, event.organisation_id, ids, but=event.decided_by_id)
    return [Notice(DECIDED, person, context, document) for person in people]


async def _ended(session: AsyncSession, event: events.ReviewExtensionEnded) -> list[Notice]:
    loaded = await _load(session, event.review_extension_id)
    if loaded is None:
        return []
    extension, document, context = loaded
    context = {**context, "status": event.status, "end_reason": extension.end_reason}
    people = await active_people(
        session, event.organisation_id, [extension.requested_by_id], but=event.ended_by_id
    )
    return [Notice(ENDED, person, context, document) for person in people]


# The events whose notices this module decides (notifications/handlers.py).
HANDLERS: dict[type, Handler] = {
    events.ReviewExtensionRequested: _requested,
    events.ReviewExtensionDecided: _decided,
    events.ReviewExtensionEnded: _ended,
}

"""Who is told about a review's no-change outcome, and what their email says.

NCT 3.4(b)(iii): the RO forwards a statement of no change to the RSM; (b) 1. and (c)(iv): the
Policy and Procedures Officer, and whoever prompted an unscheduled review, are told once it is
confirmed. As for sign-off, one function per event type; ``service.fan_out`` inserts them.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.models.documents import Document
from services.domain.models.reviews import Review, ReviewStatus
from services.domain.notices.kinds import of_family
from services.domain.notices.notice import Handler, Notice
from services.domain.notices.recipients import active_people, person_name
from services.domain.people.policy_team import policy_team

KINDS = of_family("review_outcome")


async def still_applies(session: AsyncSession, kind: str, context: dict[str, Any]) -> bool:
    """A request to confirm is void once the statement was confirmed, refused or cancelled."""
    if kind != "review.no_change_to_confirm":
        return True
    review = await session.get(Review, uuid.UUID(context["review_id"]))
    return review is not None and review.status == ReviewStatus.AWAITING_CONFIRMATION


async def _review(
    session: AsyncSession, event: events.ReviewNoChangeStated | events.ReviewCompleted
) -> tuple[Review, Document, dict[str, Any]] | None:
    review = await session.get(Review, event.review_id)
    document = await session.get(Document, event.document_id)
    if review is None or document is None:
        return None
    context = {
        "review_id": str(review.id),
        "review_path": f"/v1/reviews/{review.id}",
        "review_kind": review.kind,
        "trigger": review.trigger,
        "statement": review.no_change_statement,
        "statement_by_name": await person_name(session, review.statement_by_id),
    }
    return review, document, context


async def _no_change_stated(
    session: AsyncSession, event: events.ReviewNoChangeStated
) -> list[Notice]:
    found = await _review(session, event)
    if found is None:
        return []
    _, document, context = found
    people = await active_people(session, event.organisation_id, [document.owner_id])
    if not people:
        # No RSM named (or they have left): the policy team confirms instead.
        people = await policy_team(session, event.organisation_id)
    return [Notice("review.no_change_to_confirm", person, context, document) for person in people]


async def _completed(session: AsyncSession, event: events.ReviewCompleted) -> list[Notice]:
    if event.outcome != "no_change":
        return []  # an amended review ends with the issue, which has its own email
    found = await _review(session, event)
    if found is None:
        return []
    review, document, context = found
    context = {
        **context,
        "confirmed_by_name": await person_name(session, review.confirmed_by_id),
        "next_review_due": event.next_review_due.isoformat() if event.next_review_due else None,
    }
    team = [person.id for person in await policy_team(session, event.organisation_id)]
    people = await active_people(session, event.organisation_id, [*team, review.requested_by_id])
    return [
        Notice(
            "review.no_change_confirmed",
            person,
            {**context, "is_requester": person.id == review.requested_by_id},
            document,
        )
        for person in people
    ]


# The events whose notices this module decides (notifications/handlers.py).
HANDLERS: dict[type, Handler] = {
    events.ReviewNoChangeStated: _no_change_stated,
    events.ReviewCompleted: _completed,
}

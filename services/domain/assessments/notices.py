"""Who is told about legal reviews and proposals, and what their email says."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.documents.service import acting_responsible_officer_id
from services.domain.models.assessments import LegalReview, Proposal
from services.domain.models.boards import Board
from services.domain.models.documents import Document
from services.domain.notices.notice import Handler, Notice
from services.domain.notices.recipients import active_people, person_name, version_number
from services.domain.people.policy_team import policy_team


async def _legal_review(
    session: AsyncSession, event: events.LegalReviewRequested | events.LegalReviewAnswered
) -> tuple[LegalReview, Document, dict[str, Any]] | None:
    review = await session.get(LegalReview, event.legal_review_id)
    document = await session.get(Document, event.document_id)
    if review is None or document is None:
        return None
    context = {
        "legal_review_id": str(review.id),
        "version": await version_number(session, review.version_id),
        "question": review.question,
        "requested_by_name": await person_name(session, review.requested_by_id),
    }
    return review, document, context


async def _legal_review_requested(
    session: AsyncSession, event: events.LegalReviewRequested
) -> list[Notice]:
    found = await _legal_review(session, event)
    if found is None:
        return []
    review, document, context = found
    people = await active_people(session, event.organisation_id, [review.reviewer_id])
    to_policy_team = not people
    if to_policy_team:
        # No lawyer named (or the one named has left): the policy team passes it on.
        people = await policy_team(session, event.organisation_id)
    context = {**context, "to_policy_team": to_policy_team}
    return [Notice("legal_review.requested", person, context, document) for person in people]


async def _legal_review_answered(
    session: AsyncSession, event: events.LegalReviewAnswered
) -> list[Notice]:
    found = await _legal_review(session, event)
    if found is None:
        return []
    review, document, context = found
    context = {
        **context,
        "outcome": event.outcome,
        "advice": review.advice,
        "answered_by_name": await person_name(session, review.answered_by_id),
    }
    ids = [review.requested_by_id, acting_responsible_officer_id(document)]
    people = await active_people(session, event.organisation_id, ids)
    return [Notice("legal_review.answered", person, context, document) for person in people]


async def _proposal_decided(session: AsyncSession, event: events.ProposalDecided) -> list[Notice]:
    proposal = await session.get(Proposal, event.proposal_id)
    if proposal is None:
        return []
    document = await session.get(Document, proposal.document_id) if proposal.document_id else None
    board = await session.get(Board, proposal.board_id) if proposal.board_id else None
    context = {
        "proposal_id": str(proposal.id),
        "proposal_title": proposal.title,
        "status": event.status,
        "decision_note": proposal.decision_note,
        "board_name": board.name if board else None,
    }
    ids = (proposal.sponsor_id, proposal.lead_officer_id, proposal.created_by_id)
    people = await active_people(session, event.organisation_id, ids)
    return [Notice("proposal.decided", person, context, document) for person in people]


# The events whose notices this module decides (notifications/handlers.py).
HANDLERS: dict[type, Handler] = {
    events.LegalReviewRequested: _legal_review_requested,
    events.LegalReviewAnswered: _legal_review_answered,
    events.ProposalDecided: _proposal_decided,
}

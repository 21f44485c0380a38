"""What an accepted request to the policy service becomes: a proposal or a review.

Dorset aim 3 iii: the need for a new document is agreed before it is drafted, so a request for
one becomes a business case (a proposal, approved to proceed by a board). A request to change a
published document becomes an unscheduled review of it (NCT 3.2), with the requester as the
person who asked, or a proposal when the change is big enough to need a business case.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.assessments.commands import NewProposal
from services.domain.assessments.proposals import create_proposal
from services.domain.authz.principal import Principal
from services.domain.clock import london_day
from services.domain.models.people import Person
from services.domain.models.policy_requests import AcceptedAs, PolicyRequest
from services.domain.policy_requests.signals import RequestAccepted
from services.domain.policy_requests.triage import record_accepted
from services.domain.reviews.commands import NewReview
from services.domain.reviews.service import start_review

# The review's trigger_detail and the proposal's background hold at most this much.
DETAIL_LIMIT = 5000


def _where_from(accepted: RequestAccepted) -> str:
    request = accepted.request
    asked_on = london_day(request.created_at).isoformat()
    text = (
        f"Request to the policy service from {accepted.requester_name} on {asked_on} "
        f"(request {request.id}): {request.title}\n\n{request.details}"
    )
    return text[:DETAIL_LIMIT]


async def _requester_if_active(session: AsyncSession, request: PolicyRequest) -> Person | None:
    person = await session.get(Person, request.requested_by_id)
    return person if person is not None and person.is_active else None


async def make_proposal_or_review(
    session: AsyncSession, principal: Principal, accepted: RequestAccepted
) -> None:
    """Make what the request was accepted into, as the triager, and record it on the request."""
    request, acceptance = accepted.request, accepted.acceptance
    if acceptance.into == AcceptedAs.PROPOSAL:
        proposal = await create_proposal(
            session,
            principal,
            NewProposal(
                title=request.title,
                document_id=request.document_id,
                sponsor_id=acceptance.sponsor_id,
                lead_officer_id=acceptance.lead_officer_id,
                background=_where_from(accepted),
            ),
        )
        record_accepted(request, proposal_id=proposal.id)
        return
    assert request.document_id is not None  # triage accepts only a change into a review
    requester = await _requester_if_active(session, request)
    review = await start_review(
        session,
        principal,
        NewReview(
            document_id=request.document_id,
            kind="unscheduled",
            trigger=acceptance.trigger or "other",
            trigger_detail=_where_from(accepted),
            # Told when the review ends with no change (NCT 3.4(b)(iii)).
            requested_by_id=requester.id if requester else None,
        ),
    )
    record_accepted(request, review_id=review.id)

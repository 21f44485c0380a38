"""Timeline entries for the requests to the policy service to change a document: who asked,
and what the policy team made of it (Birmingham: requests to the Policy Service)."""

from __future__ import annotations

import uuid

from services.domain.models.policy_requests import AcceptedAs, RequestStatus
from services.domain.timeline.builder import Builder, day, quote


def request_entries(b: Builder) -> None:
    """A request made, then accepted (into a proposal or a review), declined or withdrawn."""
    for request in b.rows.requests:
        refs: dict[str, uuid.UUID | None] = {"policy_request_id": request.id}
        who = b.name(request.requested_by_id)
        b.add(
            request.created_at,
            "policy_request.made",
            f"Change requested of the policy service{' by ' + who if who else ''}: "
            f'"{quote(request.title)}" (to triage by {day(request.triage_due_on)})',
            request.id,
            actor_id=request.requested_by_id,
            refs=refs,
            details={"urgency": request.urgency.value},
        )
        if request.status == RequestStatus.ACCEPTED:
            into = "a review" if request.accepted_as == AcceptedAs.REVIEW else "a proposal"
            summary = f'Request "{quote(request.title)}" accepted into {into}'
            if request.decision_note:
                summary += f": {quote(request.decision_note)}"
            b.add(
                request.triaged_at,
                "policy_request.accepted",
                summary,
                request.id,
                actor_id=request.triaged_by_id,
                refs={**refs, "proposal_id": request.proposal_id, "review_id": request.review_id},
            )
        elif request.status == RequestStatus.DECLINED:
            b.add(
                request.triaged_at,
                "policy_request.declined",
                f'Request "{quote(request.title)}" declined: {quote(request.decision_note)}',
                request.id,
                actor_id=request.triaged_by_id,
                refs=refs,
            )
        elif request.status == RequestStatus.WITHDRAWN:
            b.add(
                request.withdrawn_at,
                "policy_request.withdrawn",
                f'Request "{quote(request.title)}" withdrawn',
                request.id,
                actor_id=request.requested_by_id,
                refs=refs,
            )

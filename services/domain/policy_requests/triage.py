"""Triage: the policy team accepts a request into a proposal or a review, or declines it.

Dorset aim 3 iii: "To evaluate and agree the need for new governance documents before such
documents are drafted for the Group's approval, as appropriate". Accepting makes the business
case (a proposal the board then approves to proceed) or an unscheduled review of the document
a change is asked of; declining gives the requester the reasons. Each request is triaged once,
by a member of the policy team who did not make it.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events, subscribers
from services.domain.audit import service as audit
from services.domain.authz import policy_requests as authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.errors import Invalid
from services.domain.models.people import Person
from services.domain.models.policy_requests import (
    AcceptedAs,
    PolicyRequest,
    RequestKind,
    RequestStatus,
)
from services.domain.outbox.service import emit
from services.domain.policy_requests.commands import Acceptance
from services.domain.policy_requests.service import (
    check_open,
    check_version,
    record_request_change,
)
from services.domain.policy_requests.signals import RequestAccepted


def _check_acceptance(request: PolicyRequest, acceptance: Acceptance) -> None:
    if acceptance.into == AcceptedAs.REVIEW:
        if request.kind != RequestKind.CHANGE:
            raise Invalid(
                "Only a request to change an existing document can become its review; accept "
                "a request for a new document into a proposal.",
                field="into",
            )
        for field in ("sponsor_id", "lead_officer_id"):
            if getattr(acceptance, field) is not None:
                raise Invalid("A review has no sponsor or lead officer.", field=field)
    elif acceptance.trigger is not None:
        raise Invalid("Only a review has a trigger.", field="trigger")


def record_accepted(
    request: PolicyRequest,
    *,
    proposal_id: uuid.UUID | None = None,
    review_id: uuid.UUID | None = None,
) -> None:
    """What an accepted request became: called by the reaction that made it."""
    request.proposal_id = proposal_id
    request.review_id = review_id


async def accept_request(
    session: AsyncSession,
    principal: Principal,
    request: PolicyRequest,
    acceptance: Acceptance,
    *,
    expected_version: int,
) -> PolicyRequest:
    """Accept an open request into a proposal or a review (the policy team, not the requester).

    The proposal or review is made in the same transaction by the reaction to
    ``RequestAccepted``, as the triager, and the request points at it; if it cannot be made
    (the document is not published, a sponsor is not of the organisation) nothing is.
    """
    authz.check_triage(principal, request)
    check_version(request, expected_version)
    check_open(request)
    _check_acceptance(request, acceptance)
    requester = await session.get(Person, request.requested_by_id)
    before = audit.snapshot(request)
    await subscribers.react(
        session,
        principal,
        RequestAccepted(request, acceptance, requester.name if requester else "someone"),
    )
    made = request.proposal_id if acceptance.into == AcceptedAs.PROPOSAL else request.review_id
    if made is None:
        raise RuntimeError(f"no reaction made the {acceptance.into} of an accepted request")
    request.status = RequestStatus.ACCEPTED
    request.accepted_as = acceptance.into
    request.triaged_by_id = principal.person_id
    request.triaged_at = utcnow()
    request.decision_note = acceptance.note.strip()
    await session.flush()
    await record_request_change(session, principal, request, "policy_request.accepted", before)
    await _emit_triaged(session, request)
    return request


async def decline_request(
    session: AsyncSession,
    principal: Principal,
    request: PolicyRequest,
    *,
    reasons: str,
    expected_version: int,
) -> PolicyRequest:
    """Decline an open request, with the reasons the requester is told (the policy team, not
    the requester)."""
    authz.check_triage(principal, request)
    check_version(request, expected_version)
    check_open(request)
    if not reasons.strip():
        raise Invalid("Give the reasons the request is declined.", field="reasons")
    before = audit.snapshot(request)
    request.status = RequestStatus.DECLINED
    request.triaged_by_id = principal.person_id
    request.triaged_at = utcnow()
    request.decision_note = reasons.strip()
    await session.flush()
    await record_request_change(session, principal, request, "policy_request.declined", before)
    await _emit_triaged(session, request)
    return request


async def _emit_triaged(session: AsyncSession, request: PolicyRequest) -> None:
    await emit(
        session,
        events.PolicyRequestTriaged(
            organisation_id=request.organisation_id,
            request_id=request.id,
            status="accepted" if request.status == RequestStatus.ACCEPTED else "declined",
            accepted_as=request.accepted_as.value if request.accepted_as else None,
            proposal_id=request.proposal_id,
            review_id=request.review_id,
            document_id=request.document_id,
        ),
    )

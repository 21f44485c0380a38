"""Requests to the policy service as records: making one, reading the queue, withdrawing.

Birmingham: "All requests for support with developing or refreshing policies, procedures,
practice standards or practice guidance should be emailed to the Policy Service within the
Practice Hub". A request arrives with its triage date (the organisation's target in working
days, ``targets.triage_due_on``); the queue lists open requests by that date. Triage itself
(accept or decline) is ``triage.py``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import policy_requests as authz
from services.domain.authz.principal import Principal
from services.domain.boards.service import working_calendar
from services.domain.clock import london_day, london_today, utcnow
from services.domain.db import new_id
from services.domain.documents.named import document_named
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.models.organisations import Organisation
from services.domain.models.policy_requests import PolicyRequest, RequestKind, RequestStatus
from services.domain.outbox.service import emit
from services.domain.pagination import after_row
from services.domain.policy_requests.commands import NewPolicyRequest
from services.domain.policy_requests.targets import triage_due_on


def check_version(request: PolicyRequest, expected_version: int) -> None:
    """PreconditionFailed unless the caller read the request as it is now."""
    if request.row_version != expected_version:
        raise PreconditionFailed("The request has changed since you read it; fetch it again.")


def check_open(request: PolicyRequest) -> None:
    """Conflict unless the request is still open (each request is triaged once)."""
    if request.status != RequestStatus.OPEN:
        raise Conflict(
            f"This request is already {request.status}; only an open request can be "
            "triaged or withdrawn.",
            request_status=request.status,
        )


async def _check_fields(
    session: AsyncSession, principal: Principal, command: NewPolicyRequest
) -> None:
    if not command.title.strip():
        raise Invalid("A request needs a title.", field="title")
    if not command.details.strip():
        raise Invalid("Say what is needed and why.", field="details")
    if command.kind == RequestKind.CHANGE:
        if command.document_id is None:
            raise Invalid("Name the document to change.", field="document_id")
        # Another organisation's document (or one the caller cannot see) is a missing one.
        await document_named(session, principal, command.document_id)
    elif command.document_id is not None:
        raise Invalid(
            "A request for a new document names no document; ask for a change instead.",
            field="document_id",
        )


async def make_request(
    session: AsyncSession,
    principal: Principal,
    command: NewPolicyRequest,
    *,
    received_at: datetime | None = None,
) -> PolicyRequest:
    """Ask the policy service for a new document or a change (anyone of the organisation);
    the policy team is told, with the date they triage it by. ``received_at``: when it
    arrived, if before now (the demo data's requests of past weeks); the target counts from
    then."""
    authz.check_make(principal)
    await _check_fields(session, principal, command)
    assert principal.person_id is not None  # check_make refuses a key for nobody
    org = await session.get(Organisation, principal.organisation_id)
    assert org is not None
    received_at = received_at or utcnow()
    request = PolicyRequest(
        id=new_id(),
        organisation_id=principal.organisation_id,
        requested_by_id=principal.person_id,
        status=RequestStatus.OPEN,
        created_at=received_at,
        triage_due_on=triage_due_on(
            london_day(received_at),
            org.request_triage_working_days,
            await working_calendar(session, org.id),
        ),
        **command.given(),
    )
    session.add(request)
    await session.flush()
    await audit_changes.record_change(session, principal, request, "policy_request.made")
    await emit(
        session,
        events.PolicyRequestMade(
            organisation_id=request.organisation_id,
            request_id=request.id,
            kind=request.kind.value,
            document_id=request.document_id,
            triage_due_on=request.triage_due_on,
        ),
    )
    return request


async def get_request(
    session: AsyncSession, principal: Principal, request_id: uuid.UUID, *, for_update: bool = False
) -> PolicyRequest:
    """A request the caller may see (the requester, the policy team); any other is NotFound."""
    query = select(PolicyRequest).where(
        PolicyRequest.id == request_id, PolicyRequest.organisation_id == principal.organisation_id
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    request = (await session.execute(query)).scalar_one_or_none()
    if request is None or not authz.can_read(principal, request):
        raise NotFound("No such request.")
    return request


async def list_requests(
    session: AsyncSession,
    principal: Principal,
    *,
    status: RequestStatus | None = None,
    kind: RequestKind | None = None,
    document_id: uuid.UUID | None = None,
    is_overdue: bool | None = None,
    after: tuple[date, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[PolicyRequest]:
    """The queue: the requests the caller may see (all for the policy team, else their own),
    by triage date, earliest first. ``is_overdue``: open requests past (or not past) their
    triage date."""
    query = select(PolicyRequest).where(
        PolicyRequest.organisation_id == principal.organisation_id, authz.readable(principal)
    )
    if status is not None:
        query = query.where(PolicyRequest.status == status)
    if kind is not None:
        query = query.where(PolicyRequest.kind == kind)
    if document_id is not None:
        query = query.where(PolicyRequest.document_id == document_id)
    if is_overdue is not None:
        past = PolicyRequest.triage_due_on < london_today()
        query = query.where(
            PolicyRequest.status == RequestStatus.OPEN, past if is_overdue else ~past
        )
    if after is not None:
        query = query.where(after_row(PolicyRequest.triage_due_on, PolicyRequest.id, after))
    query = query.order_by(PolicyRequest.triage_due_on, PolicyRequest.id).limit(limit)
    return list((await session.execute(query)).scalars())


async def record_request_change(
    session: AsyncSession,
    principal: Principal,
    request: PolicyRequest,
    action: str,
    before: dict[str, Any],
) -> None:
    """The audit record of ``action`` done to ``request``."""
    await audit_changes.record_change(session, principal, request, action, before=before)


async def withdraw_request(
    session: AsyncSession, principal: Principal, request: PolicyRequest, *, expected_version: int
) -> PolicyRequest:
    """The requester withdraws their own open request; it leaves the queue."""
    authz.check_withdraw(principal, request)
    check_version(request, expected_version)
    check_open(request)
    before = audit.snapshot(request)
    request.status = RequestStatus.WITHDRAWN
    request.withdrawn_at = utcnow()
    await session.flush()
    await record_request_change(session, principal, request, "policy_request.withdrawn", before)
    await emit(
        session,
        events.PolicyRequestWithdrawn(
            organisation_id=request.organisation_id,
            request_id=request.id,
            document_id=request.document_id,
        ),
    )
    return request

"""Requests to the policy service: ask, see the queue, accept, decline, withdraw."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Query, Response

from services.api.deps import CurrentPrincipal, Session
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.policy_requests import schemas
from services.api.routing import Router
from services.domain.authz.permissions import Permission as P
from services.domain.clock import london_today
from services.domain.models.policy_requests import PolicyRequest, RequestKind, RequestStatus
from services.domain.policy_requests import service as requests
from services.domain.policy_requests import triage
from services.domain.policy_requests.commands import Acceptance, NewPolicyRequest
from services.domain.policy_requests.targets import is_overdue

router = Router(prefix="/v1/policy-requests", tags=["policy-requests"])


def _view(request: PolicyRequest, today: date) -> schemas.PolicyRequest:
    view = schemas.PolicyRequest.model_validate(request)
    view.is_overdue = request.status == RequestStatus.OPEN and is_overdue(
        request.triage_due_on, today
    )
    return view


def _out(request: PolicyRequest, response: Response) -> schemas.PolicyRequest:
    set_etag(response, request.row_version)
    return _view(request, london_today())


@router.get("", response_model=schemas.PolicyRequestPage, dependencies=[allowed(P.REQUESTS_MAKE)])
async def list_policy_requests(
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
    status: schemas.RequestStatus | None = None,
    kind: schemas.RequestKind | None = None,
    document_id: uuid.UUID | None = None,
    overdue: Annotated[
        bool | None,
        Query(description="true: open requests past their triage date; false: open, not past."),
    ] = None,
) -> schemas.PolicyRequestPage:
    """The queue, by triage date (earliest first): every request for the policy team, your own
    for anyone else. `status=open` is what is still to triage."""
    scope = {
        "status": status,
        "kind": kind,
        "document_id": str(document_id) if document_id else None,
        "overdue": overdue,
    }
    found_after = page.after(scope, (date, uuid.UUID))
    found = await requests.list_requests(
        session,
        principal,
        status=RequestStatus(status) if status else None,
        kind=RequestKind(kind) if kind else None,
        document_id=document_id,
        is_overdue=overdue,
        after=(found_after[0], found_after[1]) if found_after else None,
        limit=page.fetch,
    )
    rows, next_cursor = page.page(
        found, scope, lambda row: [row.triage_due_on.isoformat(), str(row.id)]
    )
    today = london_today()
    return schemas.PolicyRequestPage(items=[_view(r, today) for r in rows], next_cursor=next_cursor)


@router.post(
    "",
    status_code=201,
    response_model=schemas.PolicyRequest,
    dependencies=[allowed(P.REQUESTS_MAKE)],
)
async def make_policy_request(
    body: schemas.PolicyRequestCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.PolicyRequest:
    """Ask the policy service for a new document or a change to one (anyone of the
    organisation). It arrives with its triage date; the policy team is told."""
    command = NewPolicyRequest.of(body.model_dump(exclude_unset=True))
    request = await requests.make_request(session, principal, command)
    response.headers["Location"] = f"/v1/policy-requests/{request.id}"
    return _out(request, response)


@router.get(
    "/{request_id}",
    response_model=schemas.PolicyRequest,
    dependencies=[allowed(P.REQUESTS_MAKE)],
)
async def get_policy_request(
    request_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.PolicyRequest:
    """A request: the requester's own, or any for the policy team."""
    return _out(await requests.get_request(session, principal, request_id), response)


@router.post(
    "/{request_id}/accept",
    response_model=schemas.PolicyRequest,
    dependencies=[allowed(P.DOCUMENTS_MANAGE)],
)
async def accept_policy_request(
    request_id: uuid.UUID,
    body: schemas.PolicyRequestAcceptance,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.PolicyRequest:
    """Accept an open request into a proposal or a review, made at once and named on the
    request (the policy team, not the requester). Needs `If-Match`."""
    expected = expected_version(if_match)
    request = await requests.get_request(session, principal, request_id, for_update=True)
    acceptance = Acceptance.of(body.model_dump(exclude_unset=True))
    request = await triage.accept_request(
        session, principal, request, acceptance, expected_version=expected
    )
    return _out(request, response)


@router.post(
    "/{request_id}/decline",
    response_model=schemas.PolicyRequest,
    dependencies=[allowed(P.DOCUMENTS_MANAGE)],
)
async def decline_policy_request(
    request_id: uuid.UUID,
    body: schemas.PolicyRequestDecline,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.PolicyRequest:
    """Decline an open request with the reasons the requester is told (the policy team, not
    the requester). Needs `If-Match`."""
    expected = expected_version(if_match)
    request = await requests.get_request(session, principal, request_id, for_update=True)
    request = await triage.decline_request(
        session, principal, request, reasons=body.reasons, expected_version=expected
    )
    return _out(request, response)


@router.post(
    "/{request_id}/withdraw",
    response_model=schemas.PolicyRequest,
    dependencies=[allowed(P.REQUESTS_MAKE)],
)
async def withdraw_policy_request(
    request_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.PolicyRequest:
    """Withdraw your own open request. Needs `If-Match`."""
    expected = expected_version(if_match)
    request = await requests.get_request(session, principal, request_id, for_update=True)
    request = await requests.withdraw_request(
        session, principal, request, expected_version=expected
    )
    return _out(request, response)

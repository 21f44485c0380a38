"""Sign-off (`/v1/sign-offs`): submit a draft, decide its stages, amend, withdraw; and
delegations (`/v1/delegations`) of an approver's authority during leave."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response

from services.api.deps import CurrentPrincipal, Session
from services.api.etag import set_etag
from services.api.files import STORED_FILE_DAMAGED
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.routing import Router
from services.api.sign_off import schemas, serialise
from services.domain.authz.permissions import Permission as P
from services.domain.documents.service import get_document
from services.domain.errors import Invalid, NotFound
from services.domain.gates.service import evidence_of, statement_of
from services.domain.models.sign_off import (
    Delegation,
    SignOffStatus,
)
from services.domain.sign_off import (
    amendments,
    decisions,
    delegations,
    informing,
    service,
)
from services.domain.sign_off.commands import NewDecision, NewDelegation, NewSignOff

router = Router(prefix="/v1/sign-offs", tags=["sign-off"])
delegations_router = Router(prefix="/v1/delegations", tags=["sign-off"])


@router.get("", response_model=schemas.SignOffPage, dependencies=[allowed(P.SIGN_OFFS_READ)])
async def list_sign_offs(
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
    document_id: uuid.UUID | None = None,
    status: schemas.SignOffStatus | None = None,
    awaiting_me: Annotated[
        bool, Query(description="Only those with a stage waiting for your decision.")
    ] = False,
) -> schemas.SignOffPage:
    """Sign-offs, newest first: every one for the policy team, else those you are part of."""
    scope = {
        "document_id": str(document_id) if document_id else None,
        "status": status,
        "awaiting_me": awaiting_me,
    }
    after = page.after_time(scope)
    found = await service.list_sign_offs(
        session,
        principal,
        document_id=document_id,
        status=SignOffStatus(status) if status is not None else None,
        awaiting_me=awaiting_me,
        after=after,
        limit=page.fetch,
    )
    found, next_cursor = page.time_page(found, scope, lambda s: s.created_at)
    return schemas.SignOffPage(
        items=[schemas.SignOffSummary.model_validate(s, from_attributes=True) for s in found],
        next_cursor=next_cursor,
    )


@router.get("/readiness", response_model=schemas.Readiness, dependencies=[allowed(P.DRAFTS_READ)])
async def readiness(
    session: Session,
    principal: CurrentPrincipal,
    document_id: uuid.UUID,
    version_id: uuid.UUID | None = None,
    route_id: uuid.UUID | None = None,
) -> schemas.Readiness:
    """The route a submission would follow, its questions, and the gates still missing."""
    try:
        document = await get_document(session, principal, document_id)
    except NotFound:
        raise Invalid("No such document.", field="document_id") from None
    route, definition, draft, gates = await service.readiness(
        session, principal, document, version_id=version_id, route_id=route_id
    )
    statuses = [
        schemas.GateStatus.model_validate(
            {
                "gate": g.gate,
                "is_met": g.is_met,
                "detail": g.detail,
                "assessment": evidence_of(g.standing),
                "statement": statement_of(g),
            }
        )
        for g in gates
    ]
    missing = [
        schemas.MissingGate(gate=g.gate, detail=g.detail, assessment=g.assessment)
        for g in statuses
        if not g.is_met
    ]
    return schemas.Readiness(
        route_id=route.id,
        route_key=route.key,
        route_name=route.name,
        definition=definition,
        version_id=draft.id if draft else None,
        gates=statuses,
        missing_gates=missing,
        is_ready=draft is not None and not missing,
    )


@router.post(
    "",
    status_code=201,
    response_model=schemas.SignOff,
    dependencies=[allowed(P.SIGN_OFFS_SUBMIT)],
    responses=STORED_FILE_DAMAGED,
)
async def submit_for_sign_off(
    body: schemas.SignOffCreate, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.SignOff:
    """Submit a draft version for sign-off. A missing gate (EIA, proposal, legal review,
    fitness check, consultation) answers 409 naming each one in `missing_gates`."""
    sign_off = await service.submit(
        session, principal, NewSignOff.of(body.model_dump(mode="python"))
    )
    response.headers["Location"] = f"/v1/sign-offs/{sign_off.id}"
    set_etag(response, sign_off.row_version)
    return await serialise.sign_off_out(session, sign_off)


@router.get(
    "/{sign_off_id}", response_model=schemas.SignOff, dependencies=[allowed(P.SIGN_OFFS_READ)]
)
async def get_sign_off(
    sign_off_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.SignOff:
    """A sign-off with its stages and every decision, superseded ones included."""
    sign_off = await service.get_sign_off(session, principal, sign_off_id)
    set_etag(response, sign_off.row_version)
    return await serialise.sign_off_out(session, sign_off)


@router.post(
    "/{sign_off_id}/decisions",
    status_code=201,
    response_model=schemas.SignOff,
    dependencies=[allowed(P.SIGN_OFFS_DECIDE)],
    responses=STORED_FILE_DAMAGED,
)
async def record_decision(
    sign_off_id: uuid.UUID,
    body: schemas.SignOffDecisionCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.SignOff:
    """Decide the stage waiting for you (or for the approver you stand in for).

    A decision on a version that is no longer the submitted one, or on a stage another
    approver has just decided, answers 409. Stages decided by a board at a meeting are
    recorded in the meeting's minutes instead.
    """
    sign_off = await service.get_sign_off(session, principal, sign_off_id, for_update=True)
    # The higher body deferred to, as parsed: a Decider, not its dump.
    command = NewDecision.of(body.model_dump(mode="python") | {"refer_to": body.refer_to})
    await decisions.record_decision(session, principal, sign_off, command)
    set_etag(response, sign_off.row_version)
    return await serialise.sign_off_out(session, sign_off)


@router.post(
    "/{sign_off_id}/acknowledgements",
    response_model=schemas.SignOff,
    dependencies=[allowed(P.SIGN_OFFS_READ)],
)
async def acknowledge(
    sign_off_id: uuid.UUID,
    body: schemas.Acknowledgement,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.SignOff:
    """Acknowledge a draft a stage showed you for information (the route's `inform`), with an
    optional comment. Only the person informed may (403 for anyone else); nothing waits on it.
    Acknowledging again changes nothing: the first time and comment stand (200)."""
    sign_off = await service.get_sign_off(session, principal, sign_off_id, for_update=True)
    await informing.acknowledge(session, principal, sign_off, body.comment)
    set_etag(response, sign_off.row_version)
    return await serialise.sign_off_out(session, sign_off)


@router.post(
    "/{sign_off_id}/amendments",
    response_model=schemas.SignOff,
    dependencies=[allowed(P.SIGN_OFFS_SUBMIT)],
)
async def send_amendment(
    sign_off_id: uuid.UUID,
    body: schemas.Amendment,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.SignOff:
    """After an approval with conditions: send the amended draft back to be checked. It must
    meet the route's gates itself (409 naming each one in `missing_gates`, as on submit)."""
    sign_off = await service.get_sign_off(session, principal, sign_off_id, for_update=True)
    await amendments.amend(session, principal, sign_off, body.version_id)
    set_etag(response, sign_off.row_version)
    return await serialise.sign_off_out(session, sign_off)


@router.post(
    "/{sign_off_id}/answers",
    response_model=schemas.SignOff,
    dependencies=[allowed(P.SIGN_OFFS_SUBMIT)],
)
async def answer_questions(
    sign_off_id: uuid.UUID,
    body: schemas.QuestionAnswers,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.SignOff:
    """Change answers to the route's questions while the stages they decide are pending."""
    sign_off = await service.get_sign_off(session, principal, sign_off_id, for_update=True)
    await amendments.answer_questions(session, principal, sign_off, body.answers)
    set_etag(response, sign_off.row_version)
    return await serialise.sign_off_out(session, sign_off)


@router.post(
    "/{sign_off_id}/withdraw",
    response_model=schemas.SignOff,
    dependencies=[allowed(P.SIGN_OFFS_SUBMIT)],
)
async def withdraw(
    sign_off_id: uuid.UUID,
    body: schemas.Withdrawal,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.SignOff:
    """Take the draft out of sign-off; board items it put on forward plans are withdrawn."""
    sign_off = await service.get_sign_off(session, principal, sign_off_id, for_update=True)
    await amendments.withdraw(session, principal, sign_off, body.reason)
    set_etag(response, sign_off.row_version)
    return await serialise.sign_off_out(session, sign_off)


def _delegation_out(delegation: Delegation) -> schemas.Delegation:
    return schemas.Delegation.model_validate(delegation, from_attributes=True)


@delegations_router.get(
    "", response_model=list[schemas.Delegation], dependencies=[allowed(P.SIGN_OFFS_READ)]
)
async def list_delegations(
    session: Session, principal: CurrentPrincipal, current_only: bool = True
) -> list[schemas.Delegation]:
    """Delegations you gave or received (all of them for the policy team)."""
    found = await delegations.list_delegations(session, principal, current_only=current_only)
    return [_delegation_out(d) for d in found]


@delegations_router.post(
    "",
    status_code=201,
    response_model=schemas.Delegation,
    dependencies=[allowed(P.SIGN_OFFS_DECIDE, P.DOCUMENTS_MANAGE)],
)
async def create_delegation(
    body: schemas.DelegationCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.Delegation:
    """Lend your sign-off authority to a named person for a period (e.g. annual leave)."""
    delegation = await delegations.create_delegation(
        session, principal, NewDelegation.of(body.model_dump())
    )
    response.headers["Location"] = f"/v1/delegations/{delegation.id}"
    return _delegation_out(delegation)


@delegations_router.get(
    "/{delegation_id}", response_model=schemas.Delegation, dependencies=[allowed(P.SIGN_OFFS_READ)]
)
async def get_delegation(
    delegation_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.Delegation:
    return _delegation_out(await delegations.get_delegation(session, principal, delegation_id))


@delegations_router.post(
    "/{delegation_id}/revoke",
    response_model=schemas.Delegation,
    dependencies=[allowed(P.SIGN_OFFS_READ)],
)
async def revoke_delegation(
    delegation_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.Delegation:
    """End a delegation early; decisions already taken under it stand."""
    delegation = await delegations.get_delegation(session, principal, delegation_id)
    return _delegation_out(await delegations.revoke_delegation(session, principal, delegation))

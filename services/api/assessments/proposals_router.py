"""Proposals: business cases put to a board for approval to proceed."""

from __future__ import annotations

import uuid

from fastapi import Response

from services.api.assessments import schemas
from services.api.deps import CurrentPrincipal, Session
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.assessments import proposals
from services.domain.assessments.commands import NewProposal, ProposalChange
from services.domain.authz.permissions import Permission as P
from services.domain.models.assessments import Proposal, ProposalStatus

router = Router(prefix="/v1/proposals", tags=["proposals"])


def _out(proposal: Proposal, response: Response) -> schemas.Proposal:
    set_etag(response, proposal.row_version)
    return schemas.Proposal.model_validate(proposal)


@router.get("", response_model=schemas.ProposalPage, dependencies=[allowed(P.PROPOSALS_READ)])
async def list_proposals(
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
    status: schemas.ProposalStatus | None = None,
    document_id: uuid.UUID | None = None,
) -> schemas.ProposalPage:
    """The organisation's proposals, oldest first: by status, or for a document."""
    scope = {"status": status, "document_id": str(document_id) if document_id else None}
    after = page.after_time(scope)
    found = await proposals.list_proposals(
        session,
        principal,
        status=ProposalStatus(status) if status else None,
        document_id=document_id,
        after=after,
        limit=page.fetch,
    )
    found, next_cursor = page.time_page(found, scope, lambda row: row.created_at)
    return schemas.ProposalPage(
        items=[schemas.Proposal.model_validate(p) for p in found], next_cursor=next_cursor
    )


@router.post(
    "", status_code=201, response_model=schemas.Proposal, dependencies=[allowed(P.PROPOSALS_CREATE)]
)
async def create_proposal(
    body: schemas.ProposalCreate, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.Proposal:
    """Draft a business case (Cafcass appendix 1): admins, policy officers, authors, approvers."""
    command = NewProposal.of(body.model_dump(exclude_unset=True))
    proposal = await proposals.create_proposal(session, principal, command)
    response.headers["Location"] = f"/v1/proposals/{proposal.id}"
    return _out(proposal, response)


@router.get(
    "/{proposal_id}", response_model=schemas.Proposal, dependencies=[allowed(P.PROPOSALS_READ)]
)
async def get_proposal(
    proposal_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.Proposal:
    return _out(await proposals.get_proposal(session, principal, proposal_id), response)


@router.patch(
    "/{proposal_id}", response_model=schemas.Proposal, dependencies=[allowed(P.PROPOSALS_CREATE)]
)
async def update_proposal(
    proposal_id: uuid.UUID,
    body: schemas.ProposalUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.Proposal:
    """Change a draft (its creator, sponsor, lead officer or the policy team). Needs
    `If-Match`."""
    expected = expected_version(if_match)
    proposal = await proposals.get_proposal(session, principal, proposal_id, for_update=True)
    change = ProposalChange.of(body.model_dump(exclude_unset=True))
    proposal = await proposals.update_proposal(
        session, principal, proposal, change, expected_version=expected
    )
    return _out(proposal, response)


@router.post(
    "/{proposal_id}/submit",
    response_model=schemas.Proposal,
    dependencies=[allowed(P.PROPOSALS_CREATE)],
)
async def submit_proposal(
    proposal_id: uuid.UUID,
    body: schemas.ProposalSubmission,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.Proposal:
    """Put the proposal on the board's forward plan (ask `new_proposal`); the board decides at
    the meeting and its minuted decision approves or declines it. Needs `If-Match`."""
    expected = expected_version(if_match)
    proposal = await proposals.get_proposal(session, principal, proposal_id, for_update=True)
    proposal = await proposals.submit_proposal(
        session,
        principal,
        proposal,
        board_id=body.board_id,
        meeting_id=body.meeting_id,
        accept_late=body.accept_late,
        expected_version=expected,
    )
    return _out(proposal, response)


@router.post(
    "/{proposal_id}/withdraw",
    response_model=schemas.Proposal,
    dependencies=[allowed(P.PROPOSALS_CREATE)],
)
async def withdraw_proposal(
    proposal_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.Proposal:
    """Withdraw a draft or submitted proposal; its planned item leaves the forward plan.
    Needs `If-Match`."""
    expected = expected_version(if_match)
    proposal = await proposals.get_proposal(session, principal, proposal_id, for_update=True)
    proposal = await proposals.withdraw_proposal(
        session, principal, proposal, expected_version=expected
    )
    return _out(proposal, response)

"""Proposals: the business case for a new or revised document, approved to proceed by a board.

Cafcass step 1 and appendix 1: a sponsor and a lead officer put a business case (background,
objectives, children's rights, diversity, outputs, consultation and communications plans) to
CMT/ECMT. LBBD stage 1-2: the proposal may become a review of an existing document, so it may
name one. The board decides at a meeting, through the minutes.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.assessments.commands import NewProposal, ProposalChange
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import assessments as authz
from services.domain.authz.principal import Principal
from services.domain.boards import agenda
from services.domain.boards.commands import NewAgendaItem
from services.domain.boards.service import get_board
from services.domain.commands import UNSET
from services.domain.db import new_id
from services.domain.documents.named import document_named
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.models.assessments import Proposal, ProposalStatus
from services.domain.models.meetings import AgendaItem, AgendaItemStatus, MeetingDecision
from services.domain.outbox.service import emit
from services.domain.pagination import after_position
from services.domain.people.service import require_active_person

# What the board's minuted outcome makes of the proposal; other outcomes leave it submitted.
DECIDED = {
    "approved": ProposalStatus.APPROVED,
    "approved_with_conditions": ProposalStatus.APPROVED,
    "rejected": ProposalStatus.DECLINED,
}


async def _check_fields(
    session: AsyncSession, principal: Principal, given: NewProposal | ProposalChange
) -> None:
    if given.title is not UNSET and not (given.title or "").strip():
        raise Invalid("A proposal needs a title.", field="title")
    if given.document_id is not UNSET and given.document_id is not None:
        await document_named(session, principal, given.document_id)
    for field, person_id in (
        ("sponsor_id", given.sponsor_id),
        ("lead_officer_id", given.lead_officer_id),
    ):
        await require_active_person(
            session, principal.organisation_id, None if person_id is UNSET else person_id, field
        )


def _check_version(proposal: Proposal, expected_version: int) -> None:
    if proposal.row_version != expected_version:
        raise PreconditionFailed("The proposal has changed since you read it; fetch it again.")


async def create_proposal(
    session: AsyncSession, principal: Principal, command: NewProposal
) -> Proposal:
    """Draft a business case (admins, policy officers, authors and approvers)."""
    authz.check_create_proposal(principal)
    await _check_fields(session, principal, command)
    proposal = Proposal(
        id=new_id(),
        organisation_id=principal.organisation_id,
        status=ProposalStatus.DRAFT,
        created_by_id=principal.person_id,
        **command.given(),
    )
    session.add(proposal)
    await session.flush()
    await audit_changes.record_change(session, principal, proposal, "proposal.created")
    return proposal


async def get_proposal(
    session: AsyncSession, principal: Principal, proposal_id: uuid.UUID, *, for_update: bool = False
) -> Proposal:
    """A proposal of the caller's organisation; any other id is NotFound."""
    query = select(Proposal).where(
        Proposal.id == proposal_id, Proposal.organisation_id == principal.organisation_id
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    proposal = (await session.execute(query)).scalar_one_or_none()
    if proposal is None:
        raise NotFound("No such proposal.")
    return proposal


async def list_proposals(
    session: AsyncSession,
    principal: Principal,
    *,
    status: ProposalStatus | None = None,
    document_id: uuid.UUID | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[Proposal]:
    """The organisation's proposals, oldest first."""
    query = select(Proposal).where(Proposal.organisation_id == principal.organisation_id)
    if status is not None:
        query = query.where(Proposal.status == status)
    if document_id is not None:
        query = query.where(Proposal.document_id == document_id)
    query = after_position(query, Proposal.created_at, Proposal.id, after).limit(limit)
    return list((await session.execute(query)).scalars())


async def update_proposal(
    session: AsyncSession,
    principal: Principal,
    proposal: Proposal,
    change: ProposalChange,
    *,
    expected_version: int,
) -> Proposal:
    """Change a draft business case; once submitted it is the board's to decide."""
    authz.check_change_proposal(principal, proposal)
    _check_version(proposal, expected_version)
    if proposal.status != ProposalStatus.DRAFT:
        raise Conflict(f"This proposal is {proposal.status}; only a draft can be changed.")
    await _check_fields(session, principal, change)
    changes = change.given()
    changed = {k for k, v in changes.items() if getattr(proposal, k) != v}
    if not changed:
        return proposal
    before = audit.snapshot(proposal)
    for key in changed:
        setattr(proposal, key, changes[key])
    await session.flush()
    await audit_changes.record_change(
        session, principal, proposal, "proposal.updated", before=before
    )
    return proposal


async def submit_proposal(
    session: AsyncSession,
    principal: Principal,
    proposal: Proposal,
    *,
    board_id: uuid.UUID,
    meeting_id: uuid.UUID | None = None,
    accept_late: bool = False,
    expected_version: int | None = None,
) -> Proposal:
    """Put the proposal on the board's forward plan, asking it to approve a new proposal.

    The usual agenda rules apply: the meeting asked for (default the next one), or the one
    after if its agenda deadline has passed, unless the chair accepts it late.
    """
    authz.check_change_proposal(principal, proposal)
    if expected_version is not None:
        _check_version(proposal, expected_version)
    if proposal.status != ProposalStatus.DRAFT:
        raise Conflict(f"This proposal is {proposal.status}; only a draft can be submitted.")
    try:
        board = await get_board(session, principal, board_id)
    except NotFound:
        raise Invalid("No such board.", field="board_id") from None
    new = NewAgendaItem(
        title=proposal.title,
        ask="new_proposal",
        meeting_id=meeting_id,
        accept_late=accept_late,
        notes=proposal.objectives[:5000],
        document_id=proposal.document_id,
    )
    # The board takes it from the author of its document, a member, the chair or the policy
    # team (the agenda's rule).
    item, _ = await agenda.submit_item(session, principal, board, new)
    before = audit.snapshot(proposal)
    proposal.board_id = board.id
    proposal.agenda_item_id = item.id
    proposal.status = ProposalStatus.SUBMITTED
    await session.flush()
    await audit_changes.record_change(
        session, principal, proposal, "proposal.submitted", before=before
    )
    return proposal


async def withdraw_proposal(
    session: AsyncSession, principal: Principal, proposal: Proposal, *, expected_version: int
) -> Proposal:
    """Withdraw a draft or submitted proposal; its item leaves the forward plan too."""
    authz.check_change_proposal(principal, proposal)
    _check_version(proposal, expected_version)
    if proposal.status not in (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED):
        raise Conflict(f"This proposal is already {proposal.status}.")
    if proposal.agenda_item_id is not None:
        item = await agenda.get_item(session, principal, proposal.agenda_item_id, for_update=True)
        if item.status == AgendaItemStatus.PLANNED:
            # The board is not asked to decide a proposal nobody is making any more.
            item_before = audit.snapshot(item)
            item.status = AgendaItemStatus.WITHDRAWN
            await session.flush()
            await audit_changes.record_change(
                session,
                principal,
                item,
                "agenda_item.withdrawn",
                before=item_before,
            )
    before = audit.snapshot(proposal)
    proposal.status = ProposalStatus.WITHDRAWN
    await session.flush()
    await audit_changes.record_change(
        session, principal, proposal, "proposal.withdrawn", before=before
    )
    return proposal


def _decision_note(decision: MeetingDecision) -> str:
    parts = [decision.text.strip()] if decision.text.strip() else []
    if decision.conditions:
        parts.append("Conditions:\n" + "\n".join(f"- {c}" for c in decision.conditions))
    return "\n\n".join(parts)


async def on_meeting_decision(
    session: AsyncSession, principal: Principal, item: AgendaItem, decision: MeetingDecision
) -> None:
    """Apply a board's minuted decision to the proposal the item put to it, if any.

    Approved (with or without conditions) approves it, rejected declines it; deferred, noted
    or referred leave it submitted. A decision that supersedes an earlier one applies afresh,
    so a corrected minute corrects the proposal too.
    """
    rows = await session.execute(
        select(Proposal)
        .where(
            Proposal.organisation_id == item.organisation_id,
            Proposal.agenda_item_id == item.id,
            Proposal.status.in_(
                (ProposalStatus.SUBMITTED, ProposalStatus.APPROVED, ProposalStatus.DECLINED)
            ),
        )
        .with_for_update()
    )
    for proposal in rows.scalars():
        status = DECIDED.get(decision.outcome, ProposalStatus.SUBMITTED)
        if status == proposal.status == ProposalStatus.SUBMITTED:
            continue
        before = audit.snapshot(proposal)
        proposal.status = status
        if status == ProposalStatus.SUBMITTED:
            proposal.decided_at = None
            proposal.decision_note = ""
        else:
            proposal.decided_at = decision.recorded_at
            proposal.decision_note = _decision_note(decision)
        await session.flush()
        await audit_changes.record_change(
            session, principal, proposal, "proposal.decided", before=before
        )
        if status in (ProposalStatus.APPROVED, ProposalStatus.DECLINED):
            await emit(
                session,
                events.ProposalDecided(
                    organisation_id=proposal.organisation_id,
                    proposal_id=proposal.id,
                    document_id=proposal.document_id,
                    status="approved" if status == ProposalStatus.APPROVED else "declined",
                ),
            )

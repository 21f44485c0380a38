"""Proposals: the business case for a new or revised document, approved to proceed by a board.

Cafcass step 1 and appendix 1: a sponsor and a lead officer put a business case (background,
objectives, children's rights, diversity, outputs, consultation and communications plans) to
CMT/ECMT. LBBD stage 1-2: the proposal may become a review of an existing document, so it may
name one. The board decides at a meeting, through the minutes.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import service as audit
from services.domain.authz import assessments as authz
from services.domain.authz.principal import Principal
from services.domain.boards import agenda
from services.domain.boards.commands import NewAgendaItem
from services.domain.boards.service import get_board
from services.domain.db import new_id
from services.domain.documents.named import document_named
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.models.assessments import Proposal
from services.domain.models.meetings import AgendaItem, MeetingDecision
from services.domain.outbox.service import emit
from services.domain.pagination import after_position
from services.domain.people.service import require_active_person

FIELDS = frozenset(
    {
        "title",
        "document_id",
        "sponsor_id",
        "lead_officer_id",
        "background",
        "objectives",
        "childrens_rights",
        "diversity",
        "outputs",
        "consultation_plan",
        "communications_plan",
    }
)
# What the board's minuted outcome makes of the proposal; other outcomes leave it submitted.
DECIDED = {
    "approved": "approved",
    "approved_with_conditions": "approved",
    "rejected": "declined",
}


async def _check_fields(
    session: AsyncSession, principal: Principal, fields: Mapping[str, Any]
) -> None:
    unknown = set(fields) - FIELDS
    if unknown:
        raise Invalid(f"Unknown fields: {', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    if "title" in fields and not (fields["title"] or "").strip():
        raise Invalid("A proposal needs a title.", field="title")
    if fields.get("document_id") is not None:
        await document_named(session, principal, fields["document_id"])
    for field in ("sponsor_id", "lead_officer_id"):
        await require_active_person(session, principal.organisation_id, fields.get(field), field)


def _check_version(proposal: Proposal, expected_version: int) -> None:
    if proposal.row_version != expected_version:
        raise PreconditionFailed("The proposal has changed since you read it; fetch it again.")


async def _record(
    session: AsyncSession,
    principal: Principal,
    proposal: Proposal,
    action: str,
    before: dict[str, Any] | None,
) -> None:
    await audit.record(
        session,
        principal,
        organisation_id=proposal.organisation_id,
        action=action,
        entity_type="proposal",
        entity_id=proposal.id,
        before=before,
        after=audit.snapshot(proposal),
    )


async def create_proposal(
    session: AsyncSession, principal: Principal, fields: Mapping[str, Any]
) -> Proposal:
    """Draft a business case (admins, policy officers, authors and approvers)."""
    authz.check_create_proposal(principal)
    await _check_fields(session, principal, fields)
    if "title" not in fields:
        raise Invalid("A proposal needs a title.", field="title")
    proposal = Proposal(
        id=new_id(),
        organisation_id=principal.organisation_id,
        status="draft",
        created_by_id=principal.person_id,
        **fields,
    )
    session.add(proposal)
    await session.flush()
    await _record(session, principal, proposal, "proposal.created", None)
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
    status: str | None = None,
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
    changes: Mapping[str, Any],
    *,
    expected_version: int,
) -> Proposal:
    """Change a draft business case; once submitted it is the board's to decide."""
    authz.check_change_proposal(principal, proposal)
    _check_version(proposal, expected_version)
    if proposal.status != "draft":
        raise Conflict(f"This proposal is {proposal.status}; only a draft can be changed.")
    await _check_fields(session, principal, changes)
    changed = {k for k, v in changes.items() if getattr(proposal, k) != v}
    if not changed:
        return proposal
    before = audit.snapshot(proposal)
    for key in changed:
        setattr(proposal, key, changes[key])
    await session.flush()
    await _record(session, principal, proposal, "proposal.updated", before)
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
    if proposal.status != "draft":
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
    proposal.status = "submitted"
    await session.flush()
    await _record(session, principal, proposal, "proposal.submitted", before)
    return proposal


async def withdraw_proposal(
    session: AsyncSession, principal: Principal, proposal: Proposal, *, expected_version: int
) -> Proposal:
    """Withdraw a draft or submitted proposal; its item leaves the forward plan too."""
    authz.check_change_proposal(principal, proposal)
    _check_version(proposal, expected_version)
    if proposal.status not in ("draft", "submitted"):
        raise Conflict(f"This proposal is already {proposal.status}.")
    if proposal.agenda_item_id is not None:
        item = await agenda.get_item(session, principal, proposal.agenda_item_id, for_update=True)
        if item.status == "planned":
            # The board is not asked to decide a proposal nobody is making any more.
            item_before = audit.snapshot(item)
            item.status = "withdrawn"
            await session.flush()
            await audit.record(
                session,
                principal,
                organisation_id=item.organisation_id,
                action="agenda_item.withdrawn",
                entity_type="agenda_item",
                entity_id=item.id,
                before=item_before,
                after=audit.snapshot(item),
            )
    before = audit.snapshot(proposal)
    proposal.status = "withdrawn"
    await session.flush()
    await _record(session, principal, proposal, "proposal.withdrawn", before)
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
            Proposal.status.in_(("submitted", "approved", "declined")),
        )
        .with_for_update()
    )
    for proposal in rows.scalars():
        status = DECIDED.get(decision.outcome, "submitted")
        if status == proposal.status == "submitted":
            continue
        before = audit.snapshot(proposal)
        proposal.status = status
        if status == "submitted":
            proposal.decided_at = None
            proposal.decision_note = ""
        else:
            proposal.decided_at = decision.recorded_at
            proposal.decision_note = _decision_note(decision)
        await session.flush()
        await _record(session, principal, proposal, "proposal.decided", before)
        if status in ("approved", "declined"):
            await emit(
                session,
                events.ProposalDecided(
                    organisation_id=proposal.organisation_id,
                    proposal_id=proposal.id,
                    document_id=proposal.document_id,
                    status="approved" if status == "approved" else "declined",
                ),
            )

"""The minutes of a meeting: decisions per item, actions with owners, and issuing them.

Dorset PPP Group terms of reference: the chair seeks consensus, else a vote or referral to the
extended leadership team (4.2), and issues minutes and notification of actions after each
meeting (6). Attendance and quorum live in ``attendance``.
"""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import boards as authz
from services.domain.authz.principal import Principal
from services.domain.boards.agenda import get_item
from services.domain.boards.attendance import check_meeting_happened
from services.domain.boards.commands import ActionChange, NewAction, NewDecision
from services.domain.boards.meetings import carry_item, next_meeting
from services.domain.boards.service import get_board, members_of
from services.domain.clock import utcnow
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.models.boards import BoardMember
from services.domain.models.meetings import (
    ActionStatus,
    AgendaItem,
    AgendaItemStatus,
    Meeting,
    MeetingAction,
    MeetingDecision,
    MeetingStatus,
)
from services.domain.models.people import Person
from services.domain.outbox.service import emit
from services.domain.people.service import require_active_person
from services.domain.subscribers import react

# Outcomes that settle an item; "deferred" carries it to the next meeting instead.
SETTLING = ("approved", "approved_with_conditions", "rejected", "noted", "referred")


# --- decisions and actions -------------------------------------------------------------------


async def decisions_of(session: AsyncSession, meeting_id: uuid.UUID) -> list[MeetingDecision]:
    rows = await session.execute(
        select(MeetingDecision)
        .where(MeetingDecision.meeting_id == meeting_id)
        .order_by(MeetingDecision.recorded_at, MeetingDecision.id)
    )
    return list(rows.scalars())


async def current_decisions(session: AsyncSession, meeting_id: uuid.UUID) -> list[MeetingDecision]:
    """The meeting's decisions that no later decision (at any meeting) supersedes."""
    later = aliased(MeetingDecision)
    rows = await session.execute(
        select(MeetingDecision)
        .where(
            MeetingDecision.meeting_id == meeting_id,
            ~exists().where(later.supersedes_id == MeetingDecision.id),
        )
        .order_by(MeetingDecision.recorded_at, MeetingDecision.id)
    )
    return list(rows.scalars())


async def current_decision(
    session: AsyncSession, agenda_item_id: uuid.UUID
) -> MeetingDecision | None:
    """The item's decision that no later one supersedes."""
    later = select(MeetingDecision.supersedes_id).where(
        MeetingDecision.agenda_item_id == agenda_item_id,
        MeetingDecision.supersedes_id.is_not(None),
    )
    rows = await session.execute(
        select(MeetingDecision)
        .where(
            MeetingDecision.agenda_item_id == agenda_item_id,
            MeetingDecision.id.not_in(later),
        )
        .order_by(MeetingDecision.recorded_at.desc())
        .limit(1)
    )
    return rows.scalar_one_or_none()


def _check_decision_fields(new: NewDecision) -> None:
    if new.outcome == "approved_with_conditions" and not new.conditions:
        raise Invalid("Approval with conditions needs the conditions.", field="conditions")
    if new.outcome != "approved_with_conditions" and new.conditions:
        raise Invalid("Only an approval with conditions has conditions.", field="conditions")
    if new.see_again and new.outcome != "approved_with_conditions":
        raise Invalid("see_again goes with an approval with conditions.", field="see_again")
    if new.method == "vote" and (new.votes_for is None or new.votes_against is None):
        raise Invalid("A vote records the votes for and against.", field="votes_for")


async def _item_to_decide(
    session: AsyncSession, principal: Principal, meeting: Meeting, new: NewDecision
) -> AgendaItem:
    """The item the decision is on, locked: on this meeting's agenda (or decided at it), not
    withdrawn, and superseding its current decision at this meeting if it has one."""
    try:
        item = await get_item(session, principal, new.agenda_item_id, for_update=True)
    except NotFound:
        raise Invalid("No such agenda item.", field="agenda_item_id") from None
    current = await current_decision(session, item.id)
    supersedes_id = new.supersedes_id
    if item.meeting_id != meeting.id and (current is None or current.meeting_id != meeting.id):
        raise Invalid("That item is not on this meeting's agenda.", field="agenda_item_id")
    if item.status == AgendaItemStatus.WITHDRAWN:
        raise Conflict("That item was withdrawn.")
    if current is not None and current.meeting_id == meeting.id and supersedes_id != current.id:
        raise Conflict(
            "This item already has a decision at this meeting; to change it, record a new "
            "decision with supersedes_id set to the current one.",
            current_decision_id=str(current.id),
        )
    if supersedes_id is not None and (current is None or supersedes_id != current.id):
        raise Conflict("supersedes_id must be the item's current decision.")
    return item


async def _settle(
    session: AsyncSession, meeting: Meeting, item: AgendaItem, decision: MeetingDecision
) -> None:
    """The meeting is held; the item is decided, or (deferred) goes to the next meeting."""
    if meeting.status == MeetingStatus.SCHEDULED:
        meeting.status = MeetingStatus.HELD
    item.meeting_id = meeting.id
    if decision.outcome in SETTLING:
        item.status = AgendaItemStatus.DECIDED
    else:
        item.status = AgendaItemStatus.PLANNED
        later = await next_meeting(session, meeting.board_id, meeting.starts_at)
        if later is not None:
            await carry_item(session, item, later.id)


async def record_decision(
    session: AsyncSession, principal: Principal, meeting: Meeting, new: NewDecision
) -> MeetingDecision:
    """Minute the board's decision on one of the meeting's items.

    Decisions are never edited: to correct one, record a new decision that supersedes it.
    A deferred item moves to the board's next meeting.
    """
    board = await get_board(session, principal, meeting.board_id)
    await authz.check_run_meetings(session, principal, board)
    check_meeting_happened(meeting)
    _check_decision_fields(new)
    item = await _item_to_decide(session, principal, meeting, new)
    decided_by_id = new.decided_by_id or meeting.chaired_by_id
    if decided_by_id is not None:
        person = await session.get(Person, decided_by_id)
        if person is None or person.organisation_id != meeting.organisation_id:
            raise Invalid("No such person in your organisation.", field="decided_by_id")
    decision = MeetingDecision(
        id=uuid.uuid4(),
        organisation_id=meeting.organisation_id,
        meeting_id=meeting.id,
        agenda_item_id=item.id,
        outcome=new.outcome,
        method=new.method,
        text=new.text,
        conditions=list(new.conditions),
        votes_for=new.votes_for,
        votes_against=new.votes_against,
        abstentions=new.abstentions,
        decided_by_id=decided_by_id,
        recorded_by_id=principal.person_id,
        recorded_by_label=principal.label[:300],
        recorded_at=utcnow(),
        supersedes_id=new.supersedes_id,
        see_again=new.see_again,
    )
    session.add(decision)
    before = audit.snapshot(item)
    await _settle(session, meeting, item, decision)
    await session.flush()
    # The item's record: the decision is minuted on it.
    await audit_changes.record_change(
        session,
        principal,
        item,
        "meeting.decision_recorded",
        before=before,
        after={**audit.snapshot(item), "decision": audit.snapshot(decision)},
    )
    await _announce(session, principal, meeting, item, decision)
    return decision


async def _announce(
    session: AsyncSession,
    principal: Principal,
    meeting: Meeting,
    item: AgendaItem,
    decision: MeetingDecision,
) -> None:
    recorded = events.DecisionRecorded(
        organisation_id=meeting.organisation_id,
        board_id=meeting.board_id,
        meeting_id=meeting.id,
        agenda_item_id=item.id,
        decision_id=decision.id,
        document_id=item.document_id,
        version_id=item.version_id,
        outcome=decision.outcome,
    )
    await emit(session, recorded)
    # The item may be a proposal or a sign-off stage: the minutes decide them too
    # (services/domain/reactions/minutes.py).
    await react(session, principal, recorded)


async def actions_of(session: AsyncSession, meeting_id: uuid.UUID) -> list[MeetingAction]:
    rows = await session.execute(
        select(MeetingAction)
        .where(MeetingAction.meeting_id == meeting_id)
        .order_by(MeetingAction.created_at, MeetingAction.id)
    )
    return list(rows.scalars())


async def get_action(
    session: AsyncSession, principal: Principal, meeting: Meeting, action_id: uuid.UUID
) -> MeetingAction:
    action = await session.get(MeetingAction, action_id)
    if action is None or action.meeting_id != meeting.id:
        raise NotFound("No such action of this meeting.")
    return action


async def _check_action(session: AsyncSession, meeting: Meeting, action: MeetingAction) -> None:
    await require_active_person(session, meeting.organisation_id, action.owner_id, "owner_id")
    if action.agenda_item_id is not None:
        item = await session.get(AgendaItem, action.agenda_item_id)
        if item is None or item.organisation_id != meeting.organisation_id:
            raise Invalid("No such agenda item.", field="agenda_item_id")


async def add_action(
    session: AsyncSession, principal: Principal, meeting: Meeting, new: NewAction
) -> MeetingAction:
    """Minute an action with its owner and due date."""
    board = await get_board(session, principal, meeting.board_id)
    await authz.check_run_meetings(session, principal, board)
    check_meeting_happened(meeting)
    action = MeetingAction(
        id=uuid.uuid4(),
        organisation_id=meeting.organisation_id,
        meeting_id=meeting.id,
        agenda_item_id=new.agenda_item_id,
        description=new.description,
        owner_id=new.owner_id,
        due_on=new.due_on,
        status=ActionStatus.OPEN,
    )
    await _check_action(session, meeting, action)
    session.add(action)
    await session.flush()
    await audit_changes.record_change(session, principal, action, "meeting.action_added")
    return action


async def update_action(
    session: AsyncSession,
    principal: Principal,
    meeting: Meeting,
    action: MeetingAction,
    command: ActionChange,
    *,
    expected_version: int,
) -> MeetingAction:
    """Change an action's owner, due date or description, or mark it done (or open again).

    The action's owner may mark it done too.
    """
    board = await get_board(session, principal, meeting.board_id)
    changes = command.given()
    await authz.check_update_action(session, principal, board, action, set(changes))
    if action.row_version != expected_version:
        raise PreconditionFailed("The action has changed since you read it; fetch it again.")
    before = audit.snapshot(action)
    for key, value in changes.items():
        setattr(action, key, value)
    if "status" in changes:
        action.completed_at = utcnow() if action.status == ActionStatus.DONE else None
    await _check_action(session, meeting, action)
    await session.flush()
    await audit_changes.record_change(
        session, principal, action, "meeting.action_updated", before=before
    )
    return action


async def issue_minutes(
    session: AsyncSession, principal: Principal, meeting: Meeting, *, expected_version: int
) -> Meeting:
    """Issue the minutes: members and action owners are sent them (again, if re-issued)."""
    board = await get_board(session, principal, meeting.board_id)
    await authz.check_run_meetings(session, principal, board)
    if meeting.row_version != expected_version:
        raise PreconditionFailed("The meeting has changed since you read it; fetch it again.")
    if meeting.status != MeetingStatus.HELD:
        raise Conflict("Record the attendance or a decision first: the meeting is not held yet.")
    meeting.minutes_issued_at = utcnow()
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        meeting,
        "meeting.minutes_issued",
        after={"minutes_issued_at": meeting.minutes_issued_at.isoformat()},
    )
    await emit(
        session,
        events.MinutesIssued(
            organisation_id=meeting.organisation_id,
            board_id=meeting.board_id,
            meeting_id=meeting.id,
        ),
    )
    return meeting


async def board_members(session: AsyncSession, board_id: uuid.UUID) -> list[BoardMember]:
    return await members_of(session, [board_id])

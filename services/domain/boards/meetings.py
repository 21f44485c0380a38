"""Meetings: arranged ad hoc (or generated from a board's schedule, ``schedule``), moved,
cancelled, papers sent; the items on them carried from one to the next.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import boards as authz
from services.domain.authz.principal import Principal
from services.domain.boards.commands import MeetingChange, NewMeeting
from services.domain.boards.service import (
    deadlines_for,
    get_board,
    working_calendar,
)
from services.domain.clock import LONDON, london_today, utcnow
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.models.boards import Board
from services.domain.models.meetings import AgendaItem, AgendaItemStatus, Meeting, MeetingStatus
from services.domain.outbox.service import emit
from services.domain.pagination import after_position


def meeting_day(meeting: Meeting) -> date:
    """The meeting's date in London, which deadlines count back from."""
    return meeting.starts_at.astimezone(LONDON).date()


async def get_meeting(
    session: AsyncSession,
    principal: Principal,
    meeting_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Meeting:
    """A meeting of the caller's organisation; any other id is NotFound."""
    query = select(Meeting).where(
        Meeting.id == meeting_id, Meeting.organisation_id == principal.organisation_id
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    meeting = (await session.execute(query)).scalar_one_or_none()
    if meeting is None:
        raise NotFound("No such meeting.")
    return meeting


def meetings_query(
    organisation_id: uuid.UUID,
    *,
    board_id: uuid.UUID | None = None,
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    status: MeetingStatus | None = None,
) -> Select[Meeting]:
    query = select(Meeting).where(Meeting.organisation_id == organisation_id)
    if board_id is not None:
        query = query.where(Meeting.board_id == board_id)
    if starts_from is not None:
        query = query.where(Meeting.starts_at >= starts_from)
    if starts_before is not None:
        query = query.where(Meeting.starts_at < starts_before)
    if status is not None:
        query = query.where(Meeting.status == status)
    return query


async def list_meetings(
    session: AsyncSession,
    principal: Principal,
    *,
    board_id: uuid.UUID | None = None,
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    status: MeetingStatus | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[Meeting]:
    """Meetings in date order, optionally of one board, in a window or of one status."""
    query = meetings_query(
        principal.organisation_id,
        board_id=board_id,
        starts_from=starts_from,
        starts_before=starts_before,
        status=status,
    )
    query = after_position(query, Meeting.starts_at, Meeting.id, after).limit(limit)
    return list((await session.execute(query)).scalars())


async def next_meeting(
    session: AsyncSession, board_id: uuid.UUID, after: datetime
) -> Meeting | None:
    """The board's first scheduled (not cancelled, not yet held) meeting after ``after``."""
    query = (
        select(Meeting)
        .where(
            Meeting.board_id == board_id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at > after,
        )
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


# --- one meeting -----------------------------------------------------------------------------


async def create_meeting(
    session: AsyncSession, principal: Principal, board: Board, new: NewMeeting
) -> Meeting:
    """Arrange an extra meeting outside the schedule."""
    await authz.check_run_meetings(session, principal, board)
    starts_at = new.starts_at
    ends_at = new.ends_at or starts_at + timedelta(minutes=board.meeting_duration_minutes)
    if ends_at <= starts_at:
        raise Invalid("A meeting must end after it starts.", field="ends_at")
    meeting = Meeting(
        id=uuid.uuid4(),
        organisation_id=board.organisation_id,
        board_id=board.id,
        starts_at=starts_at,
        ends_at=ends_at,
        location=new.location or board.default_location,
        notes=new.notes,
        status=MeetingStatus.SCHEDULED,
    )
    session.add(meeting)
    await session.flush()
    await audit_changes.record_change(session, principal, meeting, "meeting.created")
    await emit(
        session,
        events.MeetingScheduled(
            organisation_id=board.organisation_id,
            board_id=board.id,
            meeting_id=meeting.id,
            starts_at=meeting.starts_at,
        ),
    )
    return meeting


def _check_open(meeting: Meeting, expected_version: int | None = None) -> None:
    if expected_version is not None and meeting.row_version != expected_version:
        raise PreconditionFailed("The meeting has changed since you read it; fetch it again.")
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict(f"This meeting is {meeting.status}; it can no longer be changed.")


async def update_meeting(
    session: AsyncSession,
    principal: Principal,
    meeting: Meeting,
    command: MeetingChange,
    *,
    expected_version: int,
) -> Meeting:
    """Move a meeting (new start, end or place) or change its notes; a move is announced."""
    board = await get_board(session, principal, meeting.board_id)
    await authz.check_run_meetings(session, principal, board)
    _check_open(meeting, expected_version)
    before = audit.snapshot(meeting)
    previous_start = meeting.starts_at
    duration = meeting.ends_at - meeting.starts_at
    changes = command.given()
    for key, value in changes.items():
        setattr(meeting, key, value)
    if "starts_at" in changes and "ends_at" not in changes:
        meeting.ends_at = meeting.starts_at + duration
    if meeting.ends_at <= meeting.starts_at:
        raise Invalid("A meeting must end after it starts.", field="ends_at")
    moved = meeting.starts_at != previous_start
    if moved:
        meeting.moved_from = previous_start
        meeting.sequence += 1
    elif {"location", "ends_at"} & changes.keys():
        meeting.sequence += 1
    await session.flush()
    await audit_changes.record_change(
        session, principal, meeting, "meeting.moved" if moved else "meeting.updated", before=before
    )
    if moved:
        await emit(
            session,
            events.MeetingMoved(
                organisation_id=meeting.organisation_id,
                board_id=meeting.board_id,
                meeting_id=meeting.id,
                previous_starts_at=previous_start,
                starts_at=meeting.starts_at,
            ),
        )
    return meeting


async def cancel_meeting(
    session: AsyncSession,
    principal: Principal,
    meeting: Meeting,
    reason: str,
    *,
    expected_version: int,
) -> tuple[Meeting, Meeting | None]:
    """Cancel a meeting; its planned items move to the board's next meeting, and people are told.

    Returns the meeting and the one its items went to (None when the board has no later one:
    the items then wait on the forward plan of the cancelled meeting for the chair to place).
    """
    board = await get_board(session, principal, meeting.board_id)
    await authz.check_run_meetings(session, principal, board)
    _check_open(meeting, expected_version)
    before = audit.snapshot(meeting)
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancellation_reason = reason
    meeting.sequence += 1
    target = await next_meeting(session, board.id, meeting.starts_at)
    items = list(
        (
            await session.execute(
                select(AgendaItem).where(
                    AgendaItem.meeting_id == meeting.id,
                    AgendaItem.status == AgendaItemStatus.PLANNED,
                )
            )
        ).scalars()
    )
    if target is not None:
        for item in sorted(items, key=lambda i: (i.section, i.position)):
            await carry_item(session, item, target.id)
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        meeting,
        "meeting.cancelled",
        before=before,
        after={
            **audit.snapshot(meeting),
            "items_moved_to_meeting_id": str(target.id) if target and items else None,
        },
    )
    await emit(
        session,
        events.MeetingCancelled(
            organisation_id=meeting.organisation_id,
            board_id=meeting.board_id,
            meeting_id=meeting.id,
            starts_at=meeting.starts_at,
            reason=reason,
            items_moved_to_meeting_id=target.id if target and items else None,
            agenda_item_ids=[i.id for i in items],
        ),
    )
    return meeting, target if items else None


async def circulate_papers(
    session: AsyncSession, principal: Principal, meeting: Meeting
) -> tuple[Meeting, bool]:
    """Send the agenda and papers to members; returns the meeting and whether it was late.

    Circulating again (revised papers) sends them again.
    """
    board = await get_board(session, principal, meeting.board_id)
    await authz.check_run_meetings(session, principal, board)
    _check_open(meeting)
    calendar = await working_calendar(session, meeting.organisation_id)
    deadline = deadlines_for(board, meeting_day(meeting), calendar).papers
    is_late = deadline is not None and london_today() > deadline
    meeting.papers_circulated_at = utcnow()
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        meeting,
        "meeting.papers_circulated",
        after={"papers_circulated_at": meeting.papers_circulated_at.isoformat(), "late": is_late},
    )
    await emit(
        session,
        events.PapersCirculated(
            organisation_id=meeting.organisation_id,
            board_id=meeting.board_id,
            meeting_id=meeting.id,
            is_late=is_late,
        ),
    )
    return meeting, is_late


async def next_position(session: AsyncSession, meeting_id: uuid.UUID, section: str) -> int:
    """The place after the last item of a section of a meeting's agenda."""
    found = await session.execute(
        select(func.max(AgendaItem.position)).where(
            AgendaItem.meeting_id == meeting_id, AgendaItem.section == section
        )
    )
    current = found.scalar()
    return 0 if current is None else current + 1


async def carry_item(session: AsyncSession, item: AgendaItem, meeting_id: uuid.UUID) -> None:
    """Move an item to the end of its section on another meeting's agenda."""
    item.position = await next_position(session, meeting_id, item.section)
    item.meeting_id = meeting_id
    await session.flush()


async def count_items(session: AsyncSession, meeting_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Planned or decided items per meeting."""
    if not meeting_ids:
        return {}
    rows = await session.execute(
        select(AgendaItem.meeting_id, func.count())
        .where(
            AgendaItem.meeting_id.in_(meeting_ids), AgendaItem.status != AgendaItemStatus.WITHDRAWN
        )
        .group_by(AgendaItem.meeting_id)
    )
    return {meeting_id: count for meeting_id, count in rows}

"""Meetings: generated from a board's schedule, arranged ad hoc, moved, cancelled, papers sent.

A schedule is an RFC 5545 recurrence rule ("second Tuesday of each month except August and
December": ``FREQ=MONTHLY;BYDAY=+2TU;BYMONTH=1,2,3,4,5,6,7,9,10,11``). Each occurrence is made
once, keyed by the date the rule gave, so expanding the schedule again never doubles a meeting
and a moved or cancelled meeting is not re-created.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import service as audit
from services.domain.authz import boards as authz
from services.domain.authz.principal import Principal
from services.domain.boards.service import (
    deadlines_for,
    get_board,
    working_calendar,
)
from services.domain.calendar.schedules import ScheduleError, occurrences, twelve_months_from
from services.domain.calendar.working_days import WorkingCalendar
from services.domain.clock import LONDON, london_today, utcnow
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.models.boards import AgendaItem, Board, Meeting
from services.domain.outbox.service import emit
from services.domain.pagination import after_position
from services.domain.sweeps import each_in_savepoint

MAX_GENERATE_MONTHS = 24


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
    status: str | None = None,
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
    status: str | None = None,
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
            Meeting.status == "scheduled",
            Meeting.starts_at > after,
        )
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


# --- the schedule ----------------------------------------------------------------------------


def _expand(
    board: Board, calendar: WorkingCalendar, start: date, end: date
) -> list[tuple[date, datetime]]:
    if not board.schedule_rule or board.schedule_starts_on is None:
        return []
    try:
        found = occurrences(
            board.schedule_rule,
            starts_on=board.schedule_starts_on,
            start_time=board.meeting_start_time,
            window_start=max(start, board.schedule_starts_on),
            window_end=end,
            calendar=calendar,
            on_non_working_day=board.meetings_on_bank_holidays,  # type: ignore[arg-type]
        )
    except ScheduleError as exc:
        raise Invalid(str(exc), field="schedule_rule") from None
    return [(o.key, o.starts_at) for o in found]


async def generate_meetings(
    session: AsyncSession,
    principal: Principal | None,
    board: Board,
    *,
    start: date,
    end: date,
) -> list[Meeting]:
    """Create the schedule's meetings from ``start`` to ``end`` that do not exist yet."""
    if end < start:
        raise Invalid("The window ends before it starts.", field="end")
    if end > start + timedelta(days=31 * MAX_GENERATE_MONTHS):
        raise Invalid(f"Generate at most {MAX_GENERATE_MONTHS} months at a time.", field="end")
    calendar = await working_calendar(session, board.organisation_id)
    planned = _expand(board, calendar, start, end)
    if not planned:
        return []
    duration = timedelta(minutes=board.meeting_duration_minutes)
    rows = [
        {
            "id": uuid.uuid4(),
            "organisation_id": board.organisation_id,
            "board_id": board.id,
            "occurrence_key": key,
            "starts_at": starts_at,
            "ends_at": starts_at + duration,
            "location": board.default_location,
            "status": "scheduled",
        }
        for key, starts_at in planned
    ]
    # ON CONFLICT: a concurrent expansion (the daily sweep and an admin) makes each once.
    created_ids = (
        await session.execute(
            insert(Meeting)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["board_id", "occurrence_key"])
            .returning(Meeting.id)
        )
    ).scalars()
    ids = list(created_ids)
    if not ids:
        return []
    created = list(
        (
            await session.execute(
                select(Meeting).where(Meeting.id.in_(ids)).order_by(Meeting.starts_at)
            )
        ).scalars()
    )
    await audit.record(
        session,
        principal,
        organisation_id=board.organisation_id,
        action="meeting.generated",
        entity_type="board",
        entity_id=board.id,
        after={
            "schedule_rule": board.schedule_rule,
            "meetings": [{"id": str(m.id), "starts_at": m.starts_at.isoformat()} for m in created],
        },
    )
    for meeting in created:
        await emit(
            session,
            events.MeetingScheduled(
                organisation_id=board.organisation_id,
                board_id=board.id,
                meeting_id=meeting.id,
                starts_at=meeting.starts_at,
            ),
        )
    return created


async def reschedule(session: AsyncSession, principal: Principal, board: Board) -> list[Meeting]:
    """After a schedule change: drop untouched future meetings it no longer gives, fill the year.

    A meeting with items, one that was moved or cancelled by hand, and every past meeting stay.
    """
    today = london_today()
    end = twelve_months_from(today)
    calendar = await working_calendar(session, board.organisation_id)
    wanted = {key for key, _ in _expand(board, calendar, today, end)}
    untouched = (
        await session.execute(
            select(Meeting).where(
                Meeting.board_id == board.id,
                Meeting.occurrence_key.is_not(None),
                Meeting.status == "scheduled",
                Meeting.moved_from.is_(None),
                Meeting.papers_circulated_at.is_(None),
                Meeting.starts_at > utcnow(),
                ~exists().where(AgendaItem.meeting_id == Meeting.id),
                ~exists().where(AgendaItem.requested_meeting_id == Meeting.id),
            )
        )
    ).scalars()
    for meeting in untouched:
        if meeting.occurrence_key not in wanted:
            await session.delete(meeting)
    await session.flush()
    return await generate_meetings(session, principal, board, start=today, end=end)


async def extend_schedules(session: AsyncSession, today: date) -> int:
    """Keep twelve months of meetings ahead of every scheduled board (the daily sweep).

    A board whose schedule fails (say, a rule giving too many meetings) is logged and skipped,
    so it cannot hold up the others.
    """
    boards = (
        await session.execute(
            select(Board).where(Board.is_active.is_(True), Board.schedule_rule.is_not(None))
        )
    ).scalars()

    async def extend(board: Board) -> int:
        created = await generate_meetings(
            session, None, board, start=today, end=twelve_months_from(today)
        )
        return len(created)

    return sum(await each_in_savepoint(session, boards, extend, what="board schedule"))


# --- one meeting -----------------------------------------------------------------------------


async def create_meeting(
    session: AsyncSession, principal: Principal, board: Board, fields: Mapping[str, Any]
) -> Meeting:
    """Arrange an extra meeting outside the schedule."""
    await authz.check_run_meetings(session, principal, board)
    starts_at: datetime = fields["starts_at"]
    ends_at = fields.get("ends_at") or starts_at + timedelta(minutes=board.meeting_duration_minutes)
    if ends_at <= starts_at:
        raise Invalid("A meeting must end after it starts.", field="ends_at")
    meeting = Meeting(
        id=uuid.uuid4(),
        organisation_id=board.organisation_id,
        board_id=board.id,
        starts_at=starts_at,
        ends_at=ends_at,
        location=fields.get("location") or board.default_location,
        notes=fields.get("notes", ""),
        status="scheduled",
    )
    session.add(meeting)
    await session.flush()
    await audit.record(
        session,
        principal,
        organisation_id=board.organisation_id,
        action="meeting.created",
        entity_type="meeting",
        entity_id=meeting.id,
        after=audit.snapshot(meeting),
    )
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
    if meeting.status != "scheduled":
        raise Conflict(f"This meeting is {meeting.status}; it can no longer be changed.")


async def update_meeting(
    session: AsyncSession,
    principal: Principal,
    meeting: Meeting,
    changes: Mapping[str, Any],
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
    await audit.record(
        session,
        principal,
        organisation_id=meeting.organisation_id,
        action="meeting.moved" if moved else "meeting.updated",
        entity_type="meeting",
        entity_id=meeting.id,
        before=before,
        after=audit.snapshot(meeting),
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
    meeting.status = "cancelled"
    meeting.cancellation_reason = reason
    meeting.sequence += 1
    target = await next_meeting(session, board.id, meeting.starts_at)
    items = list(
        (
            await session.execute(
                select(AgendaItem).where(
                    AgendaItem.meeting_id == meeting.id, AgendaItem.status == "planned"
                )
            )
        ).scalars()
    )
    if target is not None:
        for item in sorted(items, key=lambda i: (i.section, i.position)):
            await carry_item(session, item, target.id)
    await session.flush()
    await audit.record(
        session,
        principal,
        organisation_id=meeting.organisation_id,
        action="meeting.cancelled",
        entity_type="meeting",
        entity_id=meeting.id,
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
    await audit.record(
        session,
        principal,
        organisation_id=meeting.organisation_id,
        action="meeting.papers_circulated",
        entity_type="meeting",
        entity_id=meeting.id,
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
        .where(AgendaItem.meeting_id.in_(meeting_ids), AgendaItem.status != "withdrawn")
        .group_by(AgendaItem.meeting_id)
    )
    return {meeting_id: count for meeting_id, count in rows}

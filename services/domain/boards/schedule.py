"""A board's schedule: the meetings its recurrence rule gives, made once each, a year ahead.

A schedule is an RFC 5545 recurrence rule ("second Tuesday of each month except August and
December": ``FREQ=MONTHLY;BYDAY=+2TU;BYMONTH=1,2,3,4,5,6,7,9,10,11``). Each occurrence is made
once, keyed by the date the rule gave, so expanding the schedule again never doubles a meeting
and a moved or cancelled meeting is not re-created.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.authz.principal import Principal
from services.domain.boards.service import working_calendar
from services.domain.calendar.schedules import ScheduleError, occurrences, twelve_months_from
from services.domain.calendar.working_days import WorkingCalendar
from services.domain.clock import london_today, utcnow
from services.domain.errors import Invalid
from services.domain.models.boards import Board
from services.domain.models.meetings import AgendaItem, Meeting, MeetingStatus
from services.domain.outbox.service import emit
from services.domain.sweeps import each_in_savepoint

MAX_GENERATE_MONTHS = 24


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


async def _insert_new(
    session: AsyncSession, board: Board, planned: list[tuple[date, datetime]]
) -> list[Meeting]:
    """The planned occurrences not made yet, made now, in date order."""
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
            "status": MeetingStatus.SCHEDULED,
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
    return list(
        (
            await session.execute(
                select(Meeting).where(Meeting.id.in_(ids)).order_by(Meeting.starts_at)
            )
        ).scalars()
    )


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
    created = await _insert_new(session, board, planned)
    if not created:
        return []
    # The board's record: the schedule made these meetings.
    await audit_changes.record_change(
        session,
        principal,
        board,
        "meeting.generated",
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
                Meeting.status == MeetingStatus.SCHEDULED,
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

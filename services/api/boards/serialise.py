"""Turning boards, meetings and items into their API shapes (deadlines need the calendar)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from fastapi import Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.boards import meeting_schemas, minutes_schemas, schemas
from services.api.etag import set_etag
from services.domain.boards import attendance
from services.domain.boards.meetings import count_items, meeting_day
from services.domain.boards.service import deadlines_for, members_of, working_calendar
from services.domain.models.boards import Board
from services.domain.models.meetings import AgendaItem, Meeting, MeetingDecision


async def boards_out(session: AsyncSession, boards: Sequence[Board]) -> list[schemas.Board]:
    members = await members_of(session, [b.id for b in boards])
    out = []
    for board in boards:
        flagged = await attendance.flagged_members(session, board) if len(boards) == 1 else {}
        seats = [
            schemas.Member(
                id=m.id,
                person_id=m.person_id,
                role=m.role,
                seat=m.seat,
                delegate_id=m.delegate_id,
                missed_in_a_row=flagged.get(m.person_id, 0),
                is_flagged_for_escalation=m.person_id in flagged,
            )
            for m in members
            if m.board_id == board.id
        ]
        out.append(
            schemas.Board.model_validate(
                {**schemas.Board.model_validate(board).model_dump(), "members": seats}
            )
        )
    return out


async def board_out(session: AsyncSession, board: Board) -> schemas.Board:
    return (await boards_out(session, [board]))[0]


async def meetings_out(
    session: AsyncSession, meetings: Sequence[Meeting], boards: dict[uuid.UUID, Board]
) -> list[meeting_schemas.Meeting]:
    if not meetings:
        return []
    calendar = await working_calendar(session, meetings[0].organisation_id)
    counts = await count_items(session, [m.id for m in meetings])
    out = []
    for meeting in meetings:
        board = boards.get(meeting.board_id) or await session.get(Board, meeting.board_id)
        assert board is not None
        boards[board.id] = board
        day = meeting_day(meeting)
        deadlines = deadlines_for(board, day, calendar)
        out.append(
            meeting_schemas.Meeting(
                id=meeting.id,
                board_id=meeting.board_id,
                board_name=board.name,
                day=day,
                starts_at=meeting.starts_at,
                ends_at=meeting.ends_at,
                location=meeting.location,
                status=meeting.status,
                occurrence_key=meeting.occurrence_key,
                moved_from=meeting.moved_from,
                cancellation_reason=meeting.cancellation_reason,
                papers_circulated_at=meeting.papers_circulated_at,
                chaired_by_id=meeting.chaired_by_id,
                minutes_issued_at=meeting.minutes_issued_at,
                notes=meeting.notes,
                deadlines=meeting_schemas.Deadlines(**deadlines.__dict__),
                item_count=counts.get(meeting.id, 0),
                created_at=meeting.created_at,
                updated_at=meeting.updated_at,
            )
        )
    return out


async def meeting_out(session: AsyncSession, meeting: Meeting) -> meeting_schemas.Meeting:
    return (await meetings_out(session, [meeting], {}))[0]


async def meeting_view(
    session: AsyncSession, meeting: Meeting, response: Response
) -> meeting_schemas.Meeting:
    """The meeting as answered, its version in the ETag."""
    set_etag(response, meeting.row_version)
    return await meeting_out(session, meeting)


def item_out(item: AgendaItem) -> meeting_schemas.AgendaItem:
    out = meeting_schemas.AgendaItem.model_validate(item)
    if item.version_id is not None:
        out.paper_url = f"/v1/agenda-items/{item.id}/paper"
    return out


def decisions_out(
    decisions: Sequence[MeetingDecision], current: Sequence[MeetingDecision]
) -> list[minutes_schemas.MeetingDecision]:
    current_ids = {d.id for d in current}
    out = []
    for decision in decisions:
        row = minutes_schemas.MeetingDecision.model_validate(decision)
        row.is_current = decision.id in current_ids
        out.append(row)
    return out


def quorum_out(check: attendance.QuorumCheck | None) -> minutes_schemas.Quorum | None:
    if check is None:
        return None
    return minutes_schemas.Quorum(
        is_quorate=check.is_quorate,
        attending=check.attending,
        required=check.required,
        seats=[
            minutes_schemas.SeatCheck(
                seat=s.seat, minimum=s.minimum, attending=s.attending, is_met=s.is_met
            )
            for s in check.seats
        ],
        chaired_by_id=check.chaired_by_id,
        problems=check.problems,
    )

"""A board's meetings and deadlines as an iCalendar feed that Outlook can subscribe to.

Calendar clients cannot send an API key, so the feed's address carries a token: an HMAC of the
board id and its feed version under the service's secret. Rotating the feed (bumping the
version) revokes every address handed out before.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.authz import boards as authz
from services.domain.authz.principal import Principal
from services.domain.boards.meetings import meeting_day
from services.domain.boards.service import deadlines_for, working_calendar
from services.domain.calendar.ics import CalendarEntry, render_calendar
from services.domain.clock import utcnow
from services.domain.errors import NotFound
from services.domain.models.boards import Board
from services.domain.models.meetings import Meeting, MeetingStatus
from services.domain.tokens import Keyring

# How far the feed reaches: recent past for context, and the year ahead the schedule makes.
FEED_PAST = timedelta(days=92)
FEED_AHEAD = timedelta(days=400)
DEADLINE_LABELS = {
    "agenda": "Agenda items and drafts due",
    "papers": "Papers circulated by",
    "consultation_opens": "Consultation opens",
    "consultation_responses": "Consultation responses due",
}


def _message(board: Board) -> str:
    return f"board-feed:{board.id}:{board.calendar_feed_version}"


def feed_token(keyring: Keyring, board: Board) -> str:
    """The token that unlocks this board's feed until the feed is rotated."""
    return keyring.sign(_message(board))


async def board_for_feed(
    session: AsyncSession, keyring: Keyring, board_id: uuid.UUID, token: str
) -> Board:
    """The board whose feed the token opens; NotFound for a wrong, stale or foreign token."""
    board = await session.get(Board, board_id)
    if board is None or not keyring.verify(_message(board), token):
        raise NotFound("No such calendar feed.")
    return board


async def rotate_feed(session: AsyncSession, principal: Principal, board: Board) -> Board:
    """Revoke every feed address of the board handed out so far."""
    authz.check_manage(principal)
    board.calendar_feed_version += 1
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        board,
        "board.calendar_feed_rotated",
        after={"calendar_feed_version": board.calendar_feed_version},
    )
    return board


async def board_calendar(session: AsyncSession, board: Board, frontend_base_url: str) -> bytes:
    """The feed: every meeting in the window, and the deadlines of those still to come."""
    now = utcnow()
    meetings = (
        await session.execute(
            select(Meeting)
            .where(
                Meeting.board_id == board.id,
                Meeting.starts_at >= now - FEED_PAST,
                Meeting.starts_at <= now + FEED_AHEAD,
            )
            .order_by(Meeting.starts_at)
        )
    ).scalars()
    calendar = await working_calendar(session, board.organisation_id)
    entries: list[CalendarEntry] = []
    base = frontend_base_url.rstrip("/")
    for meeting in meetings:
        cancelled = meeting.status == MeetingStatus.CANCELLED
        url = f"{base}/meetings/{meeting.id}"
        description = board.purpose
        if cancelled and meeting.cancellation_reason:
            description = f"Cancelled: {meeting.cancellation_reason}"
        entries.append(
            CalendarEntry(
                uid=f"meeting-{meeting.id}@policygov",
                summary=f"{board.name}" + (" (cancelled)" if cancelled else ""),
                description=description,
                starts_at=meeting.starts_at,
                ends_at=meeting.ends_at,
                location=meeting.location,
                url=url,
                is_cancelled=cancelled,
                sequence=meeting.sequence,
                last_modified=meeting.updated_at,
            )
        )
        deadlines = deadlines_for(board, meeting_day(meeting), calendar)
        for name, label in DEADLINE_LABELS.items():
            day = getattr(deadlines, name)
            if day is None:
                continue
            entries.append(
                CalendarEntry(
                    uid=f"deadline-{name}-{meeting.id}@policygov",
                    summary=f"{label}: {board.name} {meeting_day(meeting):%d %b %Y}",
                    description=f"For the meeting of {board.name} on "
                    f"{meeting_day(meeting):%A %d %B %Y}.",
                    on_date=day,
                    url=url,
                    is_cancelled=cancelled,
                    sequence=meeting.sequence,
                    last_modified=meeting.updated_at,
                )
            )
    return render_calendar(board.name, entries, generated_at=now)

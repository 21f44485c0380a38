"""Boards: their settings, members, schedule, forward plan, annual report and calendar feed."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any

from dateutil.relativedelta import relativedelta
from fastapi import Query, Request, Response

from services.api import browsers
from services.api.boards import meeting_schemas, minutes_schemas, schemas, serialise
from services.api.deps import AppSettings, CurrentPrincipal, FeedSession, PublicUrl, Session
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.permissions import PUBLIC, allowed
from services.api.routing import Router
from services.api.types import text_field
from services.domain.authz import boards as authz
from services.domain.authz.permissions import Permission as P
from services.domain.boards import feeds, meetings, reports, schedule, service
from services.domain.boards.agenda import items_of
from services.domain.boards.commands import (
    BoardChange,
    NewBoard,
    NewMember,
    SeatRule,
)
from services.domain.calendar.working_days import Offset
from services.domain.clock import london_today, utcnow
from services.domain.errors import Conflict
from services.domain.models.boards import Board
from services.domain.models.meetings import MeetingStatus
from services.domain.tokens import Keyring

router = Router(prefix="/v1/boards", tags=["boards"])
feed_router = Router(tags=["calendar"])
SCHEDULE_FIELDS = {
    "schedule_rule",
    "schedule_starts_on",
    "meeting_start_time",
    "meeting_duration_minutes",
    "meetings_on_bank_holidays",
}


def _settings(body: schemas.BoardSettings | schemas.BoardUpdate) -> dict[str, Any]:
    fields = body.model_dump(mode="python", exclude_unset=True, exclude={"members"})
    if body.deadline_rules is not None and "deadline_rules" in fields:
        rules = body.deadline_rules.model_dump()
        fields["deadline_rules"] = {k: Offset(**v) for k, v in rules.items() if v is not None}
    if body.seat_rules is not None and "seat_rules" in fields:
        fields["seat_rules"] = [SeatRule(**r.model_dump()) for r in body.seat_rules]
    return fields


@router.get("", response_model=list[schemas.Board], dependencies=[allowed(P.BOARDS_READ)])
async def list_boards(
    session: Session, principal: CurrentPrincipal, include_inactive: bool = False
) -> list[schemas.Board]:
    """The organisation's boards, with their members."""
    boards = await service.list_boards(session, principal, include_inactive=include_inactive)
    return await serialise.boards_out(session, boards)


@router.post(
    "", status_code=201, response_model=schemas.Board, dependencies=[allowed(P.BOARDS_MANAGE)]
)
async def create_board(
    body: schemas.BoardCreate, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.Board:
    """Set up a board (admins and policy officers). A schedule makes the next 12 months of
    meetings at once."""
    seated = [NewMember.of(m.model_dump()) for m in body.members]
    board = await service.create_board(
        session, principal, NewBoard.of({**_settings(body), "members": seated})
    )
    if board.schedule_rule:
        await schedule.reschedule(session, principal, board)
    response.headers["Location"] = f"/v1/boards/{board.id}"
    set_etag(response, board.row_version)
    return await serialise.board_out(session, board)


@router.get("/{board_id}", response_model=schemas.Board, dependencies=[allowed(P.BOARDS_READ)])
async def get_board(
    board_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.Board:
    board = await service.get_board(session, principal, board_id)
    set_etag(response, board.row_version)
    return await serialise.board_out(session, board)


@router.patch("/{board_id}", response_model=schemas.Board, dependencies=[allowed(P.BOARDS_MANAGE)])
async def update_board(
    board_id: uuid.UUID,
    body: schemas.BoardUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.Board:
    """Change a board's settings. A schedule change drops the untouched future meetings it no
    longer gives (never one with items, or one moved or cancelled by hand) and fills the next
    12 months. Needs `If-Match`."""
    expected = expected_version(if_match)
    board = await service.get_board(session, principal, board_id, for_update=True)
    board, changed = await service.update_board(
        session, principal, board, BoardChange.of(_settings(body)), expected_version=expected
    )
    if changed & SCHEDULE_FIELDS or ("is_active" in changed and board.is_active):
        await schedule.reschedule(session, principal, board)
    set_etag(response, board.row_version)
    return await serialise.board_out(session, board)


@router.delete(
    "/{board_id}", status_code=204, response_class=Response, dependencies=[allowed(P.BOARDS_MANAGE)]
)
async def delete_board(
    board_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> Response:
    """Remove a board set up by mistake. A board with history answers 409: deactivate it."""
    expected = expected_version(if_match)
    board = await service.get_board(session, principal, board_id, for_update=True)
    await service.delete_board(session, principal, board, expected_version=expected)
    return Response(status_code=204)


@router.post(
    "/{board_id}/meetings/generate",
    response_model=list[meeting_schemas.Meeting],
    dependencies=[allowed(P.MEETINGS_RUN)],
)
async def generate_meetings(
    board_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    body: meeting_schemas.Generate | None = None,
) -> list[meeting_schemas.Meeting]:
    """Create the schedule's meetings in a window (default: the next 12 months) that do not
    exist yet; answers the ones created. Safe to repeat. A daily sweep keeps 12 months ahead."""
    body = body or meeting_schemas.Generate()
    board = await service.get_board(session, principal, board_id, for_update=True)
    await authz.check_run_meetings(session, principal, board)
    if not board.schedule_rule:
        raise Conflict("This board has no schedule; set schedule_rule first.")
    start = body.starts_on or london_today()
    end = start + relativedelta(months=body.months) - timedelta(days=1)
    created = await schedule.generate_meetings(session, principal, board, start=start, end=end)
    return await serialise.meetings_out(session, created, {board.id: board})


@router.get(
    "/{board_id}/forward-plan",
    response_model=meeting_schemas.ForwardPlan,
    dependencies=[allowed(P.BOARDS_READ)],
)
async def get_forward_plan(
    board_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=24, description="Meetings ahead (1-24).")] = 6,
) -> meeting_schemas.ForwardPlan:
    """The board's coming meetings and the items planned for each."""
    board = await service.get_board(session, principal, board_id)
    ahead = await meetings.list_meetings(
        session,
        principal,
        board_id=board.id,
        starts_from=utcnow(),
        status=MeetingStatus.SCHEDULED,
        limit=limit,
    )
    out = await serialise.meetings_out(session, ahead, {board.id: board})
    return meeting_schemas.ForwardPlan(
        board_id=board.id,
        meetings=[
            meeting_schemas.ForwardPlanMeeting(
                meeting=view,
                items=[serialise.item_out(i) for i in await items_of(session, board, meeting)],
            )
            for meeting, view in zip(ahead, out, strict=True)
        ],
    )


@router.get(
    "/{board_id}/annual-report",
    response_model=minutes_schemas.AnnualReport,
    dependencies=[allowed(P.BOARDS_READ)],
)
async def get_annual_report(
    board_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    year: Annotated[
        int,
        Query(
            ge=2000,
            le=2100,
            description="The financial year by the year it starts: 2026 is April 2026 to "
            "March 2027. Default: the current financial year.",
        ),
    ]
    | None = None,
) -> minutes_schemas.AnnualReport:
    """The board's year (Dorset 10): meetings, items, decisions, attendance, overdue reviews."""
    board = await service.get_board(session, principal, board_id)
    today = london_today()
    year = year or (today.year if today.month >= 4 else today.year - 1)
    report = await reports.annual_report(session, board, year)
    return minutes_schemas.AnnualReport(
        board_id=board.id,
        financial_year=f"{year}-{(year + 1) % 100:02d}",
        starts_on=report.starts_on,
        ends_on=report.ends_on,
        meetings_held=report.meetings_held,
        meetings_cancelled=report.meetings_cancelled,
        meetings_without_quorum=report.meetings_without_quorum,
        items_by_ask=report.items_by_ask,
        decisions_by_outcome=report.decisions_by_outcome,
        documents_approved=report.documents_approved,
        reviews_approved=report.reviews_approved,
        late_items=report.late_items,
        attendance_rate=report.attendance_rate,
        open_actions=report.open_actions,
        overdue_actions=report.overdue_actions,
        documents_overdue_for_review=report.documents_overdue_for_review,
        approved=[minutes_schemas.ApprovedDocument.model_validate(a) for a in report.approved],
    )


def _feed_url(public_url: str, keyring: Keyring, board: Board) -> str:
    token = feeds.feed_token(keyring, board)
    return f"{public_url}/v1/calendar-feeds/boards/{board.id}.ics?token={token}"


@router.get(
    "/{board_id}/calendar-feed",
    response_model=schemas.BoardCalendarFeed,
    dependencies=[allowed(P.BOARDS_READ)],
)
async def get_calendar_feed(
    board_id: uuid.UUID,
    public_url: PublicUrl,
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
    response: Response,
) -> schemas.BoardCalendarFeed:
    """The address of the board's meetings and deadlines as an iCalendar feed."""
    board = await service.get_board(session, principal, board_id)
    response.headers["Cache-Control"] = "no-store"
    return schemas.BoardCalendarFeed(url=_feed_url(public_url, settings.keyring, board))


@router.post(
    "/{board_id}/calendar-feed/rotate",
    response_model=schemas.BoardCalendarFeed,
    dependencies=[allowed(P.BOARDS_MANAGE)],
)
async def rotate_calendar_feed(
    board_id: uuid.UUID,
    public_url: PublicUrl,
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
    response: Response,
) -> schemas.BoardCalendarFeed:
    """Revoke every address of the feed handed out so far and answer a new one."""
    board = await service.get_board(session, principal, board_id, for_update=True)
    board = await feeds.rotate_feed(session, principal, board)
    response.headers["Cache-Control"] = "no-store"
    return schemas.BoardCalendarFeed(url=_feed_url(public_url, settings.keyring, board))


@feed_router.get(
    "/v1/calendar-feeds/boards/{board_id}.ics",
    response_class=Response,
    responses=browsers.CALENDAR_FEED_RESPONSES,
    dependencies=[PUBLIC],
)
async def get_board_calendar(
    board_id: uuid.UUID,
    request: Request,
    session: FeedSession,
    settings: AppSettings,
    token: Annotated[str, text_field(100, 1, strip=False), Query()],
) -> Response:
    """The board's meetings and deadlines for calendar clients. The token in the address is
    the credential: no API key is needed (Outlook cannot send one)."""
    board = await feeds.board_for_feed(session, settings.keyring, board_id, token)
    body = await feeds.board_calendar(session, board, settings.frontend_base_url)
    return browsers.calendar_response(request, body, "board.ics")


browsers.add_calendar_head(
    feed_router, "/v1/calendar-feeds/boards/{board_id}.ics", get_board_calendar
)

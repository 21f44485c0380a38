"""Meetings: the calendar, moving and cancelling, agendas and papers (the minutes in
``minutes_router``)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response

from services.api.boards import meeting_schemas, serialise
from services.api.boards.serialise import meeting_view
from services.api.deps import CurrentPrincipal, Session
from services.api.etag import IfMatchHeader, expected_version
from services.api.files import STORED_FILE_DAMAGED
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.routing import Router
from services.api.types import IsoDateTime
from services.domain.authz.permissions import Permission as P
from services.domain.board_papers.supporting import supporting_papers
from services.domain.boards import meetings, papers, service
from services.domain.boards.agenda import items_of
from services.domain.boards.commands import MeetingChange, NewMeeting
from services.domain.errors import Invalid, NotFound
from services.domain.models.meetings import MeetingStatus

router = Router(prefix="/v1/meetings", tags=["meetings"])


@router.get("", response_model=meeting_schemas.MeetingPage, dependencies=[allowed(P.BOARDS_READ)])
async def list_meetings(
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
    board_id: uuid.UUID | None = None,
    starts_from: Annotated[IsoDateTime | None, Query(alias="from")] = None,
    starts_before: Annotated[IsoDateTime | None, Query(alias="before")] = None,
    status: meeting_schemas.MeetingStatus | None = None,
) -> meeting_schemas.MeetingPage:
    """Meetings in date order: of one board, in a window (`from` ≤ start < `before`), by status."""
    scope = {
        "board_id": str(board_id) if board_id else None,
        "from": starts_from.isoformat() if starts_from else None,
        "before": starts_before.isoformat() if starts_before else None,
        "status": status,
    }
    after = page.after_time(scope)
    found = await meetings.list_meetings(
        session,
        principal,
        board_id=board_id,
        starts_from=starts_from,
        starts_before=starts_before,
        status=MeetingStatus(status) if status else None,
        after=after,
        limit=page.fetch,
    )
    found, next_cursor = page.time_page(found, scope, lambda row: row.starts_at)
    return meeting_schemas.MeetingPage(
        items=await serialise.meetings_out(session, found, {}), next_cursor=next_cursor
    )


@router.post(
    "",
    status_code=201,
    response_model=meeting_schemas.Meeting,
    dependencies=[allowed(P.MEETINGS_RUN)],
)
async def create_meeting(
    body: meeting_schemas.MeetingCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> meeting_schemas.Meeting:
    """Arrange an extra meeting outside the board's schedule (chair, vice-chairs, policy team)."""
    try:
        board = await service.get_board(session, principal, body.board_id)
    except NotFound:
        raise Invalid("No such board.", field="board_id") from None
    meeting = await meetings.create_meeting(
        session,
        principal,
        board,
        NewMeeting.of(body.model_dump(exclude_unset=True, exclude={"board_id"})),
    )
    response.headers["Location"] = f"/v1/meetings/{meeting.id}"
    return await meeting_view(session, meeting, response)


@router.get(
    "/{meeting_id}", response_model=meeting_schemas.Meeting, dependencies=[allowed(P.BOARDS_READ)]
)
async def get_meeting(
    meeting_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> meeting_schemas.Meeting:
    """A meeting with its deadlines (agenda items, papers, consultation) and item count."""
    meeting = await meetings.get_meeting(session, principal, meeting_id)
    return await meeting_view(session, meeting, response)


@router.patch(
    "/{meeting_id}", response_model=meeting_schemas.Meeting, dependencies=[allowed(P.MEETINGS_RUN)]
)
async def update_meeting(
    meeting_id: uuid.UUID,
    body: meeting_schemas.MeetingUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> meeting_schemas.Meeting:
    """Move a meeting or change its place or notes. People with items on a moved meeting are
    told. Needs `If-Match`."""
    expected = expected_version(if_match)
    meeting = await meetings.get_meeting(session, principal, meeting_id, for_update=True)
    meeting = await meetings.update_meeting(
        session,
        principal,
        meeting,
        MeetingChange.of(body.model_dump(exclude_unset=True)),
        expected_version=expected,
    )
    return await meeting_view(session, meeting, response)


@router.post(
    "/{meeting_id}/cancel",
    response_model=meeting_schemas.CancelledMeeting,
    dependencies=[allowed(P.MEETINGS_RUN)],
)
async def cancel_meeting(
    meeting_id: uuid.UUID,
    body: meeting_schemas.MeetingCancellation,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> meeting_schemas.CancelledMeeting:
    """Cancel a meeting. Its planned items move to the board's next meeting and the people
    with items are told. Needs `If-Match`."""
    expected = expected_version(if_match)
    meeting = await meetings.get_meeting(session, principal, meeting_id, for_update=True)
    meeting, target = await meetings.cancel_meeting(
        session, principal, meeting, body.reason, expected_version=expected
    )
    return meeting_schemas.CancelledMeeting(
        meeting=await meeting_view(session, meeting, response),
        items_moved_to_meeting_id=target.id if target else None,
    )


@router.get(
    "/{meeting_id}/agenda",
    response_model=meeting_schemas.Agenda,
    dependencies=[allowed(P.BOARDS_READ)],
)
async def get_agenda(
    meeting_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> meeting_schemas.Agenda:
    """The agenda in the board's standard sections, each item with its paper's address."""
    meeting = await meetings.get_meeting(session, principal, meeting_id)
    board = await service.get_board(session, principal, meeting.board_id)
    items = await items_of(session, board, meeting)
    sections = list(board.agenda_sections)
    sections += sorted({i.section for i in items} - set(sections))
    return meeting_schemas.Agenda(
        meeting=await meeting_view(session, meeting, response),
        sections=[
            meeting_schemas.AgendaSection(
                section=name, items=[serialise.item_out(i) for i in items if i.section == name]
            )
            for name in sections
        ],
    )


@router.get(
    "/{meeting_id}/papers",
    response_class=Response,
    responses={
        200: {
            "description": "A zip: agenda.txt and each paper, numbered as on the agenda.",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        },
        **STORED_FILE_DAMAGED,
    },
    dependencies=[allowed(P.BOARDS_READ)],
)
async def download_papers_pack(
    meeting_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> Response:
    """The papers pack: the agenda and every paper you may read, in one zip file. A draft
    comes with the reports of the consultations on it (every response) and its communication
    plan (Cafcass appendix 1: "Copies of all responses to the consultation should be included
    in the report to Board")."""
    meeting = await meetings.get_meeting(session, principal, meeting_id)
    board = await service.get_board(session, principal, meeting.board_id)
    pack = await papers.papers_pack(session, principal, board, meeting, supporting_papers)
    name = f"papers-{meetings.meeting_day(meeting).isoformat()}.zip"
    return Response(
        pack,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/{meeting_id}/papers/circulate",
    response_model=meeting_schemas.Circulation,
    dependencies=[allowed(P.MEETINGS_RUN)],
)
async def circulate_papers(
    meeting_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> meeting_schemas.Circulation:
    """Send the agenda and papers to the members (and standing delegates) by email.
    Circulating again sends the revised papers again."""
    meeting = await meetings.get_meeting(session, principal, meeting_id, for_update=True)
    meeting, is_late = await meetings.circulate_papers(session, principal, meeting)
    return meeting_schemas.Circulation(
        meeting=await meeting_view(session, meeting, response), is_late=is_late
    )

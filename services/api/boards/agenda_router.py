"""The forward plan: items proposed for meetings, late items, and the papers they carry."""

from __future__ import annotations

import uuid

from fastapi import Response

from services.api.boards import meeting_schemas, serialise
from services.api.deps import CurrentPrincipal, Session
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.files import file_responses, version_file
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.authz.permissions import Permission as P
from services.domain.boards import agenda, service
from services.domain.boards.commands import AgendaItemChange, NewAgendaItem
from services.domain.documents.versions import read_file
from services.domain.errors import Invalid, NotFound
from services.domain.models.meetings import AgendaItem, AgendaItemStatus

router = Router(prefix="/v1/agenda-items", tags=["agenda"])


def _item(item: AgendaItem, response: Response) -> meeting_schemas.AgendaItem:
    set_etag(response, item.row_version)
    return serialise.item_out(item)


@router.get(
    "", response_model=meeting_schemas.AgendaItemPage, dependencies=[allowed(P.BOARDS_READ)]
)
async def list_agenda_items(
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
    board_id: uuid.UUID | None = None,
    meeting_id: uuid.UUID | None = None,
    document_id: uuid.UUID | None = None,
    status: meeting_schemas.ItemStatus | None = None,
) -> meeting_schemas.AgendaItemPage:
    """Items in the order they were submitted: of a board, a meeting, or a document."""
    scope = {
        "board_id": str(board_id) if board_id else None,
        "meeting_id": str(meeting_id) if meeting_id else None,
        "document_id": str(document_id) if document_id else None,
        "status": status,
    }
    after = page.after_time(scope)
    found = await agenda.list_items(
        session,
        principal,
        board_id=board_id,
        meeting_id=meeting_id,
        document_id=document_id,
        status=AgendaItemStatus(status) if status else None,
        after=after,
        limit=page.fetch,
    )
    found, next_cursor = page.time_page(found, scope, lambda row: row.submitted_at)
    return meeting_schemas.AgendaItemPage(
        items=[serialise.item_out(i) for i in found], next_cursor=next_cursor
    )


@router.post(
    "",
    status_code=201,
    response_model=meeting_schemas.AgendaItem,
    dependencies=[allowed(P.AGENDA_SUBMIT)],
)
async def submit_agenda_item(
    body: meeting_schemas.AgendaItemCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> meeting_schemas.AgendaItem:
    """Put an item on a board's forward plan, for the meeting asked (default: the next one).

    After that meeting's agenda deadline the item goes to the following meeting (`is_late`,
    and `meeting_id` differs from `requested_meeting_id`) unless the chair accepts it late.
    """
    try:
        board = await service.get_board(session, principal, body.board_id)
    except NotFound:
        raise Invalid("No such board.", field="board_id") from None
    item, _ = await agenda.submit_item(
        session,
        principal,
        board,
        NewAgendaItem.of(body.model_dump(exclude_unset=True, exclude={"board_id"})),
    )
    response.headers["Location"] = f"/v1/agenda-items/{item.id}"
    return _item(item, response)


@router.get(
    "/{item_id}", response_model=meeting_schemas.AgendaItem, dependencies=[allowed(P.BOARDS_READ)]
)
async def get_agenda_item(
    item_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> meeting_schemas.AgendaItem:
    item = await agenda.get_item(session, principal, item_id)
    return _item(item, response)


@router.patch(
    "/{item_id}", response_model=meeting_schemas.AgendaItem, dependencies=[allowed(P.AGENDA_SUBMIT)]
)
async def update_agenda_item(
    item_id: uuid.UUID,
    body: meeting_schemas.AgendaItemUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> meeting_schemas.AgendaItem:
    """Retitle, re-order, change the paper or presenter; the chair may move it to another
    meeting. Needs `If-Match`."""
    expected = expected_version(if_match)
    item = await agenda.get_item(session, principal, item_id, for_update=True)
    item = await agenda.update_item(
        session,
        principal,
        item,
        AgendaItemChange.of(body.model_dump(exclude_unset=True)),
        expected_version=expected,
    )
    return _item(item, response)


@router.post(
    "/{item_id}/accept-late",
    response_model=meeting_schemas.AgendaItem,
    dependencies=[allowed(P.MEETINGS_RUN)],
)
async def accept_late_item(
    item_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> meeting_schemas.AgendaItem:
    """The chair (or a vice-chair deputising) takes a late item at the meeting it was
    submitted for. Needs `If-Match`."""
    expected = expected_version(if_match)
    item = await agenda.get_item(session, principal, item_id, for_update=True)
    item = await agenda.accept_late(session, principal, item, expected_version=expected)
    return _item(item, response)


@router.post(
    "/{item_id}/withdraw",
    response_model=meeting_schemas.AgendaItem,
    dependencies=[allowed(P.AGENDA_SUBMIT)],
)
async def withdraw_agenda_item(
    item_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> meeting_schemas.AgendaItem:
    """Take an item off the forward plan; it stays on the record. Needs `If-Match`."""
    expected = expected_version(if_match)
    item = await agenda.get_item(session, principal, item_id, for_update=True)
    item = await agenda.withdraw_item(session, principal, item, expected_version=expected)
    return _item(item, response)


@router.get(
    "/{item_id}/paper",
    response_class=Response,
    responses=file_responses("The version put to the board, byte for byte as uploaded."),
    dependencies=[allowed(P.BOARDS_READ)],
)
async def download_paper(
    item_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> Response:
    """The item's paper. Board members and their standing delegates may read the draft put
    to their board (Dorset 7.4: attendees read the documents before the meeting)."""
    item = await agenda.get_item(session, principal, item_id)
    _, version = await agenda.paper(session, principal, item)
    return version_file(version, await read_file(session, version))

"""A board's members: their seats, standing delegates and any run of missed meetings."""

from __future__ import annotations

import uuid

from fastapi import Response

from services.api.boards import schemas, serialise
from services.api.deps import CurrentPrincipal, Session
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.authz.permissions import Permission as P
from services.domain.boards import members, service
from services.domain.boards.commands import MemberChange, NewMember

router = Router(prefix="/v1/boards", tags=["boards"])


@router.get(
    "/{board_id}/members",
    response_model=list[schemas.Member],
    dependencies=[allowed(P.BOARDS_READ)],
)
async def list_members(
    board_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> list[schemas.Member]:
    """Members with their seats, delegates and any run of missed meetings."""
    board = await service.get_board(session, principal, board_id)
    return (await serialise.board_out(session, board)).members


@router.post(
    "/{board_id}/members",
    status_code=201,
    response_model=schemas.Member,
    dependencies=[allowed(P.BOARDS_MANAGE)],
)
async def add_member(
    board_id: uuid.UUID,
    body: schemas.MemberCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.Member:
    board = await service.get_board(session, principal, board_id, for_update=True)
    member = await members.add_member(session, principal, board, NewMember.of(body.model_dump()))
    response.headers["Location"] = f"/v1/boards/{board.id}/members/{member.id}"
    set_etag(response, member.row_version)
    return schemas.Member.model_validate(member)


@router.get(
    "/{board_id}/members/{member_id}",
    response_model=schemas.Member,
    dependencies=[allowed(P.BOARDS_READ)],
)
async def get_member(
    board_id: uuid.UUID,
    member_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.Member:
    board = await service.get_board(session, principal, board_id)
    member = await members.get_member(session, board, member_id)
    set_etag(response, member.row_version)
    return schemas.Member.model_validate(member)


@router.put(
    "/{board_id}/members/{member_id}",
    response_model=schemas.Member,
    dependencies=[allowed(P.BOARDS_MANAGE)],
)
async def update_member(
    board_id: uuid.UUID,
    member_id: uuid.UUID,
    body: schemas.MemberUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.Member:
    """Replace a member's role, seat and standing delegate. Needs `If-Match`."""
    expected = expected_version(if_match)
    board = await service.get_board(session, principal, board_id, for_update=True)
    member = await members.get_member(session, board, member_id)
    member = await members.update_member(
        session,
        principal,
        board,
        member,
        MemberChange.of(body.model_dump()),
        expected_version=expected,
    )
    set_etag(response, member.row_version)
    return schemas.Member.model_validate(member)


@router.delete(
    "/{board_id}/members/{member_id}",
    status_code=204,
    response_class=Response,
    dependencies=[allowed(P.BOARDS_MANAGE)],
)
async def remove_member(
    board_id: uuid.UUID,
    member_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> Response:
    """Take a person off the board; their attendance stays on the record. Needs `If-Match`."""
    expected = expected_version(if_match)
    board = await service.get_board(session, principal, board_id, for_update=True)
    member = await members.get_member(session, board, member_id)
    await members.remove_member(session, principal, board, member, expected_version=expected)
    return Response(status_code=204)

"""Who sits on a board: chair, vice-chairs and members, their seats and standing delegates.

Dorset PPP Group terms of reference: one chair, vice-chairs who may deputise (4.1); members who
cannot attend send a delegate, and some seats have a minimum attendance of their own (7.2).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import boards as authz
from services.domain.authz.principal import Principal
from services.domain.boards.commands import MemberChange, NewMember
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.models.boards import Board, BoardMember
from services.domain.outbox.service import emit
from services.domain.people.service import require_active_person


async def get_member(session: AsyncSession, board: Board, member_id: uuid.UUID) -> BoardMember:
    member = await session.get(BoardMember, member_id)
    if member is None or member.board_id != board.id:
        raise NotFound("No such member of this board.")
    return member


async def membership(
    session: AsyncSession, board_id: uuid.UUID, person_id: uuid.UUID | None
) -> BoardMember | None:
    if person_id is None:
        return None
    return (
        await session.execute(
            select(BoardMember).where(
                BoardMember.board_id == board_id, BoardMember.person_id == person_id
            )
        )
    ).scalar_one_or_none()


def _seat_names(board: Board) -> set[str]:
    return {rule["seat"] for rule in board.seat_rules}


async def check_member_seats(session: AsyncSession, board: Board) -> None:
    """Refuse a change of the seat rules that would leave a member in a seat with no rule."""
    seats = _seat_names(board)
    rows = await session.execute(
        select(BoardMember.seat).where(
            BoardMember.board_id == board.id, BoardMember.seat.is_not(None)
        )
    )
    orphaned = sorted({s for s in rows.scalars() if s is not None} - seats)
    if orphaned:
        raise Conflict(
            f"Members still hold the seats {', '.join(orphaned)}; move them before removing "
            "the seat rule."
        )


async def _check_member(session: AsyncSession, board: Board, member: BoardMember) -> None:
    await require_active_person(session, board.organisation_id, member.person_id, "person_id")
    await require_active_person(session, board.organisation_id, member.delegate_id, "delegate_id")
    if member.delegate_id is not None and member.delegate_id == member.person_id:
        raise Invalid("A member cannot be their own delegate.", field="delegate_id")
    if member.seat is not None and member.seat not in _seat_names(board):
        raise Invalid(
            f"No seat rule {member.seat!r} on this board; add it to seat_rules first.",
            field="seat",
        )
    if member.role == "chair":
        chair = await session.execute(
            select(BoardMember.id).where(
                BoardMember.board_id == board.id,
                BoardMember.role == "chair",
                BoardMember.id != member.id,
            )
        )
        if chair.first() is not None:
            raise Conflict("The board already has a chair; change that member's role first.")


async def seat_member(session: AsyncSession, board: Board, new: NewMember) -> BoardMember:
    """Seat a person on the board (the caller checks the principal and records it)."""
    member = BoardMember(
        id=uuid.uuid4(),
        organisation_id=board.organisation_id,
        board_id=board.id,
        person_id=new.person_id,
        role=new.role,
        seat=new.seat,
        delegate_id=new.delegate_id,
    )
    await _check_member(session, board, member)
    if await membership(session, board.id, member.person_id) is not None:
        raise Conflict("That person is already a member of this board.")
    session.add(member)
    await session.flush()
    return member


async def add_member(
    session: AsyncSession, principal: Principal, board: Board, new: NewMember
) -> BoardMember:
    """Seat a person on the board as chair, vice-chair or member, with a standing delegate."""
    authz.check_manage(principal)
    member = await seat_member(session, board, new)
    await _member_changed(session, principal, board, member, "board.member_added", None)
    return member


async def update_member(
    session: AsyncSession,
    principal: Principal,
    board: Board,
    member: BoardMember,
    command: MemberChange,
    *,
    expected_version: int,
) -> BoardMember:
    """Change a member's role, seat or standing delegate."""
    authz.check_manage(principal)
    if member.row_version != expected_version:
        raise PreconditionFailed("The membership has changed since you read it.")
    before = audit.snapshot(member)
    for key, value in command.given().items():
        setattr(member, key, value)
    await _check_member(session, board, member)
    await session.flush()
    await _member_changed(session, principal, board, member, "board.member_updated", before)
    return member


async def remove_member(
    session: AsyncSession,
    principal: Principal,
    board: Board,
    member: BoardMember,
    *,
    expected_version: int,
) -> None:
    """Take a person off the board; their past attendance stays on the record."""
    authz.check_manage(principal)
    if member.row_version != expected_version:
        raise PreconditionFailed("The membership has changed since you read it.")
    before = audit.snapshot(member)
    await session.delete(member)
    await session.flush()
    await _member_changed(session, principal, board, None, "board.member_removed", before)


async def _member_changed(
    session: AsyncSession,
    principal: Principal,
    board: Board,
    member: BoardMember | None,
    action: str,
    before: dict[str, Any] | None,
) -> None:
    # The board's record: its seats are part of it (the member's state, None once removed).
    after = audit.snapshot(member) if member is not None else None
    await audit_changes.record_change(session, principal, board, action, before=before, after=after)
    await emit(
        session,
        events.BoardChanged(
            organisation_id=board.organisation_id, board_id=board.id, changed=["members"]
        ),
    )

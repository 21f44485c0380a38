"""Boards and their members: who sits on a board, who chairs it, and the rules it meets by.

Admins and policy officers set boards up. Everyone in the organisation may read them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import service as audit
from services.domain.authz import boards as authz
from services.domain.authz.principal import Principal
from services.domain.calendar.working_days import (
    Offset,
    WorkingCalendar,
    deadline_before,
)
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.models.boards import (
    DEFAULT_SECTIONS,
    AgendaItem,
    Board,
    BoardMember,
    Meeting,
)
from services.domain.models.organisations import Organisation
from services.domain.models.people import Person
from services.domain.outbox.service import emit
from services.domain.people.service import require_active_person

DEADLINES = ("agenda", "papers", "consultation_opens", "consultation_responses")


@dataclass(frozen=True)
class MeetingDeadlines:
    """The dates derived from a meeting's day by its board's rules (None: no rule)."""

    agenda: date | None
    papers: date | None
    consultation_opens: date | None
    consultation_responses: date | None


def offset(rule: Mapping[str, Any] | None) -> Offset | None:
    if not rule:
        return None
    return Offset(amount=int(rule["amount"]), unit=rule["unit"])


def deadlines_for(board: Board, meeting_day: date, calendar: WorkingCalendar) -> MeetingDeadlines:
    """Agenda, papers and consultation dates for a meeting on ``meeting_day``."""
    found: dict[str, date | None] = {}
    for name in DEADLINES:
        rule = offset(board.deadline_rules.get(name))
        found[name] = (
            None
            if rule is None
            else deadline_before(meeting_day, rule, calendar, board.non_working_day_rule)  # type: ignore[arg-type]
        )
    return MeetingDeadlines(**found)


async def working_calendar(session: AsyncSession, organisation_id: uuid.UUID) -> WorkingCalendar:
    """The organisation's working days: its bank holidays and closure days."""
    org = await session.get(Organisation, organisation_id)
    if org is None:  # pragma: no cover - every principal belongs to an organisation
        raise NotFound("No such organisation.")
    return WorkingCalendar(
        subdivision=org.holiday_subdivision, closures=frozenset(org.closure_days or [])
    )


# --- reading ---------------------------------------------------------------------------------


async def get_board(
    session: AsyncSession, principal: Principal, board_id: uuid.UUID, *, for_update: bool = False
) -> Board:
    """A board of the caller's organisation; any other id is NotFound."""
    query = select(Board).where(
        Board.id == board_id, Board.organisation_id == principal.organisation_id
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    board = (await session.execute(query)).scalar_one_or_none()
    if board is None:
        raise NotFound("No such board.")
    return board


async def list_boards(
    session: AsyncSession, principal: Principal, *, include_inactive: bool = False
) -> list[Board]:
    """The organisation's boards by name."""
    query = select(Board).where(Board.organisation_id == principal.organisation_id)
    if not include_inactive:
        query = query.where(Board.is_active.is_(True))
    return list((await session.execute(query.order_by(Board.name, Board.id))).scalars())


async def members_of(session: AsyncSession, board_ids: Sequence[uuid.UUID]) -> list[BoardMember]:
    """Members of the given boards: chair first, then vice-chairs, then members."""
    if not board_ids:
        return []
    rows = await session.execute(
        select(BoardMember)
        .join(Person, Person.id == BoardMember.person_id)
        .where(BoardMember.board_id.in_(board_ids))
        .order_by(BoardMember.board_id, BoardMember.role, Person.name)
    )
    order = {"chair": 0, "vice_chair": 1, "member": 2}
    return sorted(rows.scalars(), key=lambda m: (str(m.board_id), order[m.role]))


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


# --- changing --------------------------------------------------------------------------------


def _check_settings(board: Board) -> None:
    unknown = set(board.deadline_rules) - set(DEADLINES)
    if unknown:
        raise Invalid(
            f"Unknown deadlines {', '.join(sorted(unknown))}; use {', '.join(DEADLINES)}.",
            field="deadline_rules",
        )
    seats = [rule["seat"] for rule in board.seat_rules]
    if len(seats) != len(set(seats)):
        raise Invalid("Each seat may have one rule.", field="seat_rules")
    if len(board.agenda_sections) != len(set(board.agenda_sections)):
        raise Invalid("Agenda sections must be different.", field="agenda_sections")
    if board.schedule_rule and board.schedule_starts_on is None:
        raise Invalid("A schedule needs the date it starts from.", field="schedule_starts_on")


async def _name_is_free(session: AsyncSession, board: Board) -> None:
    clash = await session.execute(
        select(Board.id).where(
            Board.organisation_id == board.organisation_id,
            Board.name == board.name,
            Board.id != board.id,
        )
    )
    if clash.first() is not None:
        raise Conflict(f"There is already a board called {board.name!r}.")


async def create_board(
    session: AsyncSession,
    principal: Principal,
    fields: Mapping[str, Any],
    members: Sequence[Mapping[str, Any]] = (),
) -> Board:
    """Set up a board with its rules and, optionally, its first members."""
    authz.check_manage(principal)
    board = Board(id=uuid.uuid4(), organisation_id=principal.organisation_id, **fields)
    board.agenda_sections = list(fields.get("agenda_sections") or DEFAULT_SECTIONS)
    board.seat_rules = list(fields.get("seat_rules") or [])
    board.deadline_rules = dict(fields.get("deadline_rules") or {})
    _check_settings(board)
    await require_active_person(
        session, board.organisation_id, board.escalation_person_id, "escalation_person_id"
    )
    await _name_is_free(session, board)
    session.add(board)
    await session.flush()
    seated = [await _add_member(session, board, spec) for spec in members]
    await audit.record(
        session,
        principal,
        organisation_id=board.organisation_id,
        action="board.created",
        entity_type="board",
        entity_id=board.id,
        after={**audit.snapshot(board), "members": [audit.snapshot(m) for m in seated]},
    )
    await emit(
        session,
        events.BoardChanged(
            organisation_id=board.organisation_id, board_id=board.id, changed=["created"]
        ),
    )
    return board


async def update_board(
    session: AsyncSession,
    principal: Principal,
    board: Board,
    changes: Mapping[str, Any],
    *,
    expected_version: int,
) -> tuple[Board, set[str]]:
    """Change a board's settings; returns the board and the names of what changed."""
    authz.check_manage(principal)
    if board.row_version != expected_version:
        raise PreconditionFailed("The board has changed since you read it; fetch it again.")
    before = audit.snapshot(board)
    changed = {k for k, v in changes.items() if getattr(board, k) != v}
    for key in changed:
        setattr(board, key, changes[key])
    if not changed:
        return board, changed
    _check_settings(board)
    if "escalation_person_id" in changed:
        await require_active_person(
            session, board.organisation_id, board.escalation_person_id, "escalation_person_id"
        )
    if "name" in changed:
        await _name_is_free(session, board)
    if "seat_rules" in changed:
        await _check_member_seats(session, board)
    await session.flush()
    await audit.record(
        session,
        principal,
        organisation_id=board.organisation_id,
        action="board.updated",
        entity_type="board",
        entity_id=board.id,
        before=before,
        after=audit.snapshot(board),
    )
    await emit(
        session,
        events.BoardChanged(
            organisation_id=board.organisation_id, board_id=board.id, changed=sorted(changed)
        ),
    )
    return board, changed


async def delete_board(
    session: AsyncSession, principal: Principal, board: Board, *, expected_version: int
) -> None:
    """Remove a board that has no history; one with items or held meetings is deactivated."""
    authz.check_manage(principal)
    if board.row_version != expected_version:
        raise PreconditionFailed("The board has changed since you read it; fetch it again.")
    has_history = await session.execute(
        select(
            exists().where(AgendaItem.board_id == board.id)
            | exists().where(Meeting.board_id == board.id, Meeting.status == "held")
        )
    )
    if has_history.scalar():
        raise Conflict(
            "This board has agenda items or held meetings, which are kept for the record; "
            "set is_active to false instead."
        )
    await audit.record(
        session,
        principal,
        organisation_id=board.organisation_id,
        action="board.deleted",
        entity_type="board",
        entity_id=board.id,
        before=audit.snapshot(board),
    )
    await session.execute(delete(Meeting).where(Meeting.board_id == board.id))
    await session.execute(delete(BoardMember).where(BoardMember.board_id == board.id))
    await session.delete(board)
    await session.flush()


# --- members ---------------------------------------------------------------------------------


def _seat_names(board: Board) -> set[str]:
    return {rule["seat"] for rule in board.seat_rules}


async def _check_member_seats(session: AsyncSession, board: Board) -> None:
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


async def _add_member(session: AsyncSession, board: Board, spec: Mapping[str, Any]) -> BoardMember:
    member = BoardMember(
        id=uuid.uuid4(),
        organisation_id=board.organisation_id,
        board_id=board.id,
        person_id=spec["person_id"],
        role=spec.get("role", "member"),
        seat=spec.get("seat"),
        delegate_id=spec.get("delegate_id"),
    )
    await _check_member(session, board, member)
    if await membership(session, board.id, member.person_id) is not None:
        raise Conflict("That person is already a member of this board.")
    session.add(member)
    await session.flush()
    return member


async def add_member(
    session: AsyncSession, principal: Principal, board: Board, spec: Mapping[str, Any]
) -> BoardMember:
    """Seat a person on the board as chair, vice-chair or member, with a standing delegate."""
    authz.check_manage(principal)
    member = await _add_member(session, board, spec)
    await _member_changed(session, principal, board, member, "board.member_added", None)
    return member


async def update_member(
    session: AsyncSession,
    principal: Principal,
    board: Board,
    member: BoardMember,
    changes: Mapping[str, Any],
    *,
    expected_version: int,
) -> BoardMember:
    """Change a member's role, seat or standing delegate."""
    authz.check_manage(principal)
    if member.row_version != expected_version:
        raise PreconditionFailed("The membership has changed since you read it.")
    before = audit.snapshot(member)
    for key, value in changes.items():
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
    await audit.record(
        session,
        principal,
        organisation_id=board.organisation_id,
        action="board.member_removed",
        entity_type="board",
        entity_id=board.id,
        before=before,
    )
    await emit(
        session,
        events.BoardChanged(
            organisation_id=board.organisation_id, board_id=board.id, changed=["members"]
        ),
    )


async def _member_changed(
    session: AsyncSession,
    principal: Principal,
    board: Board,
    member: BoardMember,
    action: str,
    before: dict[str, Any] | None,
) -> None:
    await audit.record(
        session,
        principal,
        organisation_id=board.organisation_id,
        action=action,
        entity_type="board",
        entity_id=board.id,
        before=before,
        after=audit.snapshot(member),
    )
    await emit(
        session,
        events.BoardChanged(
            organisation_id=board.organisation_id, board_id=board.id, changed=["members"]
        ),
    )

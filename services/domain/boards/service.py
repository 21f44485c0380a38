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
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import boards as authz
from services.domain.authz.principal import Principal
from services.domain.boards.commands import BoardChange, NewBoard
from services.domain.boards.members import check_member_seats, seat_member
from services.domain.calendar.working_days import (
    Offset,
    WorkingCalendar,
    deadline_before,
)
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.models.boards import DEFAULT_SECTIONS, Board, BoardMember
from services.domain.models.meetings import AgendaItem, Meeting, MeetingStatus
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
    """A deadline rule as the board's ``deadline_rules`` JSON column stores it, as an Offset."""
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


async def create_board(session: AsyncSession, principal: Principal, command: NewBoard) -> Board:
    """Set up a board with its rules and, optionally, its first members."""
    authz.check_manage(principal)
    board = Board(id=uuid.uuid4(), organisation_id=principal.organisation_id, **command.columns())
    board.agenda_sections = list(command.agenda_sections or DEFAULT_SECTIONS)
    _check_settings(board)
    await require_active_person(
        session, board.organisation_id, board.escalation_person_id, "escalation_person_id"
    )
    await _name_is_free(session, board)
    session.add(board)
    await session.flush()
    seated = [await seat_member(session, board, new) for new in command.members]
    await audit_changes.record_change(
        session,
        principal,
        board,
        "board.created",
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
    command: BoardChange,
    *,
    expected_version: int,
) -> tuple[Board, set[str]]:
    """Change a board's settings; returns the board and the names of what changed."""
    authz.check_manage(principal)
    if board.row_version != expected_version:
        raise PreconditionFailed("The board has changed since you read it; fetch it again.")
    before = audit.snapshot(board)
    changes = command.columns()
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
        await check_member_seats(session, board)
    await session.flush()
    await audit_changes.record_change(session, principal, board, "board.updated", before=before)
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
            | exists().where(Meeting.board_id == board.id, Meeting.status == MeetingStatus.HELD)
        )
    )
    if has_history.scalar():
        raise Conflict(
            "This board has agenda items or held meetings, which are kept for the record; "
            "set is_active to false instead."
        )
    await audit_changes.record_change(
        session, principal, board, "board.deleted", before=audit.snapshot(board), after=None
    )
    await session.execute(delete(Meeting).where(Meeting.board_id == board.id))
    await session.execute(delete(BoardMember).where(BoardMember.board_id == board.id))
    await session.delete(board)
    await session.flush()

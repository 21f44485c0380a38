"""Who may set up boards, run their meetings, table items and read the papers."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.core import Rule, action, refuse
from services.domain.authz.documents import can_read_drafts, is_policy_team, may_edit
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal
from services.domain.models.boards import Board, BoardMember
from services.domain.models.documents import Document
from services.domain.models.meetings import AgendaItem, MeetingAction

# Chair and vice-chairs (who may deputise) run meetings (Dorset 7.1).
RUNNING_ROLES = ("chair", "vice_chair")


async def _membership(
    session: AsyncSession, principal: Principal, board: Board, seat: ColumnElement[bool]
) -> bool:
    if principal.person_id is None:
        return False
    found = await session.execute(select(exists().where(BoardMember.board_id == board.id, seat)))
    return bool(found.scalar())


async def chairs(session: AsyncSession, principal: Principal, board: Board) -> bool:
    """The caller is the board's chair or a vice-chair."""
    me = principal.person_id
    return await _membership(
        session,
        principal,
        board,
        (BoardMember.person_id == me) & BoardMember.role.in_(RUNNING_ROLES),
    )


async def sits_on(session: AsyncSession, principal: Principal, board: Board) -> bool:
    """The caller is a member of the board or a member's standing delegate."""
    me = principal.person_id
    return await _membership(
        session, principal, board, (BoardMember.person_id == me) | (BoardMember.delegate_id == me)
    )


@action(
    "board.read",
    "read boards, their members, meetings, agendas, forward plans, minutes and reports",
    P.BOARDS_READ,
)
def check_read(principal: Principal) -> None:
    """Staff read the boards' business (the permission is the whole rule)."""


@action(
    "board.manage",
    "set up boards: members, delegates, schedules, deadlines; rotate their calendar feeds",
    P.BOARDS_MANAGE,
)
def check_manage(principal: Principal) -> None:
    """The policy team sets up boards (the permission is the whole rule)."""


@action(
    "meeting.run",
    "run a board's meetings: add, move or cancel them, accept late items, circulate papers, "
    "record attendance, minute decisions, set actions, issue minutes",
    P.MEETINGS_RUN,
    Rule.BOARD_CHAIR,
    Rule.POLICY_TEAM,
    kind="test",
)
async def runs_meetings(session: AsyncSession, principal: Principal, board: Board) -> bool:
    return (
        principal.is_system or is_policy_team(principal) or await chairs(session, principal, board)
    )


async def check_run_meetings(session: AsyncSession, principal: Principal, board: Board) -> None:
    if not await runs_meetings(session, principal, board):
        refuse(
            Rule.BOARD_CHAIR,
            f"Only the chair or a vice-chair of {board.name}, or the policy team, may do this.",
        )


@action(
    "agenda.submit",
    "put an item on a board's forward plan (a document's item: its people; an item with no "
    "document: members), change it or withdraw it",
    P.AGENDA_SUBMIT,
    Rule.NAMED_ON_DOCUMENT,
    Rule.BOARD_MEMBER,
    Rule.BOARD_CHAIR,
    Rule.ITEM_SUBMITTER,
    Rule.POLICY_TEAM,
)
async def check_table(
    session: AsyncSession,
    principal: Principal,
    board: Board,
    document: Document | None,
    item: AgendaItem | None = None,
) -> None:
    """May the caller table (or change or withdraw) an item about ``document`` (or none)?"""
    me = principal.person_id
    if item is not None and me is not None and item.submitted_by_id == me:
        return
    if document is not None and may_edit(principal, document):
        return
    if await runs_meetings(session, principal, board):
        return
    if document is None and await sits_on(session, principal, board):
        return
    refuse(
        Rule.BOARD_MEMBER,
        "Items are tabled by the document's author, responsible officer or owner, the "
        "board's members (items with no document), its chair or the policy team.",
    )


@action(
    "agenda.read_paper",
    "read the draft an agenda item puts to the board",
    P.BOARDS_READ,
    Rule.NAMED_ON_DOCUMENT,
    Rule.BOARD_MEMBER,
    Rule.BOARD_CHAIR,
    Rule.POLICY_TEAM,
    kind="test",
)
async def can_read_paper(
    session: AsyncSession, principal: Principal, board: Board, document: Document
) -> bool:
    # Dorset 7.4: members and their delegates read the papers before the meeting.
    if can_read_drafts(principal, document):
        return True
    return await sits_on(session, principal, board) or await runs_meetings(
        session, principal, board
    )


@action(
    "meeting_action.complete",
    "mark one's own meeting action done (or open again)",
    P.BOARDS_READ,
    Rule.ACTION_OWNER,
    Rule.BOARD_CHAIR,
    Rule.POLICY_TEAM,
)
async def check_update_action(
    session: AsyncSession,
    principal: Principal,
    board: Board,
    meeting_action: MeetingAction,
    changing: set[str],
) -> None:
    """The owner marks their action done; anything else is the chair's or the policy team's."""
    if changing <= {"status"} and principal.person_id == meeting_action.owner_id:
        return
    await check_run_meetings(session, principal, board)

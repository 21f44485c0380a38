"""The forward plan: items proposed for a board's meetings, the agenda they make, their papers.

Dorset 9.1: agenda items and drafts are due 10 working days before the meeting. An item that
comes later goes to the next meeting, unless the chair (or a vice-chair deputising) accepts it
late for the meeting asked for.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import boards as authz
from services.domain.authz import documents as document_authz
from services.domain.authz.principal import Principal
from services.domain.boards.commands import AgendaItemChange, NewAgendaItem
from services.domain.boards.meetings import get_meeting, meeting_day, next_meeting, next_position
from services.domain.boards.service import (
    deadlines_for,
    get_board,
    working_calendar,
)
from services.domain.clock import london_today, utcnow
from services.domain.documents.service import get_document
from services.domain.documents.versions import get_version, latest_version
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.models.boards import Board
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.meetings import AgendaItem, AgendaItemStatus, Meeting, MeetingStatus
from services.domain.outbox.service import emit
from services.domain.pagination import after_position
from services.domain.people.service import require_active_person

# Where an item goes on the Dorset standard agenda when the submitter does not say.
DEFAULT_SECTION = {
    "new_proposal": "new_proposals_and_drafts",
    "decision": "new_proposals_and_drafts",
    "review_approval": "reviews_of_existing_documents",
    "information": "progress_report",
}


@dataclass(frozen=True)
class Placement:
    """Where an item landed and why."""

    meeting: Meeting
    is_late: bool
    late_accepted: bool


async def get_item(
    session: AsyncSession, principal: Principal, item_id: uuid.UUID, *, for_update: bool = False
) -> AgendaItem:
    """An agenda item of the caller's organisation; any other id is NotFound."""
    query = select(AgendaItem).where(
        AgendaItem.id == item_id, AgendaItem.organisation_id == principal.organisation_id
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    item = (await session.execute(query)).scalar_one_or_none()
    if item is None:
        raise NotFound("No such agenda item.")
    return item


async def list_items(
    session: AsyncSession,
    principal: Principal,
    *,
    board_id: uuid.UUID | None = None,
    meeting_id: uuid.UUID | None = None,
    document_id: uuid.UUID | None = None,
    status: AgendaItemStatus | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[AgendaItem]:
    """Items of the forward plan in the order they were submitted."""
    query = select(AgendaItem).where(AgendaItem.organisation_id == principal.organisation_id)
    for column, value in (
        (AgendaItem.board_id, board_id),
        (AgendaItem.meeting_id, meeting_id),
        (AgendaItem.document_id, document_id),
        (AgendaItem.status, status),
    ):
        if value is not None:
            query = query.where(column == value)
    query = after_position(query, AgendaItem.submitted_at, AgendaItem.id, after).limit(limit)
    return list((await session.execute(query)).scalars())


async def _agenda_deadline_passed(session: AsyncSession, board: Board, meeting: Meeting) -> bool:
    calendar = await working_calendar(session, board.organisation_id)
    deadline = deadlines_for(board, meeting_day(meeting), calendar).agenda
    return deadline is not None and london_today() > deadline


async def _place(
    session: AsyncSession,
    principal: Principal,
    board: Board,
    requested: Meeting,
    *,
    accept_late: bool,
) -> Placement:
    """The meeting an item goes to: the one asked for, or the next if it is too late for it."""
    if not await _agenda_deadline_passed(session, board, requested):
        return Placement(requested, is_late=False, late_accepted=False)
    if accept_late:
        await authz.check_run_meetings(session, principal, board)
        return Placement(requested, is_late=True, late_accepted=True)
    later = await next_meeting(session, board.id, requested.starts_at)
    if later is None:
        raise Conflict(
            "The agenda deadline for that meeting has passed and the board has no later meeting "
            "yet: ask the chair to accept the item late, or to arrange a meeting."
        )
    return Placement(later, is_late=True, late_accepted=False)


async def _requested_meeting(
    session: AsyncSession, principal: Principal, board: Board, meeting_id: uuid.UUID | None
) -> Meeting:
    if meeting_id is None:
        meeting = await next_meeting(session, board.id, utcnow())
        if meeting is None:
            raise Conflict("The board has no meeting ahead; arrange one first.")
        return meeting
    try:
        meeting = await get_meeting(session, principal, meeting_id)
    except NotFound:
        raise Invalid("No such meeting.", field="meeting_id") from None
    if meeting.board_id != board.id:
        raise Invalid("That meeting belongs to another board.", field="meeting_id")
    if meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at <= utcnow():
        raise Conflict(f"That meeting is {meeting.status} or already past; choose a later one.")
    return meeting


def _section(board: Board, ask: str, section: str | None) -> str:
    chosen = section or DEFAULT_SECTION[ask]
    if chosen not in board.agenda_sections:
        raise Invalid(
            f"This board's agenda has no section {chosen!r}; choose one of "
            f"{', '.join(board.agenda_sections)}.",
            field="section",
        )
    return chosen


async def _document_and_version(
    session: AsyncSession,
    principal: Principal,
    document_id: uuid.UUID | None,
    version_ref: uuid.UUID | None,
) -> tuple[Document | None, DocumentVersion | None]:
    if document_id is None:
        if version_ref is not None:
            raise Invalid("A version needs its document.", field="version_id")
        return None, None
    try:
        document = await get_document(session, principal, document_id)
    except NotFound:
        raise Invalid("No such document.", field="document_id") from None
    if version_ref is not None:
        try:
            chosen = await get_version(session, principal, document, str(version_ref))
        except NotFound:
            raise Invalid("No such version of that document.", field="version_id") from None
        return document, chosen
    version = await latest_version(session, document.id)
    if (
        version is not None
        and not version.is_issued
        and not document_authz.can_read_drafts(principal, document)
    ):
        version = None
    return document, version


async def submit_item(
    session: AsyncSession, principal: Principal, board: Board, new: NewAgendaItem
) -> tuple[AgendaItem, Placement]:
    """Propose an item for a meeting (the next one by default) of the board's forward plan."""
    if not board.is_active:
        raise Conflict("This board is no longer active.")
    document, version = await _document_and_version(
        session, principal, new.document_id, new.version_id
    )
    await authz.check_table(session, principal, board, document)
    title = new.title or (document.title if document else None)
    if not title:
        raise Invalid("Give the item a title, or the document it is about.", field="title")
    ask = new.ask
    section = _section(board, ask, new.section)
    presenter_id = new.presenter_id or principal.person_id
    await require_active_person(session, board.organisation_id, presenter_id, "presenter_id")
    requested = await _requested_meeting(session, principal, board, new.meeting_id)
    placement = await _place(session, principal, board, requested, accept_late=new.accept_late)
    item = AgendaItem(
        id=uuid.uuid4(),
        organisation_id=board.organisation_id,
        board_id=board.id,
        meeting_id=placement.meeting.id,
        requested_meeting_id=requested.id,
        document_id=document.id if document else None,
        version_id=version.id if version else None,
        title=title,
        ask=ask,
        section=section,
        position=await next_position(session, placement.meeting.id, section),
        notes=new.notes,
        presenter_id=presenter_id,
        submitted_by_id=principal.person_id,
        submitted_at=utcnow(),
        is_late=placement.is_late,
        late_accepted_by_id=principal.person_id if placement.late_accepted else None,
        status=AgendaItemStatus.PLANNED,
    )
    session.add(item)
    await session.flush()
    await _record(session, principal, item, "agenda_item.submitted", None, placement)
    return item, placement


async def _record(
    session: AsyncSession,
    principal: Principal,
    item: AgendaItem,
    action: str,
    before: dict[str, Any] | None,
    placement: Placement | None = None,
) -> None:
    await audit_changes.record_change(session, principal, item, action, before=before)
    if placement is not None:
        await emit(
            session,
            events.AgendaItemPlanned(
                organisation_id=item.organisation_id,
                board_id=item.board_id,
                agenda_item_id=item.id,
                meeting_id=item.meeting_id,
                requested_meeting_id=item.requested_meeting_id,
                document_id=item.document_id,
                is_late=placement.is_late,
                late_accepted=placement.late_accepted,
            ),
        )


def _check_planned(item: AgendaItem, expected_version: int | None) -> None:
    if expected_version is not None and item.row_version != expected_version:
        raise PreconditionFailed("The item has changed since you read it; fetch it again.")
    if item.status != AgendaItemStatus.PLANNED:
        raise Conflict(f"This item is {item.status}; it can no longer be changed.")


async def accept_late(
    session: AsyncSession, principal: Principal, item: AgendaItem, *, expected_version: int
) -> AgendaItem:
    """The chair takes a late item at the meeting it was submitted for."""
    board = await get_board(session, principal, item.board_id)
    await authz.check_run_meetings(session, principal, board)
    _check_planned(item, expected_version)
    if not item.is_late or item.meeting_id == item.requested_meeting_id:
        raise Conflict("This item is already on the agenda of the meeting it was submitted for.")
    requested = await get_meeting(session, principal, item.requested_meeting_id)
    if requested.status != MeetingStatus.SCHEDULED or requested.starts_at <= utcnow():
        raise Conflict(f"The meeting it was submitted for is {requested.status} or past.")
    before = audit.snapshot(item)
    item.meeting_id = requested.id
    item.late_accepted_by_id = principal.person_id
    item.position = await next_position(session, requested.id, item.section)
    await session.flush()
    await _record(
        session,
        principal,
        item,
        "agenda_item.accepted_late",
        before,
        Placement(requested, is_late=True, late_accepted=True),
    )
    return item


async def update_item(
    session: AsyncSession,
    principal: Principal,
    item: AgendaItem,
    command: AgendaItemChange,
    *,
    expected_version: int,
) -> AgendaItem:
    """Retitle, re-order, re-section, change the presenter or paper, or move to another meeting.

    Moving an item between meetings is the chair's (or the policy team's) to do.
    """
    board = await get_board(session, principal, item.board_id)
    _check_planned(item, expected_version)
    document = (
        await get_document(session, principal, item.document_id) if item.document_id else None
    )
    await authz.check_table(session, principal, board, document)
    changes = command.given()
    placement = None
    if "meeting_id" in changes and changes["meeting_id"] != item.meeting_id:
        await authz.check_run_meetings(session, principal, board)
        target = await _requested_meeting(session, principal, board, changes["meeting_id"])
        # A move by the chair is not a deferral: nobody is told the item came late.
        placement = Placement(target, is_late=False, late_accepted=False)
        changes.setdefault("section", item.section)
    if "section" in changes:
        changes["section"] = _section(board, changes.get("ask", item.ask), changes["section"])
    if "presenter_id" in changes:
        await require_active_person(
            session, board.organisation_id, changes["presenter_id"], "presenter_id"
        )
    if "version_id" in changes:
        _, version = await _document_and_version(
            session, principal, item.document_id, changes["version_id"]
        )
        changes["version_id"] = version.id if version else None
    before = audit.snapshot(item)
    for key, value in changes.items():
        setattr(item, key, value)
    if placement is not None and "position" not in changes:
        item.position = await next_position(session, item.meeting_id, item.section)
    await session.flush()
    await _record(session, principal, item, "agenda_item.updated", before, placement)
    return item


async def withdraw_item(
    session: AsyncSession, principal: Principal, item: AgendaItem, *, expected_version: int
) -> AgendaItem:
    """Take an item off the forward plan; it stays on the record as withdrawn."""
    board = await get_board(session, principal, item.board_id)
    _check_planned(item, expected_version)
    document = (
        await get_document(session, principal, item.document_id) if item.document_id else None
    )
    await authz.check_table(session, principal, board, document, item)
    before = audit.snapshot(item)
    item.status = AgendaItemStatus.WITHDRAWN
    await session.flush()
    await _record(session, principal, item, "agenda_item.withdrawn", before)
    return item


async def items_of(session: AsyncSession, board: Board, meeting: Meeting) -> list[AgendaItem]:
    """The meeting's items (not withdrawn) in agenda order: by the board's sections, then place."""
    rows = await session.execute(
        select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting.id, AgendaItem.status != AgendaItemStatus.WITHDRAWN)
        .order_by(AgendaItem.position, AgendaItem.submitted_at, AgendaItem.id)
    )
    sections = {name: index for index, name in enumerate(board.agenda_sections)}
    return sorted(rows.scalars(), key=lambda i: (sections.get(i.section, len(sections)), i.section))


async def paper(
    session: AsyncSession, principal: Principal, item: AgendaItem
) -> tuple[Document, DocumentVersion]:
    """The version an item puts to the board, if the caller may read it."""
    if item.document_id is None or item.version_id is None:
        raise NotFound("This item has no paper.")
    document = await get_document(session, principal, item.document_id)
    version = await session.get(DocumentVersion, item.version_id)
    if version is None:  # pragma: no cover - versions are never deleted
        raise NotFound("This item has no paper.")
    board = await get_board(session, principal, item.board_id)
    if not version.is_issued and not await authz.can_read_paper(
        session, principal, board, document
    ):
        raise NotFound("This item has no paper you may read.")
    return document, version

"""Who is told about a board's meetings, and what their email says.

One function per event type decides the recipients and the context of each email;
``service.fan_out`` inserts them idempotently. Only active people are told, each once per
event, and a notice names its document only when exactly one document is concerned.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.boards.meetings import meeting_day
from services.domain.boards.minutes import actions_of, current_decisions
from services.domain.boards.service import deadlines_for, members_of, working_calendar
from services.domain.documents.service import acting_responsible_officer_id
from services.domain.models.boards import Board
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.meetings import AgendaItem, AgendaItemStatus, Meeting, MeetingStatus
from services.domain.models.people import Person
from services.domain.models.sign_off import SignOff, SignOffStage
from services.domain.notices.kinds import of_family
from services.domain.notices.notice import Handler, Notice
from services.domain.notices.recipients import active_people

KINDS = of_family("meeting")


def is_about_a_meeting(kind: str) -> bool:
    return kind in KINDS


async def still_applies(session: AsyncSession, kind: str, context: dict[str, Any]) -> bool:
    """A notice about a meeting cancelled since is void (the cancellation notice tells them),
    as is a move notice about a meeting moved again (the later one tells them)."""
    if kind == "meeting.cancelled" or not context.get("meeting_id"):
        return True
    meeting = await session.get(Meeting, uuid.UUID(context["meeting_id"]))
    if meeting is None or meeting.status == MeetingStatus.CANCELLED:
        return False
    if kind == "meeting.moved":
        return meeting.starts_at == datetime.fromisoformat(context["starts_at"])
    return True


# --- loading ---------------------------------------------------------------------------------


async def _by_id(
    session: AsyncSession, model: type[Any], ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, Any]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(select(model).where(model.id.in_(wanted)))
    return {row.id: row for row in rows.scalars()}


def in_agenda_order(board: Board, items: Iterable[AgendaItem]) -> list[AgendaItem]:
    """Items in the order of the board's agenda sections, then their place in the section."""
    sections = {name: index for index, name in enumerate(board.agenda_sections)}
    return sorted(
        items,
        key=lambda i: (sections.get(i.section, len(sections)), i.position, i.submitted_at, i.id),
    )


def _only_document(
    items: Iterable[AgendaItem], documents: dict[uuid.UUID, Document]
) -> Document | None:
    concerned = {i.document_id for i in items if i.document_id is not None}
    return documents.get(concerned.pop()) if len(concerned) == 1 else None


async def _meeting_and_board(
    session: AsyncSession,
    event: events.MeetingMoved
    | events.MeetingCancelled
    | events.PapersCirculated
    | events.MinutesIssued,
) -> tuple[Meeting, Board] | None:
    meeting = await session.get(Meeting, event.meeting_id)
    board = await session.get(Board, event.board_id)
    return (meeting, board) if meeting is not None and board is not None else None


# --- people with items -----------------------------------------------------------------------


async def _to_people_with_items(
    session: AsyncSession,
    event: events.MeetingMoved | events.MeetingCancelled,
    kind: str,
    items: Sequence[AgendaItem],
    context: dict[str, Any],
) -> list[Notice]:
    """Each item's presenter, submitter and document's acting RO, told of their own items."""
    documents: dict[uuid.UUID, Document] = await _by_id(
        session, Document, (i.document_id for i in items)
    )
    theirs: dict[uuid.UUID, list[AgendaItem]] = {}
    for item in items:
        document = documents.get(item.document_id) if item.document_id else None
        officer = acting_responsible_officer_id(document) if document else None
        for person_id in dict.fromkeys((item.presenter_id, item.submitted_by_id, officer)):
            if person_id is not None:
                theirs.setdefault(person_id, []).append(item)
    people = await active_people(session, event.organisation_id, theirs)
    return [
        Notice(
            kind,
            person,
            {**context, "items": [i.title for i in theirs[person.id]]},
            _only_document(theirs[person.id], documents),
        )
        for person in people
    ]


async def _meeting_moved(session: AsyncSession, event: events.MeetingMoved) -> list[Notice]:
    found = await _meeting_and_board(session, event)
    if found is None:
        return []
    meeting, board = found
    rows = await session.execute(
        select(AgendaItem).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.status == AgendaItemStatus.PLANNED
        )
    )
    context = {
        "board_name": board.name,
        "meeting_id": str(meeting.id),
        "previous_starts_at": event.previous_starts_at.isoformat(),
        "starts_at": event.starts_at.isoformat(),
        "location": meeting.location,
    }
    items = in_agenda_order(board, rows.scalars())
    return await _to_people_with_items(session, event, "meeting.moved", items, context)


async def _meeting_cancelled(session: AsyncSession, event: events.MeetingCancelled) -> list[Notice]:
    found = await _meeting_and_board(session, event)
    if found is None:
        return []
    meeting, board = found
    items = await _by_id(session, AgendaItem, event.agenda_item_ids)
    moved_to_id = event.items_moved_to_meeting_id
    moved_to = await session.get(Meeting, moved_to_id) if moved_to_id else None
    context = {
        "board_name": board.name,
        "meeting_id": str(meeting.id),
        "starts_at": event.starts_at.isoformat(),
        "location": meeting.location,
        "reason": event.reason,
        "moved_to_starts_at": moved_to.starts_at.isoformat() if moved_to else None,
    }
    ordered = in_agenda_order(board, items.values())
    return await _to_people_with_items(session, event, "meeting.cancelled", ordered, context)


async def _agenda_item_planned(
    session: AsyncSession, event: events.AgendaItemPlanned
) -> list[Notice]:
    # Only an item that came too late and went to a later meeting than the one asked for.
    if not event.is_late or event.late_accepted or event.meeting_id == event.requested_meeting_id:
        return []
    item = await session.get(AgendaItem, event.agenda_item_id)
    board = await session.get(Board, event.board_id)
    went_to = await session.get(Meeting, event.meeting_id)
    requested = await session.get(Meeting, event.requested_meeting_id)
    if item is None or board is None or went_to is None or requested is None:
        return []
    document = await session.get(Document, item.document_id) if item.document_id else None
    calendar = await working_calendar(session, board.organisation_id)
    deadline = deadlines_for(board, meeting_day(requested), calendar).agenda
    context: dict[str, Any] = {
        "title": item.title,
        "board_name": board.name,
        "meeting_id": str(went_to.id),
        "requested_starts_at": requested.starts_at.isoformat(),
        "agenda_deadline": deadline.isoformat() if deadline else None,
        "starts_at": went_to.starts_at.isoformat(),
        "location": went_to.location,
        "placed_by_sign_off": False,
    }
    asked_by = item.submitted_by_id
    sign_off = await _placed_for(session, item)
    if sign_off is not None:
        # The sign-off engine tabled it when a stage decided at a meeting began: nobody asked
        # for a meeting, so the email says what happened and goes to the sign-off's submitter.
        sign_off_row, stage = sign_off
        asked_by = sign_off_row.submitted_by_id
        context |= {
            "placed_by_sign_off": True,
            "stage_name": stage.name,
            "sign_off_path": f"/v1/sign-offs/{sign_off_row.id}",
        }
    people = await active_people(session, event.organisation_id, (asked_by, item.presenter_id))
    return [
        Notice(
            "agenda_item.deferred",
            person,
            {
                **context,
                "is_submitter": person.id == asked_by,
                "is_presenter": person.id == item.presenter_id,
            },
            document,
        )
        for person in people
    ]


async def _placed_for(
    session: AsyncSession, item: AgendaItem
) -> tuple[SignOff, SignOffStage] | None:
    """The sign-off and stage whose engine tabled the item, if it did."""
    row = (
        await session.execute(
            select(SignOff, SignOffStage)
            .join(SignOffStage, SignOffStage.sign_off_id == SignOff.id)
            .where(SignOffStage.agenda_item_id == item.id)
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


# --- members ---------------------------------------------------------------------------------


async def _papers_circulated(session: AsyncSession, event: events.PapersCirculated) -> list[Notice]:
    found = await _meeting_and_board(session, event)
    if found is None:
        return []
    meeting, board = found
    rows = await session.execute(
        select(AgendaItem).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.status != AgendaItemStatus.WITHDRAWN
        )
    )
    items = in_agenda_order(board, rows.scalars())
    documents: dict[uuid.UUID, Document] = await _by_id(
        session, Document, (i.document_id for i in items)
    )
    versions: dict[uuid.UUID, DocumentVersion] = await _by_id(
        session, DocumentVersion, (i.version_id for i in items)
    )
    agenda = []
    for item in items:
        document = documents.get(item.document_id) if item.document_id else None
        version = versions.get(item.version_id) if item.version_id else None
        agenda.append(
            {
                "section": item.section,
                "title": item.title,
                "reference": document.reference if document else None,
                "version": version.number if version else None,
                "paper_path": f"/v1/agenda-items/{item.id}/paper" if version else None,
            }
        )
    context = {
        "board_name": board.name,
        "meeting_id": str(meeting.id),
        "starts_at": meeting.starts_at.isoformat(),
        "location": meeting.location,
        "is_late": event.is_late,
        "agenda": agenda,
    }
    seats = await members_of(session, [board.id])
    people = await active_people(
        session,
        event.organisation_id,
        (person_id for m in seats for person_id in (m.person_id, m.delegate_id)),
    )
    document = _only_document(items, documents)
    return [Notice("meeting.papers_circulated", p, context, document) for p in people]


async def _minutes_issued(session: AsyncSession, event: events.MinutesIssued) -> list[Notice]:
    found = await _meeting_and_board(session, event)
    if found is None:
        return []
    meeting, board = found
    decisions = await current_decisions(session, meeting.id)
    actions = await actions_of(session, meeting.id)
    items: dict[uuid.UUID, AgendaItem] = await _by_id(
        session,
        AgendaItem,
        [d.agenda_item_id for d in decisions] + [a.agenda_item_id for a in actions],
    )
    order = {item.id: index for index, item in enumerate(in_agenda_order(board, items.values()))}
    decisions.sort(key=lambda d: (order[d.agenda_item_id], d.recorded_at))
    # Owners who have left are still named on the minutes.
    owners: dict[uuid.UUID, Person] = await _by_id(session, Person, (a.owner_id for a in actions))
    minuted = [
        (
            action.owner_id,
            {
                "description": action.description,
                "owner_name": owners[action.owner_id].name if action.owner_id in owners else "",
                "due_on": action.due_on.isoformat(),
            },
        )
        for action in actions
    ]
    context = {
        "board_name": board.name,
        "meeting_id": str(meeting.id),
        "starts_at": meeting.starts_at.isoformat(),
        "decisions": [
            {
                "title": items[d.agenda_item_id].title,
                "outcome": d.outcome,
                "conditions": list(d.conditions),
            }
            for d in decisions
        ],
        "actions": [entry for _, entry in minuted],
    }
    seats = await members_of(session, [board.id])
    people = await active_people(
        session, event.organisation_id, [m.person_id for m in seats] + [a.owner_id for a in actions]
    )
    documents = await _by_id(session, Document, (i.document_id for i in items.values()))
    document = _only_document(items.values(), documents)
    return [
        Notice(
            "meeting.minutes_issued",
            person,
            {**context, "your_actions": [e for owner, e in minuted if owner == person.id]},
            document,
        )
        for person in people
    ]


async def _attendance_escalated(
    session: AsyncSession, event: events.AttendanceEscalated
) -> list[Notice]:
    people = await active_people(session, event.organisation_id, [event.escalate_to_person_id])
    board = await session.get(Board, event.board_id)
    member = await session.get(Person, event.person_id)
    if not people or board is None or member is None:
        return []
    missed: dict[uuid.UUID, Meeting] = await _by_id(session, Meeting, event.missed_meeting_ids)
    context = {
        "board_name": board.name,
        "meeting_id": str(event.meeting_id),
        "member_name": member.name,
        "missed": sorted(meeting_day(m).isoformat() for m in missed.values()),
    }
    return [Notice("board.attendance_escalated", people[0], context)]


# The events whose notices this module decides (notifications/handlers.py).
HANDLERS: dict[type, Handler] = {
    events.MeetingMoved: _meeting_moved,
    events.MeetingCancelled: _meeting_cancelled,
    events.PapersCirculated: _papers_circulated,
    events.MinutesIssued: _minutes_issued,
    events.AttendanceEscalated: _attendance_escalated,
    events.AgendaItemPlanned: _agenda_item_planned,
}

"""Reports a board's chair owes: after each meeting, and at the end of each financial year.

Dorset 10: after each meeting the chair reports the new and revised documents approved (for the
leadership team, the QA newsletter and the Hub), and any matters of exception; an annual report
at the end of each financial year summarises the work of the group.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.boards.attendance import ATTENDED, attendance_of, check_quorum
from services.domain.boards.minutes import actions_of, current_decisions
from services.domain.clock import LONDON, london_today
from services.domain.models.boards import Board
from services.domain.models.documents import NO_LONGER_IN_FORCE, Document, DocumentVersion
from services.domain.models.meetings import (
    ActionStatus,
    AgendaItem,
    AgendaItemStatus,
    Attendance,
    Meeting,
    MeetingDecision,
    MeetingStatus,
)
from services.domain.models.people import Person
from services.domain.organisations.words import words_for

APPROVALS = ("approved", "approved_with_conditions")


@dataclass(frozen=True)
class ApprovedDocument:
    document_id: uuid.UUID
    reference: str
    title: str
    kind: str
    service_area: str | None
    version: str | None
    is_new: bool
    outcome: str
    conditions: list[str]
    # Dorset 8.2: the chair keeps the record of document owners; in the organisation's words.
    owner_title: str
    owner_name: str | None


@dataclass(frozen=True)
class Exception_:
    agenda_item_id: uuid.UUID
    title: str
    outcome: str | None
    note: str


@dataclass(frozen=True)
class MeetingReport:
    meeting: Meeting
    board: Board
    approved: list[ApprovedDocument]
    exceptions: list[Exception_]
    decisions: int
    open_actions: int
    is_quorate: bool | None


async def _current_decisions(
    session: AsyncSession, meeting_id: uuid.UUID
) -> dict[uuid.UUID, MeetingDecision]:
    return {d.agenda_item_id: d for d in await current_decisions(session, meeting_id)}


async def meeting_report(session: AsyncSession, board: Board, meeting: Meeting) -> MeetingReport:
    """The documents approved at a meeting and the matters of exception."""
    words = await words_for(session, board.organisation_id)
    decisions = await _current_decisions(session, meeting.id)
    item_ids = list(decisions)
    on_agenda = (
        await session.execute(
            select(AgendaItem).where(
                (AgendaItem.meeting_id == meeting.id) | AgendaItem.id.in_(item_ids)
            )
        )
    ).scalars()
    approved: list[ApprovedDocument] = []
    exceptions: list[Exception_] = []
    for item in sorted(on_agenda, key=lambda i: (i.section, i.position)):
        if item.status == AgendaItemStatus.WITHDRAWN:
            continue
        decision = decisions.get(item.id)
        if decision is None:
            exceptions.append(Exception_(item.id, item.title, None, "No decision was recorded."))
            continue
        if decision.outcome in APPROVALS and item.document_id is not None:
            document = await session.get(Document, item.document_id)
            version = (
                await session.get(DocumentVersion, item.version_id) if item.version_id else None
            )
            if document is not None:
                owner = await session.get(Person, document.owner_id) if document.owner_id else None
                approved.append(
                    ApprovedDocument(
                        document_id=document.id,
                        reference=document.reference,
                        title=document.title,
                        kind=document.kind,
                        service_area=document.service_area,
                        version=version.number if version else None,
                        is_new=item.ask in ("new_proposal", "decision")
                        and document.issued_version is None,
                        outcome=decision.outcome,
                        conditions=list(decision.conditions),
                        owner_title=words.owner,
                        owner_name=owner.name if owner else None,
                    )
                )
        elif decision.outcome in ("deferred", "referred", "rejected"):
            exceptions.append(
                Exception_(item.id, item.title, decision.outcome, decision.text or decision.outcome)
            )
    attendance = await attendance_of(session, meeting.id)
    quorum = check_quorum(board, attendance, meeting.chaired_by_id) if attendance else None
    actions = await actions_of(session, meeting.id)
    return MeetingReport(
        meeting=meeting,
        board=board,
        approved=approved,
        exceptions=exceptions,
        decisions=len(decisions),
        open_actions=sum(1 for a in actions if a.status == ActionStatus.OPEN),
        is_quorate=quorum.is_quorate if quorum else None,
    )


def financial_year(year: int) -> tuple[date, date]:
    """UK financial year starting in April of ``year``: 1 April to 31 March."""
    return date(year, 4, 1), date(year + 1, 3, 31)


@dataclass(frozen=True)
class AnnualReport:
    board: Board
    starts_on: date
    ends_on: date
    meetings_held: int
    meetings_cancelled: int
    meetings_without_quorum: int
    items_by_ask: dict[str, int]
    decisions_by_outcome: dict[str, int]
    documents_approved: int
    reviews_approved: int
    late_items: int
    attendance_rate: float | None
    open_actions: int
    overdue_actions: int
    documents_overdue_for_review: int
    approved: list[ApprovedDocument]


@dataclass
class _Tally:
    """The year's counts, added to meeting by meeting."""

    items_by_ask: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    approved: list[ApprovedDocument] = field(default_factory=list)
    reviews_approved: int = 0
    late_items: int = 0
    without_quorum: int = 0
    open_actions: int = 0
    overdue_actions: int = 0
    attended: int = 0
    expected: int = 0


async def _count_meeting(
    session: AsyncSession, board: Board, meeting: Meeting, today: date, tally: _Tally
) -> None:
    """Add one held meeting to the year: its report, decided items, attendance and actions."""
    report = await meeting_report(session, board, meeting)
    tally.approved.extend(report.approved)
    if report.is_quorate is False:
        tally.without_quorum += 1
    decisions = await _current_decisions(session, meeting.id)
    items = (
        await session.execute(select(AgendaItem).where(AgendaItem.id.in_(list(decisions))))
    ).scalars()
    for item in items:
        tally.items_by_ask[item.ask] += 1
        tally.late_items += item.is_late
        outcome = decisions[item.id].outcome
        tally.outcomes[outcome] += 1
        if item.ask == "review_approval" and outcome in APPROVALS:
            tally.reviews_approved += 1
    counts = await session.execute(
        select(Attendance.status, func.count())
        .where(Attendance.meeting_id == meeting.id)
        .group_by(Attendance.status)
    )
    for status, count in counts:
        tally.expected += count
        if status in ATTENDED:
            tally.attended += count
    for action in await actions_of(session, meeting.id):
        if action.status == ActionStatus.OPEN:
            tally.open_actions += 1
            tally.overdue_actions += action.due_on < today


async def _overdue_for_review(session: AsyncSession, board: Board, today: date) -> int:
    """What is overdue for review among the documents this board has dealt with."""
    overdue = await session.execute(
        select(func.count(func.distinct(Document.id)))
        .join(AgendaItem, AgendaItem.document_id == Document.id)
        .where(
            AgendaItem.board_id == board.id,
            Document.next_review_due < today,
            Document.status.not_in(NO_LONGER_IN_FORCE),
        )
    )
    return int(overdue.scalar() or 0)


async def annual_report(session: AsyncSession, board: Board, year: int) -> AnnualReport:
    """The year's work of a board: meetings, items, decisions, attendance and overdue reviews."""
    starts_on, ends_on = financial_year(year)
    window_start = datetime.combine(starts_on, time(0), LONDON)
    window_end = datetime.combine(ends_on, time(23, 59, 59), LONDON)
    meetings = list(
        (
            await session.execute(
                select(Meeting)
                .where(
                    Meeting.board_id == board.id,
                    Meeting.starts_at >= window_start,
                    Meeting.starts_at <= window_end,
                )
                .order_by(Meeting.starts_at)
            )
        ).scalars()
    )
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    tally = _Tally()
    today = min(london_today(), ends_on)
    for meeting in held:
        await _count_meeting(session, board, meeting, today, tally)
    return AnnualReport(
        board=board,
        starts_on=starts_on,
        ends_on=ends_on,
        meetings_held=len(held),
        meetings_cancelled=sum(1 for m in meetings if m.status == MeetingStatus.CANCELLED),
        meetings_without_quorum=tally.without_quorum,
        items_by_ask=dict(sorted(tally.items_by_ask.items())),
        decisions_by_outcome=dict(sorted(tally.outcomes.items())),
        documents_approved=len(tally.approved),
        reviews_approved=tally.reviews_approved,
        late_items=tally.late_items,
        attendance_rate=round(tally.attended / tally.expected, 3) if tally.expected else None,
        open_actions=tally.open_actions,
        overdue_actions=tally.overdue_actions,
        documents_overdue_for_review=await _overdue_for_review(session, board, today),
        approved=tally.approved,
    )

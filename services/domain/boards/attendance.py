"""Who attended a meeting, whether it was quorate, and who missed too many in a row.

Dorset PPP Group terms of reference: members who cannot attend send a delegate (7.2); at least
two Heads of Service and two QA managers attend each meeting (7.2); a member who misses two or
more successive meetings without sending a delegate may be escalated by the Head of QA (7.3);
should the chair and vice-chairs all be absent, one of them appoints another officer (4.1).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.authz import boards as authz
from services.domain.authz.principal import Principal
from services.domain.boards.commands import AttendanceEntry, AttendanceSheet
from services.domain.boards.meetings import meeting_day
from services.domain.boards.service import get_board, members_of
from services.domain.clock import london_today, utcnow
from services.domain.errors import Conflict, Invalid
from services.domain.models.boards import Board, BoardMember
from services.domain.models.meetings import Attendance, AttendanceStatus, Meeting, MeetingStatus
from services.domain.models.organisations import Organisation
from services.domain.models.people import Person
from services.domain.outbox.service import emit

MISSED = (AttendanceStatus.APOLOGIES, AttendanceStatus.ABSENT)
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.DELEGATE_ATTENDED)


@dataclass(frozen=True)
class SeatCheck:
    seat: str
    minimum: int
    attending: int

    @property
    def is_met(self) -> bool:
        return self.attending >= self.minimum


@dataclass(frozen=True)
class QuorumCheck:
    """Whether enough members (or delegates) attended, seat by seat, and who chaired."""

    attending: int
    required: int | None
    seats: list[SeatCheck]
    chaired_by_id: uuid.UUID | None
    problems: list[str] = field(default_factory=list)

    @property
    def is_quorate(self) -> bool:
        return not self.problems


def check_quorum(
    board: Board, rows: Sequence[Attendance], chaired_by_id: uuid.UUID | None
) -> QuorumCheck:
    """Pure: the quorum rule and seat minimums applied to a meeting's attendance."""
    attending = sum(1 for r in rows if r.status in ATTENDED)
    problems: list[str] = []
    if board.quorum is not None and attending < board.quorum:
        problems.append(f"{attending} of the {board.quorum} members needed attended.")
    seats = []
    for rule in board.seat_rules:
        counted = ATTENDED if rule.get("delegates_count") else (AttendanceStatus.PRESENT,)
        check = SeatCheck(
            seat=rule["seat"],
            minimum=int(rule.get("minimum", 0)),
            attending=sum(1 for r in rows if r.seat == rule["seat"] and r.status in counted),
        )
        seats.append(check)
        if not check.is_met:
            problems.append(f"{check.attending} of the {check.minimum} {check.seat} needed.")
    if chaired_by_id is None and rows:
        problems.append("Neither the chair nor a vice-chair attended, and no one was appointed.")
    return QuorumCheck(attending, board.quorum, seats, chaired_by_id, problems)


async def attendance_of(session: AsyncSession, meeting_id: uuid.UUID) -> list[Attendance]:
    rows = await session.execute(
        select(Attendance)
        .join(Person, Person.id == Attendance.person_id)
        .where(Attendance.meeting_id == meeting_id)
        .order_by(Person.name)
    )
    return list(rows.scalars())


def check_meeting_happened(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise Conflict("This meeting was cancelled.")
    if meeting_day(meeting) > london_today():
        raise Conflict("This meeting has not happened yet.")


def _acting_chair(rows: Sequence[Attendance], appointed: uuid.UUID | None) -> uuid.UUID | None:
    # Dorset 4.1: a vice-chair deputises; failing both, one of them appoints another officer.
    if appointed is not None:
        return appointed
    for role in ("chair", "vice_chair"):
        for row in rows:
            if row.role == role and row.status == AttendanceStatus.PRESENT:
                return row.person_id
    return None


async def _delegate_of(
    session: AsyncSession,
    meeting: Meeting,
    member: BoardMember | None,
    entry: AttendanceEntry,
    index: int,
) -> uuid.UUID | None:
    """Who came instead of the member: named, or their standing delegate; None unless one did."""
    delegate_id = entry.delegate_id
    if entry.status != AttendanceStatus.DELEGATE_ATTENDED:
        if delegate_id is not None:
            raise Invalid(
                "Only a member whose delegate attended has a delegate.",
                field=f"attendance[{index}].delegate_id",
            )
        return None
    delegate_id = delegate_id or (member.delegate_id if member else None)
    if delegate_id is None:
        raise Invalid(
            "Name the delegate who attended; this member has no standing delegate.",
            field=f"attendance[{index}].delegate_id",
        )
    delegate = await session.get(Person, delegate_id)
    if delegate is None or delegate.organisation_id != meeting.organisation_id:
        raise Invalid(
            "No such person in your organisation.",
            field=f"attendance[{index}].delegate_id",
        )
    return delegate_id


async def _mark(
    session: AsyncSession,
    principal: Principal,
    meeting: Meeting,
    members: dict[uuid.UUID, BoardMember],
    existing: dict[uuid.UUID, Attendance],
    sheet: AttendanceSheet,
) -> None:
    """Write each entry of the sheet onto the meeting's attendance (``existing``, by person)."""
    for index, entry in enumerate(sheet.attendance):
        person_id = entry.person_id
        member = members.get(person_id)
        row = existing.get(person_id)
        if member is None and row is None:
            raise Invalid(
                "That person is not a member of this board.", field=f"attendance[{index}].person_id"
            )
        delegate_id = await _delegate_of(session, meeting, member, entry, index)
        if row is None:
            row = Attendance(
                meeting_id=meeting.id,
                person_id=person_id,
                organisation_id=meeting.organisation_id,
            )
            session.add(row)
            existing[person_id] = row
        if member is not None:
            row.role, row.seat = member.role, member.seat
        row.status = entry.status
        row.delegate_id = delegate_id
        row.recorded_by_id = principal.person_id
        row.recorded_at = utcnow()


async def record_attendance(
    session: AsyncSession, principal: Principal, meeting: Meeting, sheet: AttendanceSheet
) -> tuple[list[Attendance], QuorumCheck, list[uuid.UUID]]:
    """Record who attended (members not listed keep what was recorded); the meeting is held.

    Returns the attendance, the quorum check and the members escalated for missed meetings.
    """
    board = await get_board(session, principal, meeting.board_id)
    await authz.check_run_meetings(session, principal, board)
    check_meeting_happened(meeting)
    members = {m.person_id: m for m in await members_of(session, [board.id])}
    existing = {a.person_id: a for a in await attendance_of(session, meeting.id)}
    await _mark(session, principal, meeting, members, existing, sheet)
    chaired_by_id = sheet.chaired_by_id
    if chaired_by_id is not None and chaired_by_id not in existing:
        person = await session.get(Person, chaired_by_id)
        if person is None or person.organisation_id != meeting.organisation_id:
            raise Invalid("No such person in your organisation.", field="chaired_by_id")
    rows = list(existing.values())
    meeting.chaired_by_id = _acting_chair(rows, chaired_by_id or meeting.chaired_by_id)
    meeting.status = MeetingStatus.HELD
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        meeting,
        "meeting.attendance_recorded",
        after={
            "chaired_by_id": str(meeting.chaired_by_id) if meeting.chaired_by_id else None,
            "attendance": [
                {
                    "person_id": str(r.person_id),
                    "status": r.status,
                    "delegate_id": str(r.delegate_id) if r.delegate_id else None,
                }
                for r in rows
            ],
        },
    )
    escalated = await _escalate_missed(session, board, meeting, rows)
    quorum = check_quorum(board, rows, meeting.chaired_by_id)
    return await attendance_of(session, meeting.id), quorum, escalated


async def missed_in_a_row(
    session: AsyncSession, board: Board, meeting: Meeting, person_id: uuid.UUID
) -> list[uuid.UUID]:
    """The held meetings up to this one that the person missed without a delegate, newest first.

    The run stops at the first meeting they attended, sent a delegate to, or were not recorded
    at (before they joined, say).
    """
    rows = await session.execute(
        select(Meeting.id, Attendance.status)
        .outerjoin(
            Attendance,
            (Attendance.meeting_id == Meeting.id) & (Attendance.person_id == person_id),
        )
        .where(
            Meeting.board_id == board.id,
            Meeting.status == MeetingStatus.HELD,
            Meeting.starts_at <= meeting.starts_at,
        )
        .order_by(Meeting.starts_at.desc())
        .limit(24)
    )
    missed: list[uuid.UUID] = []
    for meeting_id, status in rows:
        if status not in MISSED:
            break
        missed.append(meeting_id)
    return missed


async def _escalate_missed(
    session: AsyncSession, board: Board, meeting: Meeting, rows: Sequence[Attendance]
) -> list[uuid.UUID]:
    exempt = {r["seat"] for r in board.seat_rules if r.get("exempt_from_escalation")}
    escalate_to = board.escalation_person_id
    if escalate_to is None:
        org = await session.get(Organisation, board.organisation_id)
        escalate_to = org.escalation_contact_id if org else None
    escalated = []
    for row in rows:
        if row.status not in MISSED or row.seat in exempt or row.escalated_at is not None:
            continue
        missed = await missed_in_a_row(session, board, meeting, row.person_id)
        if len(missed) < 2:
            continue
        row.escalated_at = utcnow()
        escalated.append(row.person_id)
        await emit(
            session,
            events.AttendanceEscalated(
                organisation_id=board.organisation_id,
                board_id=board.id,
                meeting_id=meeting.id,
                person_id=row.person_id,
                missed_meeting_ids=missed,
                escalate_to_person_id=escalate_to,
            ),
        )
    await session.flush()
    return escalated


async def flagged_members(session: AsyncSession, board: Board) -> dict[uuid.UUID, int]:
    """Members whose current run of missed meetings (without a delegate) is two or more."""
    latest = (
        await session.execute(
            select(Meeting)
            .where(Meeting.board_id == board.id, Meeting.status == MeetingStatus.HELD)
            .order_by(Meeting.starts_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if latest is None:
        return {}
    exempt = {r["seat"] for r in board.seat_rules if r.get("exempt_from_escalation")}
    flagged = {}
    for member in await members_of(session, [board.id]):
        if member.seat in exempt:
            continue
        run = await missed_in_a_row(session, board, latest, member.person_id)
        if len(run) >= 2:
            flagged[member.person_id] = len(run)
    return flagged

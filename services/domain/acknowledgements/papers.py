"""Board members confirm they have read a meeting's papers; the chair, a vice-chair and the
policy team see who has and who has not, before the meeting.

Dorset 7.4: "Attendees are expected to read the documents prior to the meeting date to ensure
effective sign off."
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.authz import acknowledgements as authz
from services.domain.authz.principal import Principal
from services.domain.boards.meetings import get_meeting
from services.domain.clock import utcnow
from services.domain.errors import Conflict
from services.domain.models.acknowledgements import PapersRead
from services.domain.models.boards import Board, BoardMember
from services.domain.models.meetings import Meeting, MeetingStatus
from services.domain.models.people import Person
from services.domain.outbox.service import emit


@dataclass(frozen=True)
class MemberReading:
    """A member (or their delegate, who reads for them) and when they confirmed, if they have."""

    person_id: uuid.UUID
    name: str
    role: str
    read_at: datetime | None
    delegate_id: uuid.UUID | None = None
    delegate_read_at: datetime | None = None


async def _board(session: AsyncSession, meeting: Meeting) -> Board:
    board = await session.get(Board, meeting.board_id)
    assert board is not None
    return board


async def confirm_papers_read(
    session: AsyncSession, principal: Principal, meeting_id: uuid.UUID
) -> tuple[Meeting, datetime]:
    """The signed-in member (or a member's delegate) confirms they have read the papers of a
    scheduled meeting; again changes nothing. When they confirmed is answered."""
    meeting = await get_meeting(session, principal, meeting_id)
    board = await _board(session, meeting)
    await authz.check_papers_read(session, principal, board)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict(f"This meeting is {meeting.status}: its papers are no longer read for it.")
    assert principal.person_id is not None
    inserted = await session.execute(
        insert(PapersRead)
        .values(
            organisation_id=meeting.organisation_id,
            meeting_id=meeting.id,
            person_id=principal.person_id,
            read_at=utcnow(),
        )
        .on_conflict_do_nothing()
        .returning(PapersRead.read_at)
    )
    at = inserted.scalar_one_or_none()
    if at is None:
        kept = await session.get(PapersRead, (meeting.id, principal.person_id))
        assert kept is not None
        return meeting, kept.read_at
    await emit(
        session,
        events.MeetingPapersRead(
            organisation_id=meeting.organisation_id,
            meeting_id=meeting.id,
            board_id=board.id,
            person_id=principal.person_id,
        ),
    )
    return meeting, at


async def papers_read(
    session: AsyncSession, principal: Principal, meeting_id: uuid.UUID
) -> tuple[Meeting, list[MemberReading]]:
    """Each member of the meeting's board (chair first), whether they (or their delegate)
    have read the papers, for the chair, a vice-chair or the policy team."""
    meeting = await get_meeting(session, principal, meeting_id)
    board = await _board(session, meeting)
    await authz.check_papers_list(session, principal, board)
    read = {
        row.person_id: row.read_at
        for row in (
            await session.execute(select(PapersRead).where(PapersRead.meeting_id == meeting.id))
        ).scalars()
    }
    rows = await session.execute(
        select(BoardMember, Person.name)
        .join(Person, Person.id == BoardMember.person_id)
        .where(BoardMember.board_id == board.id)
        .order_by(Person.name, BoardMember.id)
    )
    order = {"chair": 0, "vice_chair": 1}
    members = [
        MemberReading(
            person_id=member.person_id,
            name=name,
            role=member.role,
            read_at=read.get(member.person_id),
            delegate_id=member.delegate_id,
            delegate_read_at=read.get(member.delegate_id) if member.delegate_id else None,
        )
        for member, name in rows.all()
    ]
    members.sort(key=lambda m: order.get(m.role, 2))
    return meeting, members

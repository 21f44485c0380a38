"""What every consultation email says about its consultation, and which consultees an email
can reach (``notices`` decides who is told of what).

Consultees are written to as consultees: a person of the organisation (only while active), or
an external address with no account behind it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.clock import LONDON, closing_day
from services.domain.models.boards import Board
from services.domain.models.consultations import (
    DEEMED_AGREEMENT,
    Consultation,
    ConsultationResponse,
    Consultee,
)
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.meetings import Meeting
from services.domain.models.people import Person
from services.domain.notices.recipients import active_people_by_id

# What a position says, after "you": "you support the draft, with comments".
POSITION_WORDS = {
    "support": "support the draft",
    "support_with_comments": "support the draft, with comments",
    "object": "object to the draft",
    "no_view": "have no view on the draft",
    # Birmingham: no response by the deadline counts as agreement.
    DEEMED_AGREEMENT: "are taken to agree with the draft",
}


async def consultation_and_document(
    session: AsyncSession, consultation_id: uuid.UUID
) -> tuple[Consultation, Document] | None:
    consultation = await session.get(Consultation, consultation_id)
    if consultation is None:
        return None
    document = await session.get(Document, consultation.document_id)
    return (consultation, document) if document is not None else None


async def reachable(
    session: AsyncSession, consultation: Consultation, consultees: Sequence[Consultee]
) -> list[tuple[Consultee, Person | None]]:
    """The consultees an email can go to, with their person: people only while active;
    external consultees always (they have no person)."""
    people = await active_people_by_id(
        session, consultation.organisation_id, (c.person_id for c in consultees)
    )
    found: list[tuple[Consultee, Person | None]] = []
    for consultee in consultees:
        if consultee.kind == "external":
            found.append((consultee, None))
        elif consultee.person_id in people:
            found.append((consultee, people[consultee.person_id]))
    return found


async def responses_by_consultee(
    session: AsyncSession, consultation: Consultation
) -> dict[uuid.UUID, ConsultationResponse]:
    rows = await session.execute(
        select(ConsultationResponse).where(ConsultationResponse.consultation_id == consultation.id)
    )
    return {r.consultee_id: r for r in rows.scalars()}


async def about_consultation(session: AsyncSession, consultation: Consultation) -> dict[str, Any]:
    """What every consultation email says about the consultation."""
    version = await session.get(DocumentVersion, consultation.version_id)
    opener = (
        await session.get(Person, consultation.opened_by_id) if consultation.opened_by_id else None
    )
    closes_at = consultation.closes_at
    return {
        "consultation_id": str(consultation.id),
        "consultation_title": consultation.title,
        "consultation_kind": consultation.kind,
        "version": version.number if version else None,
        "closes_at": closes_at.isoformat(),
        # The London day responses are due by; a close at midnight reads "by the end of" it.
        "closing_day": closing_day(closes_at).isoformat(),
        "closes_end_of_day": closes_at.astimezone(LONDON).time() == time(0),
        "deemed_agreement": consultation.deemed_agreement,
        "opened_by_name": opener.name if opener else None,
    }


async def invitation(session: AsyncSession, consultation: Consultation) -> dict[str, Any]:
    """The invitation's context (and the reminder's) before the consultee's own keys."""
    meeting = (
        await session.get(Meeting, consultation.meeting_id) if consultation.meeting_id else None
    )
    board = await session.get(Board, meeting.board_id) if meeting else None
    return {
        **await about_consultation(session, consultation),
        "description": consultation.description,
        "questions_count": len(consultation.questions),
        "meeting_board_name": board.name if board else None,
        "meeting_starts_at": meeting.starts_at.isoformat() if meeting else None,
    }


def as_consultee(consultee: Consultee, *, with_link: bool = False) -> dict[str, Any]:
    """The consultee's keys; with the link version an invitation or reminder's link is for."""
    is_external = consultee.kind == "external"
    keys: dict[str, Any] = {
        "consultee_id": str(consultee.id),
        "is_external": is_external,
        "represents": consultee.represents,
    }
    if is_external and with_link:
        keys["link_version"] = consultee.link_version
    return keys


def may_invite(consultee: Consultee) -> bool:
    # A link revoked before the invitation went out: the author withdrew it on purpose.
    return consultee.invited_at is not None and consultee.link_revoked_at is None


def days_left(closes_at: datetime, now: datetime) -> int:
    """London days from today to the closing day: 0 is today, 1 tomorrow."""
    return (closing_day(closes_at) - now.astimezone(LONDON).date()).days

"""The escalation notices of the review schedule: each organisation's ladder
(governance/ladders.py), the people its rungs name for a document, and which rung is sent.

One rung is sent per document and due date at a time: the highest reached that has someone
active to tell. A sweep that finds several rungs reached at once (a document imported months
overdue, a ladder set today, a notifier down for days) sends the highest only, naming the rungs
passed, rather than a burst of emails about a stage already gone by; a lower rung is never sent
after a higher one. Each rung goes once per document, due date, offset and person (its dedupe
key): a review date moved later starts again, and a rung whose offset and person are unchanged
by a new ladder is not sent twice.

The default ladder (none set) keeps the one escalation the schedule always sent: kind
``review.escalated``, its dedupe key and its context, to the organisation's escalation contact.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.boards.meetings import next_meeting
from services.domain.clock import LONDON, london_day
from services.domain.documents.service import acting_responsible_officer_id
from services.domain.governance import ladders
from services.domain.governance.ladders import (
    BoardRecipient,
    DocumentRoleRecipient,
    EscalationContactRecipient,
    Ladder,
    PersonRecipient,
    PostRecipient,
    Rung,
)
from services.domain.governance.posts import holder_of
from services.domain.models.boards import Board, BoardMember
from services.domain.models.documents import Document
from services.domain.models.organisations import Organisation
from services.domain.organisations.words import OrganisationWords, words_of


@dataclass(frozen=True)
class Told:
    """One person a rung names, and as what (``the head of service for Children's Services``)."""

    person_id: uuid.UUID
    told_as: str
    board: str | None = None
    next_meeting_on: date | None = None


@dataclass(frozen=True)
class ReachedRung:
    number: int  # from 1
    rung: Rung
    told: list[Told]


@dataclass
class LadderBook:
    """Each organisation's ladder, escalation contact and words, and what rungs resolve to,
    read once per sweep (a post holder per service area, a board's people)."""

    session: AsyncSession
    escalation_months: int
    today: date
    _organisations: dict[uuid.UUID, tuple[Ladder, bool, uuid.UUID | None, OrganisationWords]] = (
        field(default_factory=dict)
    )
    _posts: dict[tuple[uuid.UUID, str, str], uuid.UUID | None] = field(default_factory=dict)
    _boards: dict[uuid.UUID, tuple[str, list[tuple[uuid.UUID, str]], date | None]] = field(
        default_factory=dict
    )

    async def load(self, organisation_ids: set[uuid.UUID]) -> None:
        """Read the organisations' ladders in one query."""
        if not organisation_ids:
            return
        rows = await self.session.execute(
            select(Organisation).where(Organisation.id.in_(organisation_ids))
        )
        for organisation in rows.scalars():
            ladder = ladders.ladder_of(organisation.escalation_ladder, self.escalation_months)
            self._organisations[organisation.id] = (
                ladder,
                organisation.escalation_ladder is None,
                organisation.escalation_contact_id,
                words_of(organisation),
            )

    def ladder(self, organisation_id: uuid.UUID) -> tuple[Ladder, bool]:
        ladder, is_default, _, _ = self._organisations[organisation_id]
        return ladder, is_default

    async def reached(self, document: Document, due: date) -> list[ReachedRung]:
        """The rungs the document's review has reached today, highest first, with their
        people (active or not)."""
        ladder, _ = self.ladder(document.organisation_id)
        count = ladders.rungs_reached(ladder, due, self.today)
        return [
            ReachedRung(number, rung, await self._told(document, rung))
            for number, rung in reversed(list(enumerate(ladder.rungs[:count], start=1)))
        ]

    async def _told(self, document: Document, rung: Rung) -> list[Told]:
        _, _, contact, words = self._organisations[document.organisation_id]
        notify = rung.notify
        if isinstance(notify, EscalationContactRecipient):
            return [Told(contact, f"the {words.escalation_contact}")] if contact else []
        if isinstance(notify, PersonRecipient):
            return [Told(notify.person_id, "the person the escalation ladder names for this step")]
        if isinstance(notify, DocumentRoleRecipient):
            holder = (
                acting_responsible_officer_id(document)
                if notify.role == "responsible_officer"
                else getattr(document, f"{notify.role}_id")
            )
            title = words.title_of(notify.role)
            return [Told(holder, f"its {title}")] if holder else []
        if isinstance(notify, PostRecipient):
            holder = await self._holder(document, notify.post)
            area = f" for {document.service_area}" if document.service_area else ""
            return [Told(holder, f"the {notify.post.replace('_', ' ')}{area}")] if holder else []
        assert isinstance(notify, BoardRecipient)
        return await self._board_people(notify)

    async def _holder(self, document: Document, post: str) -> uuid.UUID | None:
        key = (document.organisation_id, post, (document.service_area or "").lower())
        if key not in self._posts:
            self._posts[key] = await holder_of(
                self.session, document.organisation_id, post, document.service_area
            )
        return self._posts[key]

    async def _board_people(self, notify: BoardRecipient) -> list[Told]:
        if notify.board_id not in self._boards:
            self._boards[notify.board_id] = await self._read_board(notify.board_id)
        name, people, meeting_on = self._boards[notify.board_id]
        capacity = {"chair": f"chair of {name}", "escalation_person": f"escalation lead for {name}"}
        told: dict[uuid.UUID, list[str]] = {}
        for person_id, role in people:
            if role in notify.tell:
                told.setdefault(person_id, []).append(capacity[role])
        return [
            Told(person_id, " and ".join(roles), board=name, next_meeting_on=meeting_on)
            for person_id, roles in told.items()
        ]

    async def _read_board(
        self, board_id: uuid.UUID
    ) -> tuple[str, list[tuple[uuid.UUID, str]], date | None]:
        board = await self.session.get(Board, board_id)
        if board is None or not board.is_active:
            return "", [], None
        chairs = await self.session.execute(
            select(BoardMember.person_id).where(
                BoardMember.board_id == board_id,
                BoardMember.role == "chair",
            )
        )
        people = [(person_id, "chair") for person_id in chairs.scalars()]
        if board.escalation_person_id is not None:
            people.append((board.escalation_person_id, "escalation_person"))
        # From the start of today in London: a meeting later today is still to come.
        start = datetime.combine(self.today, time(), tzinfo=LONDON)
        meeting = await next_meeting(self.session, board_id, start)
        return board.name, people, london_day(meeting.starts_at) if meeting else None


def chosen_rung(reached: list[ReachedRung], active: set[uuid.UUID]) -> ReachedRung | None:
    """The highest rung reached with someone active to tell (``reached`` is highest first)."""
    for found in reached:
        if any(told.person_id in active for told in found.told):
            return found
    return None


def escalation_key(
    document_id: uuid.UUID, due: date, found: ReachedRung, is_default: bool, person_id: uuid.UUID
) -> str:
    """The default ladder keeps the key the one escalation always had."""
    if is_default:
        return f"review:{document_id}:{due.isoformat()}:escalated:{person_id}"
    return f"review:{document_id}:{due.isoformat()}:escalated:{found.rung.after.code}:{person_id}"


def escalation_context(
    found: ReachedRung, told: Told, ladder: Ladder, is_default: bool
) -> dict[str, Any]:
    """What the email says of the rung (the default ladder: only the months, as always)."""
    if is_default:
        return {"months": found.rung.after.amount}
    return {
        "months": None,
        "rung": found.number,
        "rungs": len(ladder.rungs),
        "after_words": found.rung.after.words,
        "told_as": told.told_as,
        "board_name": told.board,
        "next_meeting_on": told.next_meeting_on.isoformat() if told.next_meeting_on else None,
    }

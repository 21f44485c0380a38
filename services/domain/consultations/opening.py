"""Opening a consultation: its audience, its response form, when it opens and closes.

A consultation opens now, or at a later time (Birmingham: the board's rule for when drafts go
to the meeting's attendees), when the notifier's sweep opens it (``lifecycle.open_due``).
Boards in the audience are expanded to their members at the opening. External consultees'
links are revoked or sent again here too.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import service as audit
from services.domain.authz import consultations as authz
from services.domain.authz.principal import Principal
from services.domain.boards.meetings import meeting_day
from services.domain.boards.service import deadlines_for, members_of, offset, working_calendar
from services.domain.calendar.working_days import NonWorkingDayRule, Offset
from services.domain.clock import london_day, utcnow
from services.domain.consultations import closing
from services.domain.consultations.service import (
    consultee_of,
    consultees_of,
    document_of,
)
from services.domain.db import new_id
from services.domain.documents.named import document_and_version
from services.domain.errors import Conflict, DomainError, Invalid
from services.domain.models.boards import Board
from services.domain.models.consultations import (
    KINDS,
    TITLE_LENGTH,
    Consultation,
    Consultee,
)
from services.domain.models.documents import Document
from services.domain.models.meetings import Meeting
from services.domain.models.people import Person
from services.domain.outbox.service import emit
from services.domain.routes.definition import RouteDefinition
from services.domain.routes.service import choose_route
from services.domain.text import STORED

QUESTION_KINDS = ("text", "yes_no", "choice")
MAX_REMINDERS = 5


@dataclass(frozen=True)
class External:
    """An external consultee: no account, email only."""

    name: str
    email: str
    represents: str = ""


@dataclass(frozen=True)
class Audience:
    people: Sequence[uuid.UUID] = ()
    boards: Sequence[uuid.UUID] = ()
    external: Sequence[External] = ()

    def is_empty(self) -> bool:
        return not (self.people or self.boards or self.external)


# --- checking what is asked ------------------------------------------------------------------


def check_questions(questions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The response form, checked: unique keys, known kinds, options for a choice."""
    checked: list[dict[str, Any]] = []
    keys: set[str] = set()
    for question in questions:
        key = question["key"]
        if key in keys:
            raise Invalid(f"The question key {key!r} is used twice.", field="questions")
        keys.add(key)
        kind = question.get("kind", "text")
        if kind not in QUESTION_KINDS:
            raise Invalid(
                f"A question's kind is one of: {', '.join(QUESTION_KINDS)}.", field="questions"
            )
        options = list(dict.fromkeys(question.get("options") or []))
        if kind == "choice" and len(options) < 2:
            raise Invalid(f"The choice question {key!r} needs two options or more.")
        if kind != "choice" and options:
            raise Invalid(f"Only a choice question has options ({key!r} is {kind}).")
        checked.append(
            {
                "key": key,
                "text": question["text"],
                "kind": kind,
                "options": options,
                "required": bool(question.get("required", False)),
            }
        )
    return checked


def check_reminders(days: Sequence[int]) -> list[int]:
    found = sorted(set(days), reverse=True)
    if len(found) > MAX_REMINDERS or any(d < 1 or d > 365 for d in found):
        raise Invalid(
            f"Give at most {MAX_REMINDERS} reminder lead times, each 1 to 365 days.",
            field="reminder_days",
        )
    return found


async def meeting_named(
    session: AsyncSession, organisation_id: uuid.UUID, meeting_id: uuid.UUID
) -> tuple[Meeting, Board]:
    meeting = await session.get(Meeting, meeting_id)
    board = await session.get(Board, meeting.board_id) if meeting else None
    if meeting is None or board is None or board.organisation_id != organisation_id:
        raise Invalid("No such meeting.", field="meeting_id")
    if meeting.status != "scheduled":
        raise Invalid(f"That meeting is {meeting.status}.", field="meeting_id")
    return meeting, board


def _default_title(document: Document) -> str:
    """The document's reference and title, shortened to fit the title column (a reference of
    40 and a title of 300 would not)."""
    title = f"{document.reference} {document.title}"
    if len(title) <= TITLE_LENGTH:
        return title
    return title[: TITLE_LENGTH - 1].rstrip() + "…"


async def _default_deemed_agreement(session: AsyncSession, document: Document) -> bool:
    """What the document's governance route says about silence (Birmingham: agreement)."""
    try:
        _, version = await choose_route(session, document, None)
    except DomainError:
        return False
    return RouteDefinition.model_validate(version.definition, context=STORED).deemed_agreement


async def closing_time(
    session: AsyncSession,
    *,
    organisation_id: uuid.UUID,
    kind: str,
    opens_at: datetime,
    closes_at: datetime | None,
    closes_on: Any,
    rule: closing.ClosingRule | None,
    meeting: tuple[Meeting, Board] | None,
) -> tuple[datetime, dict[str, Any] | None]:
    given = [x for x in (closes_at, closes_on, rule) if x is not None]
    if len(given) > 1:
        raise Invalid("Give one of closes_at, closes_on or closing_rule.", field="closing_rule")
    calendar = await working_calendar(session, organisation_id)
    if closes_at is not None:
        return closes_at, None
    if closes_on is not None:
        if not calendar.is_working_day(closes_on):
            raise Invalid(
                f"{closes_on:%A %d %B %Y} is not a working day: choose a working day, or give "
                "closes_at for an exact moment.",
                field="closes_on",
            )
        return closing.end_of_day(closes_on), None
    if rule is None:
        rule = closing.ClosingRule(**closing.DEFAULT_RULES[kind])  # type: ignore[arg-type]
    if rule.relative_to == "meeting":
        if meeting is None:
            raise Invalid(
                "A closing rule relative to a meeting needs meeting_id.", field="meeting_id"
            )
        found, board = meeting
        moves: NonWorkingDayRule = "later" if board.non_working_day_rule == "later" else "earlier"
        if rule.amount is None:
            board_rule = offset(board.deadline_rules.get("consultation_responses"))
            if board_rule is None:
                raise Invalid(
                    f"{board.name} has no rule for consultation responses: give the closing "
                    "rule's amount and unit, or a closing date.",
                    field="closing_rule",
                )
            day = closing.closing_day_before(meeting_day(found), board_rule, calendar, moves)
        elif rule.unit == "months":
            day = closing.months_before(meeting_day(found), rule.amount, calendar, moves)
        else:
            assert rule.unit is not None
            day = closing.closing_day_before(
                meeting_day(found), Offset(rule.amount, rule.unit), calendar, moves
            )
    else:
        if rule.amount is None or rule.unit is None:
            raise Invalid("A closing rule relative to the opening needs amount and unit.")
        day = closing.closing_day_after(london_day(opens_at), rule, calendar)
    as_json = {"relative_to": rule.relative_to, "amount": rule.amount, "unit": rule.unit}
    return closing.end_of_day(day), as_json


async def _opens_at(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    opens_at: datetime | None,
    meeting: tuple[Meeting, Board] | None,
    now: datetime,
) -> datetime:
    """Now, unless a later opening is given or (Birmingham) the board's rule says when."""
    if opens_at is not None:
        return max(opens_at, now)
    if meeting is not None:
        found, board = meeting
        calendar = await working_calendar(session, organisation_id)
        day = deadlines_for(board, meeting_day(found), calendar).consultation_opens
        if day is not None:
            return max(closing.start_of_working_morning(day), now)
    return now


# --- opening ---------------------------------------------------------------------------------


async def open_consultation(
    session: AsyncSession,
    principal: Principal,
    *,
    document_id: uuid.UUID,
    version_id: uuid.UUID,
    kind: str,
    audience: Audience,
    default_reminder_days: Sequence[int],
    title: str | None = None,
    description: str = "",
    questions: Sequence[Mapping[str, Any]] = (),
    meeting_id: uuid.UUID | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    closes_on: Any = None,
    closing_rule: closing.ClosingRule | None = None,
    deemed_agreement: bool | None = None,
    reminder_days: Sequence[int] | None = None,
) -> Consultation:
    """Put a draft out for comment: now, or at a later opening (then the sweep opens it)."""
    document, version = await document_and_version(
        session, principal, document_id, version_id, lambda d: authz.check_run(principal, d)
    )
    if version.is_issued:
        raise Invalid(
            f"Version {version.number} is issued: consult on a draft.", field="version_id"
        )
    if kind not in KINDS:
        raise Invalid(f"The kind is one of: {', '.join(KINDS)}.", field="kind")
    if audience.is_empty():
        raise Invalid("Name people, boards or external consultees to consult.", field="audience")
    meeting = (
        await meeting_named(session, document.organisation_id, meeting_id) if meeting_id else None
    )
    if kind == "pre_meeting" and meeting is None:
        raise Invalid("A pre-meeting circulation names its meeting.", field="meeting_id")
    now = utcnow()
    opening = await _opens_at(session, document.organisation_id, opens_at, meeting, now)
    closes, rule = await closing_time(
        session,
        organisation_id=document.organisation_id,
        kind=kind,
        opens_at=opening,
        closes_at=closes_at,
        closes_on=closes_on,
        rule=closing_rule,
        meeting=meeting,
    )
    if closes <= opening:
        raise Invalid(
            f"It would close ({closes.isoformat()}) before it opens ({opening.isoformat()}).",
            field="closes_at",
        )
    consultation = Consultation(
        id=new_id(),
        organisation_id=document.organisation_id,
        document_id=document.id,
        version_id=version.id,
        kind=kind,
        title=title or _default_title(document),
        description=description,
        status="scheduled",
        meeting_id=meeting[0].id if meeting else None,
        opens_at=opening,
        closes_at=closes,
        closing_rule=rule,
        deemed_agreement=(
            await _default_deemed_agreement(session, document)
            if deemed_agreement is None
            else deemed_agreement
        ),
        reminder_days=check_reminders(
            default_reminder_days if reminder_days is None else reminder_days
        ),
        board_ids=[],
        questions=check_questions(questions),
        opened_by_id=principal.person_id,
    )
    session.add(consultation)
    await session.flush()
    await _add_audience(session, consultation, audience, now)
    await audit.record(
        session,
        principal,
        organisation_id=consultation.organisation_id,
        action="consultation.created",
        entity_type="consultation",
        entity_id=consultation.id,
        after=audit.snapshot(consultation),
    )
    if opening <= now:
        await open_now(session, principal, consultation, document, now)
    return consultation


async def _add_audience(
    session: AsyncSession, consultation: Consultation, audience: Audience, now: datetime
) -> list[Consultee]:
    """Add people and external consultees now; boards now if open, else when it opens."""
    added: list[Consultee] = []
    for person_id in dict.fromkeys(audience.people):
        person = await session.get(Person, person_id)
        if person is None or person.organisation_id != consultation.organisation_id:
            raise Invalid("No such person in this organisation.", field="audience.people")
        if not person.is_active:
            raise Invalid(f"{person.name} is no longer active.", field="audience.people")
        found = await _add_person(session, consultation, person, None, now)
        if found:
            added.append(found)
    emails = {
        c.email.lower() for c in await consultees_of(session, consultation) if c.kind == "external"
    }
    for external in audience.external:
        if external.email.lower() in emails:
            continue
        emails.add(external.email.lower())
        consultee = Consultee(
            id=new_id(),
            organisation_id=consultation.organisation_id,
            consultation_id=consultation.id,
            kind="external",
            name=external.name,
            email=external.email,
            represents=external.represents,
            added_at=now,
            invited_at=now if consultation.status == "open" else None,
        )
        session.add(consultee)
        added.append(consultee)
    boards = []
    for board_id in dict.fromkeys(audience.boards):
        board = await session.get(Board, board_id)
        if board is None or board.organisation_id != consultation.organisation_id:
            raise Invalid("No such board.", field="audience.boards")
        if not board.is_active:
            raise Invalid(f"{board.name} no longer meets.", field="audience.boards")
        boards.append(board)
    known = list(consultation.board_ids)
    consultation.board_ids = known + [str(b.id) for b in boards if str(b.id) not in known]
    if consultation.status == "open":
        added += await _expand_boards(session, consultation, [b.id for b in boards], now)
    await session.flush()
    return added


async def _add_person(
    session: AsyncSession,
    consultation: Consultation,
    person: Person,
    via_board_id: uuid.UUID | None,
    now: datetime,
) -> Consultee | None:
    """Add a person once (asked by name and through a board is one consultee)."""
    if await consultee_of(session, consultation, person.id) is not None:
        return None
    consultee = Consultee(
        id=new_id(),
        organisation_id=consultation.organisation_id,
        consultation_id=consultation.id,
        kind="person",
        person_id=person.id,
        name=person.name,
        email=person.email,
        via_board_id=via_board_id,
        added_at=now,
        invited_at=now if consultation.status == "open" else None,
    )
    session.add(consultee)
    await session.flush()
    return consultee


async def _expand_boards(
    session: AsyncSession,
    consultation: Consultation,
    board_ids: Sequence[uuid.UUID],
    now: datetime,
) -> list[Consultee]:
    """The boards' members as they are now (Birmingham: the meeting's attendees)."""
    added = []
    for member in await members_of(session, board_ids):
        person = await session.get(Person, member.person_id)
        if person is None or not person.is_active:
            continue
        found = await _add_person(session, consultation, person, member.board_id, now)
        if found:
            added.append(found)
    return added


async def open_now(
    session: AsyncSession,
    principal: Principal | None,
    consultation: Consultation,
    document: Document,
    now: datetime,
) -> None:
    before = audit.snapshot(consultation)
    consultation.status = "open"
    consultation.opened_at = now
    await _expand_boards(session, consultation, [uuid.UUID(b) for b in consultation.board_ids], now)
    for consultee in await consultees_of(session, consultation):
        if consultee.invited_at is None:
            consultee.invited_at = now
    if document.status == "draft":
        document.status = "in_consultation"
    await session.flush()
    await audit.record(
        session,
        principal,
        organisation_id=consultation.organisation_id,
        action="consultation.opened",
        entity_type="consultation",
        entity_id=consultation.id,
        before=before,
        after=audit.snapshot(consultation),
    )
    await emit(
        session,
        events.ConsultationOpened(
            organisation_id=consultation.organisation_id,
            consultation_id=consultation.id,
            document_id=consultation.document_id,
            version_id=consultation.version_id,
            closes_at=consultation.closes_at,
        ),
    )


async def add_consultees(
    session: AsyncSession, principal: Principal, consultation: Consultation, audience: Audience
) -> list[Consultee]:
    """Widen the audience of a consultation not yet closed; new consultees are invited."""
    authz.check_run(principal, await document_of(session, consultation))
    if consultation.status not in ("scheduled", "open"):
        raise Conflict(f"This consultation is {consultation.status}.")
    if audience.is_empty():
        raise Invalid("Name people, boards or external consultees to add.", field="audience")
    added = await _add_audience(session, consultation, audience, utcnow())
    for consultee in added:
        await audit.record(
            session,
            principal,
            organisation_id=consultation.organisation_id,
            action="consultation.consultee_added",
            entity_type="consultation",
            entity_id=consultation.id,
            after={"consultee_id": str(consultee.id), "name": consultee.name},
        )
    if added and consultation.status == "open":
        await _invite(session, consultation, added)
    return added


async def _invite(
    session: AsyncSession, consultation: Consultation, consultees: Sequence[Consultee]
) -> None:
    await emit(
        session,
        events.ConsultationConsulteesAdded(
            organisation_id=consultation.organisation_id,
            consultation_id=consultation.id,
            document_id=consultation.document_id,
            consultee_ids=[c.id for c in consultees],
        ),
    )


async def revoke_link(
    session: AsyncSession, principal: Principal, consultation: Consultation, consultee: Consultee
) -> Consultee:
    """Withdraw an external consultee's link: it opens nothing from now on."""
    authz.check_run(principal, await document_of(session, consultation))
    if consultee.kind != "external":
        raise Invalid("Only external consultees have links; people sign in.")
    consultee.link_version += 1
    consultee.link_revoked_at = utcnow()
    await session.flush()
    await _link_audit(session, principal, consultation, consultee, "consultation.link_revoked")
    return consultee


async def send_link(
    session: AsyncSession, principal: Principal, consultation: Consultation, consultee: Consultee
) -> Consultee:
    """Send an external consultee a new link (any earlier one stops working)."""
    authz.check_run(principal, await document_of(session, consultation))
    if consultee.kind != "external":
        raise Invalid("Only external consultees have links; people sign in.")
    if consultation.status != "open":
        raise Conflict(
            f"Links are sent while a consultation is open; this one is {consultation.status}."
        )
    consultee.link_version += 1
    consultee.link_revoked_at = None
    consultee.invited_at = utcnow()
    await session.flush()
    await _link_audit(session, principal, consultation, consultee, "consultation.link_sent")
    await _invite(session, consultation, [consultee])
    return consultee


async def _link_audit(
    session: AsyncSession,
    principal: Principal,
    consultation: Consultation,
    consultee: Consultee,
    action: str,
) -> None:
    await audit.record(
        session,
        principal,
        organisation_id=consultation.organisation_id,
        action=action,
        entity_type="consultation",
        entity_id=consultation.id,
        after={"consultee_id": str(consultee.id), "link_version": consultee.link_version},
    )

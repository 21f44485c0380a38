"""Opening a consultation: its response form, when it opens and closes.

A consultation opens now, or at a later time (Birmingham: the board's rule for when drafts go
to the meeting's attendees), when the notifier's sweep opens it (``lifecycle.open_due``).
Boards in the audience are expanded to their members at the opening (``audience``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import consultations as authz
from services.domain.authz.principal import Principal
from services.domain.boards.meetings import meeting_day
from services.domain.boards.service import deadlines_for, offset, working_calendar
from services.domain.calendar.working_days import NonWorkingDayRule, Offset
from services.domain.clock import london_day, utcnow
from services.domain.consultations import closing
from services.domain.consultations.audience import add_audience, expand_boards
from services.domain.consultations.commands import NewConsultation, Question
from services.domain.consultations.service import consultees_of
from services.domain.db import new_id
from services.domain.documents.named import document_and_version
from services.domain.errors import DomainError, Invalid
from services.domain.governance.definition import RouteDefinition
from services.domain.governance.service import choose_route
from services.domain.models.boards import Board
from services.domain.models.consultations import (
    KINDS,
    TITLE_LENGTH,
    Consultation,
    ConsultationStatus,
)
from services.domain.models.documents import Document, DocumentStatus
from services.domain.models.meetings import Meeting, MeetingStatus
from services.domain.outbox.service import emit
from services.domain.text import STORED

QUESTION_KINDS = ("text", "yes_no", "choice")
MAX_REMINDERS = 5


# --- checking what is asked ------------------------------------------------------------------


def check_questions(questions: Sequence[Question]) -> list[dict[str, Any]]:
    """The response form, checked: unique keys, known kinds, options for a choice (as the
    consultation stores it)."""
    checked: list[dict[str, Any]] = []
    keys: set[str] = set()
    for question in questions:
        key = question.key
        if key in keys:
            raise Invalid(f"The question key {key!r} is used twice.", field="questions")
        keys.add(key)
        kind = question.kind
        if kind not in QUESTION_KINDS:
            raise Invalid(
                f"A question's kind is one of: {', '.join(QUESTION_KINDS)}.", field="questions"
            )
        options = list(dict.fromkeys(question.options or []))
        if kind == "choice" and len(options) < 2:
            raise Invalid(f"The choice question {key!r} needs two options or more.")
        if kind != "choice" and options:
            raise Invalid(f"Only a choice question has options ({key!r} is {kind}).")
        checked.append(
            {
                "key": key,
                "text": question.text,
                "kind": kind,
                "options": options,
                "required": bool(question.required),
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
    if meeting.status != MeetingStatus.SCHEDULED:
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
    closes_on: date | None,
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
    command: NewConsultation,
    *,
    default_reminder_days: Sequence[int],
) -> Consultation:
    """Put a draft out for comment: now, or at a later opening (then the sweep opens it)."""
    document, version = await document_and_version(
        session,
        principal,
        command.document_id,
        command.version_id,
        lambda d: authz.check_run(principal, d),
    )
    if version.is_issued:
        raise Invalid(
            f"Version {version.number} is issued: consult on a draft.", field="version_id"
        )
    if command.kind not in KINDS:
        raise Invalid(f"The kind is one of: {', '.join(KINDS)}.", field="kind")
    if command.audience.is_empty():
        raise Invalid("Name people, boards or external consultees to consult.", field="audience")
    now = utcnow()
    meeting, opening, closes, rule = await _timing(session, document, command, now)
    consultation = Consultation(
        id=new_id(),
        organisation_id=document.organisation_id,
        document_id=document.id,
        version_id=version.id,
        kind=command.kind,
        title=command.title or _default_title(document),
        description=command.description,
        status=ConsultationStatus.SCHEDULED,
        meeting_id=meeting[0].id if meeting else None,
        opens_at=opening,
        closes_at=closes,
        closing_rule=rule,
        deemed_agreement=(
            await _default_deemed_agreement(session, document)
            if command.deemed_agreement is None
            else command.deemed_agreement
        ),
        reminder_days=check_reminders(
            default_reminder_days if command.reminder_days is None else command.reminder_days
        ),
        board_ids=[],
        questions=check_questions(command.questions),
        opened_by_id=principal.person_id,
    )
    session.add(consultation)
    await session.flush()
    await add_audience(session, consultation, command.audience, now)
    await audit_changes.record_change(session, principal, consultation, "consultation.created")
    if opening <= now:
        await open_now(session, principal, consultation, document, now)
    return consultation


async def _timing(
    session: AsyncSession, document: Document, command: NewConsultation, now: datetime
) -> tuple[tuple[Meeting, Board] | None, datetime, datetime, dict[str, Any] | None]:
    """The meeting it is timed to, when it opens, when it closes and by which rule."""
    meeting = (
        await meeting_named(session, document.organisation_id, command.meeting_id)
        if command.meeting_id
        else None
    )
    if command.kind == "pre_meeting" and meeting is None:
        raise Invalid("A pre-meeting circulation names its meeting.", field="meeting_id")
    opening = await _opens_at(session, document.organisation_id, command.opens_at, meeting, now)
    closes, rule = await closing_time(
        session,
        organisation_id=document.organisation_id,
        kind=command.kind,
        opens_at=opening,
        closes_at=command.closes_at,
        closes_on=command.closes_on,
        rule=command.closing_rule,
        meeting=meeting,
    )
    if closes <= opening:
        raise Invalid(
            f"It would close ({closes.isoformat()}) before it opens ({opening.isoformat()}).",
            field="closes_at",
        )
    return meeting, opening, closes, rule


async def open_now(
    session: AsyncSession,
    principal: Principal | None,
    consultation: Consultation,
    document: Document,
    now: datetime,
) -> None:
    before = audit.snapshot(consultation)
    consultation.status = ConsultationStatus.OPEN
    consultation.opened_at = now
    await expand_boards(session, consultation, [uuid.UUID(b) for b in consultation.board_ids], now)
    for consultee in await consultees_of(session, consultation):
        if consultee.invited_at is None:
            consultee.invited_at = now
    if document.status == DocumentStatus.DRAFT:
        document.status = DocumentStatus.IN_CONSULTATION
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        consultation,
        "consultation.opened",
        before=before,
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

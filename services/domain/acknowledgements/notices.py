"""Who is told about read and acknowledge, and what their email says; the reminders and the
escalation the notifier's sweep plans.

- ``acknowledgement.requested``: each person asked and still pending, with their own signed
  link (the notifier signs it when writing: ``acknowledge_url``); void once they confirmed or
  the ask ended.
- ``acknowledgement.reminder``: at each of the organisation's ``acknowledgement_reminder_days``
  (working days before the due date), each step once per person, to those still pending.
- ``acknowledgement.escalated``: once, ``acknowledgement_escalation_working_days`` after the
  due date, to the document's owner (else its responsible officer, else the organisation's
  escalation contact), naming who has not confirmed.

Context keys (besides those every email has): ``version``, ``due_on`` (ISO date); a person's
``message`` and ``acknowledgement_id`` (the link is made from it, never stored); a reminder's
``reminder_days``; the escalation's ``asked``, ``pending``, ``pending_names`` (at most 50) and
``more_pending``.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.acknowledgements import rules
from services.domain.acknowledgements.counts import request_counts
from services.domain.boards.service import working_calendar
from services.domain.clock import utcnow
from services.domain.models.acknowledgements import (
    Acknowledgement,
    AcknowledgementRequest,
    AcknowledgementRequestStatus,
    AcknowledgementStatus,
)
from services.domain.models.documents import Document, acting_responsible_officer_id
from services.domain.models.organisations import Organisation
from services.domain.models.people import Person
from services.domain.notices.notice import Handler, Notice, Reminder
from services.domain.notices.recipients import active_people
from services.domain.outbox.service import emit
from services.domain.sweeps import each_in_savepoint

REQUESTED = "acknowledgement.requested"
REMINDER = "acknowledgement.reminder"
ESCALATED = "acknowledgement.escalated"
NAMES_LISTED = 50
PENDING = AcknowledgementStatus.PENDING
OPEN = AcknowledgementRequestStatus.OPEN


async def still_applies(session: AsyncSession, kind: str, context: dict[str, Any]) -> bool:
    """A request or reminder is void once the person confirmed or the ask ended; the
    escalation reports what was so and stays true."""
    if kind == ESCALATED:
        return True
    found = await session.get(Acknowledgement, uuid.UUID(context["acknowledgement_id"]))
    return found is not None and found.status == PENDING


def _about(request: AcknowledgementRequest) -> dict[str, Any]:
    return {"version": request.version_number, "due_on": request.due_on.isoformat()}


async def _pending(
    session: AsyncSession, request_id: uuid.UUID
) -> list[tuple[Acknowledgement, Person]]:
    rows = await session.execute(
        select(Acknowledgement, Person)
        .join(Person, Person.id == Acknowledgement.person_id)
        .where(
            Acknowledgement.request_id == request_id,
            Acknowledgement.status == PENDING,
            Person.is_active.is_(True),
        )
        .order_by(Person.name, Acknowledgement.id)
    )
    return [(a, p) for a, p in rows.all()]


async def _requested(session: AsyncSession, event: events.AcknowledgementRequested) -> list[Notice]:
    request = await session.get(AcknowledgementRequest, event.request_id)
    document = await session.get(Document, event.document_id)
    if request is None or document is None or request.status != OPEN:
        return []
    context = {**_about(request), "message": request.message}
    return [
        Notice(REQUESTED, person, {**context, "acknowledgement_id": str(row.id)}, document)
        for row, person in await _pending(session, request.id)
    ]


async def _escalated(session: AsyncSession, event: events.AcknowledgementEscalated) -> list[Notice]:
    request = await session.get(AcknowledgementRequest, event.request_id)
    document = await session.get(Document, event.document_id)
    if request is None or document is None:
        return []
    org = await session.get(Organisation, document.organisation_id)
    assert org is not None
    pending = await _pending(session, request.id)
    asked, _ = await request_counts(session, request.id)
    names = [
        f"{p.name}" + (f" ({row.service_area})" if row.service_area else "") for row, p in pending
    ]
    context = {
        **_about(request),
        "asked": asked,
        "pending": event.pending,
        "pending_names": names[:NAMES_LISTED],
        "more_pending": max(0, len(names) - NAMES_LISTED),
    }
    for candidate in (
        document.owner_id,
        acting_responsible_officer_id(document),
        org.escalation_contact_id,
    ):
        people = await active_people(session, document.organisation_id, [candidate])
        if people:
            return [Notice(ESCALATED, people[0], context, document)]
    return []


async def reminders_due(session: AsyncSession, today: date) -> list[Reminder]:
    """The reminders due ``today`` to those still pending on open asks, the nearest step of
    their organisation's ``acknowledgement_reminder_days`` reached, each step once per person
    (kept in ``reminders_sent``, and named in the key)."""
    rows = await session.execute(
        select(AcknowledgementRequest, Document)
        .join(Document, Document.id == AcknowledgementRequest.document_id)
        .where(AcknowledgementRequest.status == OPEN, AcknowledgementRequest.due_on >= today)
        .order_by(AcknowledgementRequest.due_on, AcknowledgementRequest.id)
    )
    due: list[Reminder] = []
    for request, document in rows.all():
        org = await session.get(Organisation, request.organisation_id)
        assert org is not None
        calendar = await working_calendar(session, org.id)
        step = rules.reminder_due(
            request.due_on, today, org.acknowledgement_reminder_days, calendar
        )
        if step is None:
            continue
        context = {**_about(request), "message": request.message, "reminder_days": step}
        for row, person in await _pending(session, request.id):
            if step in row.reminders_sent:
                continue
            row.reminders_sent = [*row.reminders_sent, step]
            row.last_reminded_at = utcnow()
            key = f"acknowledgement:{row.id}:reminder:{step}"
            notice = Notice(
                REMINDER, person, {**context, "acknowledgement_id": str(row.id)}, document
            )
            due.append(Reminder(request.organisation_id, key, notice))
    await session.flush()
    return due


async def escalate_due(session: AsyncSession, today: date) -> int:
    """Tell the owner of each open ask whose escalation day has come who has not confirmed,
    once per ask (``escalated_at``; rows locked and skipped if another sweep holds them);
    an ask everyone confirmed is marked and tells nobody. How many owners were told."""
    found = await session.execute(
        select(AcknowledgementRequest)
        .where(
            AcknowledgementRequest.status == OPEN,
            AcknowledgementRequest.escalated_at.is_(None),
            AcknowledgementRequest.due_on < today,
        )
        .order_by(AcknowledgementRequest.due_on, AcknowledgementRequest.id)
        .with_for_update(skip_locked=True)
    )

    async def escalate(request: AcknowledgementRequest) -> bool:
        org = await session.get(Organisation, request.organisation_id)
        assert org is not None
        calendar = await working_calendar(session, org.id)
        grace = org.acknowledgement_escalation_working_days
        if rules.escalation_day(request.due_on, grace, calendar) > today:
            return False
        now = utcnow()
        request.escalated_at = now
        pending = await _pending(session, request.id)
        for row, _ in pending:
            row.escalated_at = now
        await session.flush()
        if not pending:
            return False
        await emit(
            session,
            events.AcknowledgementEscalated(
                organisation_id=request.organisation_id,
                request_id=request.id,
                document_id=request.document_id,
                pending=len(pending),
            ),
        )
        return True

    told = await each_in_savepoint(session, found.scalars().all(), escalate, what="escalation")
    return sum(1 for t in told if t)


# The events whose notices this module decides (notifications/handlers.py).
HANDLERS: dict[type, Handler] = {
    events.AcknowledgementRequested: _requested,
    events.AcknowledgementEscalated: _escalated,
}

"""Changing, closing and cancelling consultations, and the sweep that opens and closes them.

``open_due`` and ``close_due`` run from the notifier's sweep every minute; each locks the rows
it takes (SKIP LOCKED), so two workers never open or close one consultation twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import consultations as authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.commands import UNSET
from services.domain.consultations.commands import ConsultationChange
from services.domain.consultations.opening import (
    check_questions,
    check_reminders,
    closing_time,
    open_now,
)
from services.domain.consultations.service import document_of
from services.domain.db import new_id
from services.domain.errors import Conflict, Invalid
from services.domain.models.consultations import (
    DEEMED_AGREEMENT,
    Consultation,
    ConsultationResponse,
    ConsultationStatus,
    Consultee,
)
from services.domain.models.documents import DocumentStatus
from services.domain.outbox.service import emit
from services.domain.sweeps import each_in_savepoint

# --- changing, closing, cancelling -----------------------------------------------------------


async def update_consultation(
    session: AsyncSession,
    principal: Principal,
    consultation: Consultation,
    change: ConsultationChange,
) -> Consultation:
    """Change the title, letter, reminders or closing time; the form only before it opens."""
    authz.check_run(principal, await document_of(session, consultation))
    if consultation.status not in (ConsultationStatus.SCHEDULED, ConsultationStatus.OPEN):
        raise Conflict(f"This consultation is {consultation.status}.")
    before = audit.snapshot(consultation)
    if change.questions is not UNSET:
        if consultation.status != ConsultationStatus.SCHEDULED:
            raise Conflict("The response form cannot change once consultees have it.")
        consultation.questions = check_questions(change.questions)
    if change.reminder_days is not UNSET:
        consultation.reminder_days = check_reminders(change.reminder_days)
    if change.title is not UNSET:
        consultation.title = change.title
    if change.description is not UNSET:
        consultation.description = change.description
    closes_at = None if change.closes_at is UNSET else change.closes_at
    closes_on = None if change.closes_on is UNSET else change.closes_on
    if closes_at is not None or closes_on is not None:
        # A closing time given outright needs no meeting: the one circulated for may since
        # have been cancelled, and the consultation extended for the next one.
        closes, rule = await closing_time(
            session,
            organisation_id=consultation.organisation_id,
            kind=consultation.kind,
            opens_at=consultation.opens_at,
            closes_at=closes_at,
            closes_on=closes_on,
            rule=None,
            meeting=None,
        )
        if closes <= max(utcnow(), consultation.opens_at):
            raise Invalid("The new closing time has passed: close it instead.", field="closes_at")
        consultation.closes_at, consultation.closing_rule = closes, rule
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        consultation,
        "consultation.updated",
        before=before,
    )
    return consultation


async def close_consultation(
    session: AsyncSession, principal: Principal, consultation: Consultation
) -> Consultation:
    """Close early. Silence is not deemed agreement then: nobody had the time promised."""
    authz.check_run(principal, await document_of(session, consultation))
    if consultation.status != ConsultationStatus.OPEN:
        raise Conflict(
            f"Only an open consultation can be closed; this one is {consultation.status}."
        )
    await _close(session, principal, consultation, utcnow(), early=True)
    return consultation


async def _close(
    session: AsyncSession,
    principal: Principal | None,
    consultation: Consultation,
    now: datetime,
    *,
    early: bool,
) -> None:
    before = audit.snapshot(consultation)
    consultation.status = ConsultationStatus.CLOSED
    consultation.closed_at = now if early else consultation.closes_at
    consultation.closed_by_id = principal.person_id if (early and principal) else None
    deemed = 0
    if consultation.deemed_agreement and not early:
        # Birmingham: lack of response by the consultation deadline is taken as agreement.
        answered = select(ConsultationResponse.consultee_id).where(
            ConsultationResponse.consultation_id == consultation.id
        )
        silent = (
            await session.execute(
                select(Consultee).where(
                    Consultee.consultation_id == consultation.id, Consultee.id.not_in(answered)
                )
            )
        ).scalars()
        for consultee in silent:
            session.add(
                ConsultationResponse(
                    id=new_id(),
                    organisation_id=consultation.organisation_id,
                    consultation_id=consultation.id,
                    consultee_id=consultee.id,
                    position=DEEMED_AGREEMENT,
                    submitted_at=consultation.closes_at,
                )
            )
            deemed += 1
    await _rest_document(session, consultation)
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        consultation,
        "consultation.closed",
        before=before,
        after={**audit.snapshot(consultation), "deemed_agreements": deemed},
    )
    await emit(
        session,
        events.ConsultationClosed(
            organisation_id=consultation.organisation_id,
            consultation_id=consultation.id,
            document_id=consultation.document_id,
            closed_by_id=consultation.closed_by_id,
            deemed_agreements=deemed,
        ),
    )


async def _rest_document(session: AsyncSession, consultation: Consultation) -> None:
    """Back to draft when the last open consultation on the document ends."""
    document = await document_of(session, consultation)
    others = await session.execute(
        select(
            exists().where(
                Consultation.document_id == document.id,
                Consultation.id != consultation.id,
                Consultation.status == ConsultationStatus.OPEN,
            )
        )
    )
    if document.status == DocumentStatus.IN_CONSULTATION and not others.scalar():
        document.status = DocumentStatus.DRAFT


async def cancel_consultation(
    session: AsyncSession, principal: Principal, consultation: Consultation, reason: str
) -> Consultation:
    """Withdraw a consultation (the wrong draft, say): it satisfies no gate; consultees are told."""
    authz.check_run(principal, await document_of(session, consultation))
    if consultation.status not in (ConsultationStatus.SCHEDULED, ConsultationStatus.OPEN):
        raise Conflict(f"This consultation is {consultation.status}.")
    if not reason.strip():
        raise Invalid("Say why the consultation is cancelled.", field="reason")
    before = audit.snapshot(consultation)
    was_open = consultation.status == ConsultationStatus.OPEN
    consultation.status = ConsultationStatus.CANCELLED
    consultation.closed_at = utcnow()
    consultation.closed_by_id = principal.person_id
    consultation.cancel_reason = reason
    if was_open:
        await _rest_document(session, consultation)
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        consultation,
        "consultation.cancelled",
        before=before,
    )
    if was_open:
        await emit(
            session,
            events.ConsultationCancelled(
                organisation_id=consultation.organisation_id,
                consultation_id=consultation.id,
                document_id=consultation.document_id,
                reason=reason,
            ),
        )
    return consultation


# --- the sweep -------------------------------------------------------------------------------


async def _take_due(
    session: AsyncSession,
    status: ConsultationStatus,
    moment: InstrumentedAttribute[datetime],
    now: datetime,
) -> list[Consultation]:
    """The consultations in ``status`` whose ``moment`` has come, locked; rows another worker
    holds are skipped (it is dealing with them)."""
    rows = await session.execute(
        select(Consultation)
        .where(Consultation.status == status, moment <= now)
        .order_by(moment)
        .with_for_update(skip_locked=True)
    )
    return list(rows.scalars())


async def open_due(session: AsyncSession, now: datetime | None = None) -> int:
    """Open the scheduled consultations whose time has come (each once, on any worker)."""
    now = now or utcnow()
    due = await _take_due(session, ConsultationStatus.SCHEDULED, Consultation.opens_at, now)

    async def open_one(consultation: Consultation) -> None:
        await open_now(session, None, consultation, await document_of(session, consultation), now)

    return len(await each_in_savepoint(session, due, open_one, what="consultation to open"))


async def close_due(session: AsyncSession, now: datetime | None = None) -> int:
    """Close the open consultations whose closing time has passed (each once)."""
    now = now or utcnow()
    due = await _take_due(session, ConsultationStatus.OPEN, Consultation.closes_at, now)

    async def close_one(consultation: Consultation) -> None:
        await _close(session, None, consultation, now, early=False)

    return len(await each_in_savepoint(session, due, close_one, what="consultation to close"))

"""Agreeing or refusing a request to move a review date (the owner or the policy team, never
the requester). Agreeing moves the document's review date: the tracker, the calendar feeds
and the review reminders all read that one date, so they follow it (the reminders for the old
date are void once it moves: notifications/sending.py ``is_still_true``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import review_extensions as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today, utcnow
from services.domain.errors import Conflict, Invalid
from services.domain.models.documents import Document
from services.domain.models.review_extensions import ReviewExtension, ReviewExtensionStatus
from services.domain.outbox.service import emit
from services.domain.review_extensions import rules
from services.domain.review_extensions.commands import ReviewExtensionDecision
from services.domain.review_extensions.limits import limits_of


async def _move_review_date(
    session: AsyncSession,
    principal: Principal,
    extension: ReviewExtension,
    document: Document,
    decision: ReviewExtensionDecision,
) -> date:
    """Check the date agreed and move the document's review date to it: the date."""
    if not rules.is_current(extension, document):
        now = document.next_review_due.isoformat() if document.next_review_due else "none"
        raise Conflict(
            f"The review date this request asked to move ({extension.current_due.isoformat()}) "
            f"has changed since (it is {now} now, {document.status}): refuse it, and the "
            "responsible officer may ask again.",
            document_status=str(document.status),
        )
    agreed = decision.agreed_due or extension.requested_due
    if not extension.current_due < agreed <= extension.requested_due:
        raise Invalid(
            f"Agree to the date asked for ({extension.requested_due.isoformat()}) or an earlier "
            f"one after the current review date ({extension.current_due.isoformat()}).",
            field="agreed_due",
        )
    if agreed <= london_today():
        raise Invalid("Agree to a date after today.", field="agreed_due")
    # The limits as they are now: the organisation may have narrowed them since it was asked.
    period = rules.Period(extension.original_due, extension.sequence)
    limits = await limits_of(session, document.organisation_id)
    rules.check_within(limits, period, agreed)
    before = audit.snapshot(document)
    document.next_review_due = agreed
    # The review sweep reads what changed since its last run (notifications/review_window.py).
    document.updated_at = utcnow()
    await session.flush()
    await audit_changes.record_change(
        session, principal, document, "document.review_date_extended", before=before
    )
    return agreed


async def decide_extension(
    session: AsyncSession,
    principal: Principal,
    extension: ReviewExtension,
    document: Document,
    decision: ReviewExtensionDecision,
) -> ReviewExtension:
    """Agree (the review date moves to ``agreed_due``, by default the date asked for) or
    refuse, with a note. ``document`` is locked (``service.get_extension(for_update=True)``)."""
    authz.check_decide(principal, extension, document)
    assert principal.person_id is not None  # check_decide let only a person through
    if extension.status != ReviewExtensionStatus.PENDING:
        raise Conflict(f"This request is already {extension.status}.")
    note = decision.note.strip()
    if not note:
        raise Invalid("Say why, in the note.", field="note")
    before = audit.snapshot(extension)
    agreeing = decision.outcome == "agreed"
    if agreeing:
        extension.agreed_due = await _move_review_date(
            session, principal, extension, document, decision
        )
    elif decision.agreed_due is not None:
        raise Invalid("A refusal agrees no date: leave agreed_due out.", field="agreed_due")
    extension.status = ReviewExtensionStatus.AGREED if agreeing else ReviewExtensionStatus.REFUSED
    extension.decided_by_id = principal.person_id
    extension.decided_at = utcnow()
    extension.decision_note = note
    await session.flush()
    await audit_changes.record_change(
        session, principal, extension, "review_extension.decided", before=before
    )
    await emit(
        session,
        events.ReviewExtensionDecided(
            organisation_id=extension.organisation_id,
            review_extension_id=extension.id,
            document_id=extension.document_id,
            status="agreed" if agreeing else "refused",
            decided_by_id=principal.person_id,
            current_due=extension.current_due,
            agreed_due=extension.agreed_due,
        ),
    )
    return extension

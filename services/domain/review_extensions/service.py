"""Review extensions: the responsible officer asks to move a document's review date, with
reasons and a new date; the owner or the policy team agrees (the review date moves, and with it
the tracker and the reminders) or refuses; the requester may withdraw it meanwhile.

Lock order (services/domain/locks.py): the document, then its request. Asking locks the
document, so two requests for one document cannot both be pending (the partial unique index
``uq_review_extensions_one_pending`` holds it too); deciding and withdrawing lock the document
before the request, as ``get_review(..., for_update=True)`` does for reviews.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import review_extensions as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today, utcnow
from services.domain.db import new_id
from services.domain.documents.service import get_document
from services.domain.errors import Conflict, Invalid, NotFound
from services.domain.locks import lock_document
from services.domain.models.documents import NO_LONGER_IN_FORCE, Document
from services.domain.models.review_extensions import ReviewExtension, ReviewExtensionStatus
from services.domain.outbox.service import emit
from services.domain.pagination import after_row
from services.domain.review_extensions import rules
from services.domain.review_extensions.commands import NewReviewExtension
from services.domain.review_extensions.limits import limits_of
from services.domain.review_extensions.standing import state_of


def _tracked(document: Document) -> None:
    if document.status in NO_LONGER_IN_FORCE or document.next_review_due is None:
        raise Conflict(
            f"{document.reference} has no review date to move (it is {document.status}): "
            "only a document in force with a review date can be extended.",
            document_status=str(document.status),
        )


def _checked(command: NewReviewExtension, current_due: date) -> str:
    """The reasons, stripped; Invalid without them, or for a date not later than both the
    current review date and today."""
    reasons = command.reasons.strip()
    if not reasons:
        raise Invalid("Say why the review needs more time.", field="reasons")
    if command.requested_due <= current_due:
        raise Invalid(
            f"Ask for a date after the current review date ({current_due.isoformat()}).",
            field="requested_due",
        )
    if command.requested_due <= london_today():
        raise Invalid("Ask for a date after today.", field="requested_due")
    return reasons


async def pending_of(session: AsyncSession, document: Document) -> ReviewExtension | None:
    """The document's request waiting for a decision, current or not."""
    found: ReviewExtension | None = await session.scalar(
        select(ReviewExtension)
        .where(
            ReviewExtension.document_id == document.id,
            ReviewExtension.status == ReviewExtensionStatus.PENDING,
        )
        .with_for_update()
    )
    return found


async def request_extension(
    session: AsyncSession, principal: Principal, document_id: uuid.UUID, command: NewReviewExtension
) -> ReviewExtension:
    """Ask to move the document's review date to a later one, within the organisation's limits
    (the responsible officer, or the owner standing in). A request whose date has since moved
    (a review completed meanwhile) lapses when the next is made."""
    document = await get_document(session, principal, document_id, for_update=True)
    authz.check_request(principal, document)
    assert principal.person_id is not None  # check_request let only a person through
    _tracked(document)
    current_due = document.next_review_due
    assert current_due is not None
    reasons = _checked(command, current_due)
    pending = await pending_of(session, document)
    if pending is not None and rules.is_current(pending, document):
        raise Conflict(
            "A request to move this review date is already waiting for a decision.",
            call=f"/v1/review-extensions/{pending.id}",
        )
    if pending is not None:
        await lapse(session, pending, document)
    state = await state_of(session, document)
    period = rules.period_of(current_due, state.standing)
    rules.check_within(
        await limits_of(session, document.organisation_id), period, command.requested_due
    )
    extension = ReviewExtension(
        id=new_id(),
        organisation_id=document.organisation_id,
        document_id=document.id,
        requested_by_id=principal.person_id,
        current_due=current_due,
        requested_due=command.requested_due,
        original_due=period.original_due,
        sequence=period.sequence,
        issued_version=document.issued_version,
        last_reviewed_on=document.last_reviewed_on,
        reasons=reasons,
        status=ReviewExtensionStatus.PENDING,
    )
    session.add(extension)
    await session.flush()
    await audit_changes.record_change(session, principal, extension, "review_extension.requested")
    await emit(
        session,
        events.ReviewExtensionRequested(
            organisation_id=extension.organisation_id,
            review_extension_id=extension.id,
            document_id=document.id,
            requested_by_id=principal.person_id,
            current_due=current_due,
            requested_due=extension.requested_due,
        ),
    )
    return extension


async def get_extension(
    session: AsyncSession,
    principal: Principal,
    extension_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> tuple[ReviewExtension, Document]:
    """A request of the caller's organisation and its document; any other id is NotFound. For
    update, the document is locked first, then the request (the lock order)."""
    authz.check_read(principal)
    query = select(ReviewExtension).where(
        ReviewExtension.id == extension_id,
        ReviewExtension.organisation_id == principal.organisation_id,
    )
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound("No such review extension.")
    if not for_update:
        document = await session.get(Document, found.document_id)
        assert document is not None  # the foreign key holds it
        return found, document
    document = await lock_document(session, found.document_id)
    locked = (
        await session.execute(query.with_for_update().execution_options(populate_existing=True))
    ).scalar_one()
    return locked, document


def _listed(
    principal: Principal,
    *,
    document_id: uuid.UUID | None,
    status: ReviewExtensionStatus | None,
    requested_by_id: uuid.UUID | None,
) -> Select[Any]:
    query = select(ReviewExtension).where(
        ReviewExtension.organisation_id == principal.organisation_id
    )
    if document_id is not None:
        query = query.where(ReviewExtension.document_id == document_id)
    if status is not None:
        query = query.where(ReviewExtension.status == status)
    if requested_by_id is not None:
        query = query.where(ReviewExtension.requested_by_id == requested_by_id)
    return query


async def list_extensions(
    session: AsyncSession,
    principal: Principal,
    *,
    document_id: uuid.UUID | None = None,
    status: ReviewExtensionStatus | None = None,
    requested_by_id: uuid.UUID | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[tuple[ReviewExtension, Document]]:
    """The organisation's requests, oldest first (``status=pending`` is the decision queue),
    each with its document."""
    authz.check_read(principal)
    query = _listed(
        principal, document_id=document_id, status=status, requested_by_id=requested_by_id
    )
    if after is not None:
        query = query.where(after_row(ReviewExtension.created_at, ReviewExtension.id, after))
    query = query.order_by(ReviewExtension.created_at, ReviewExtension.id).limit(limit)
    extensions = list((await session.execute(query)).scalars())
    ids = list({e.document_id for e in extensions})
    documents = {
        d.id: d
        for d in (await session.execute(select(Document).where(Document.id.in_(ids)))).scalars()
    }
    return [(e, documents[e.document_id]) for e in extensions]


async def _end(
    session: AsyncSession,
    principal: Principal | None,
    extension: ReviewExtension,
    status: Literal["withdrawn", "lapsed"],
    reason: str,
) -> ReviewExtension:
    before = audit.snapshot(extension)
    extension.status = ReviewExtensionStatus(status)
    extension.ended_by_id = principal.person_id if principal is not None else None
    extension.ended_at = utcnow()
    extension.end_reason = reason
    await session.flush()
    await audit_changes.record_change(
        session, principal, extension, f"review_extension.{status}", before=before
    )
    await emit(
        session,
        events.ReviewExtensionEnded(
            organisation_id=extension.organisation_id,
            review_extension_id=extension.id,
            document_id=extension.document_id,
            status=status,
            ended_by_id=extension.ended_by_id,
        ),
    )
    return extension


async def lapse(
    session: AsyncSession, extension: ReviewExtension, document: Document
) -> ReviewExtension:
    """A pending request whose review date moved meanwhile: it asked about a date that is no
    longer the document's (recorded by the service, no person)."""
    now = document.next_review_due.isoformat() if document.next_review_due else "none"
    reason = (
        f"The review date it asked to move ({extension.current_due.isoformat()}) is no longer "
        f"the document's ({now}, {document.status})."
    )
    return await _end(session, None, extension, "lapsed", reason)


async def withdraw_extension(
    session: AsyncSession, principal: Principal, extension: ReviewExtension, reason: str
) -> ReviewExtension:
    """Take back a request not yet decided (its requester, or the policy team)."""
    authz.check_withdraw(principal, extension)
    if extension.status != ReviewExtensionStatus.PENDING:
        raise Conflict(
            f"This request is {extension.status}: only one waiting for a decision can be withdrawn."
        )
    if not reason.strip():
        raise Invalid("Give the reason.", field="reason")
    return await _end(session, principal, extension, "withdrawn", reason.strip())

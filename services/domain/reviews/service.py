"""Reviews as records: starting one, its outcome (no change, or an amended draft), cancelling.

NCT 3.4: the RO reviews; with no change they send the RSM a short statement, the RSM confirms
and the Policy and Procedures Officer (and, for an unscheduled review, whoever asked) is told;
with amendments the new draft goes through sign-off and the review ends when it is issued.
Starting a review moves the document to ``under_review``; the end puts it back.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import service as audit
from services.domain.authz import reviews as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today, utcnow
from services.domain.db import new_id
from services.domain.documents.named import document_named
from services.domain.documents.review_dates import intervals_of, review_due
from services.domain.documents.service import get_document
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.locks import lock_document
from services.domain.models.documents import Document, DocumentStatus, DocumentVersion
from services.domain.models.reviews import (
    OPEN_REVIEW_STATUSES,
    REVIEW_KINDS,
    REVIEW_STATUSES,
    TRIGGERS,
    Review,
    ReviewStatus,
)
from services.domain.models.sign_off import OPEN_STATUSES as OPEN_SIGN_OFF_STATUSES
from services.domain.models.sign_off import SignOff
from services.domain.outbox.service import emit
from services.domain.pagination import after_position
from services.domain.people.service import require_active_person


async def _record(
    session: AsyncSession,
    principal: Principal | None,
    review: Review,
    action: str,
    before: dict[str, Any] | None,
    **extra: Any,
) -> None:
    await audit.record(
        session,
        principal,
        organisation_id=review.organisation_id,
        action=action,
        entity_type="review",
        entity_id=review.id,
        before=before,
        after={**audit.snapshot(review), **extra},
    )


async def _document(session: AsyncSession, review: Review) -> Document:
    """The reviewed document, locked: its status and review dates change with the review.

    Callers that lock the review hold this lock already (services.domain.locks)."""
    return await lock_document(session, review.document_id)


def _check_version(review: Review, expected_version: int | None) -> None:
    if expected_version is not None and review.row_version != expected_version:
        raise PreconditionFailed("The review has changed since you read it; fetch it again.")


def _require_open(review: Review) -> None:
    if review.status not in OPEN_REVIEW_STATUSES:
        raise Conflict(f"The review is {review.status}.")


def _cannot_start(document: Document) -> str | None:
    """Why a review of the document cannot start now, or None."""
    if document.status == DocumentStatus.PUBLISHED:
        return None
    if document.status == DocumentStatus.UNDER_REVIEW:
        return "The document is already under review."
    if document.status == DocumentStatus.DRAFT:
        # A draft has never been issued: it needs sign-off, not a review.
        return "The document is a draft that has never been issued: submit it for sign-off."
    return (
        f"The document is {document.status.replace('_', ' ')}: only a published document can "
        "be reviewed."
    )


async def start_review(
    session: AsyncSession,
    principal: Principal,
    *,
    document_id: uuid.UUID,
    kind: str,
    trigger: str | None = None,
    trigger_detail: str = "",
    requested_by_id: uuid.UUID | None = None,
    update_cycle_item_id: uuid.UUID | None = None,
) -> Review:
    """Start reviewing a published document (its RO, owner or author, or the policy team)."""
    document = await document_named(session, principal, document_id)
    authz.check_run(principal, document)
    if kind not in REVIEW_KINDS:
        raise Invalid(f"The kind is one of: {', '.join(REVIEW_KINDS)}.", field="kind")
    if kind == "unscheduled":
        # NCT 3.4(c): an unscheduled review says what prompted it.
        if trigger not in TRIGGERS:
            raise Invalid(f"Say what prompted it: one of {', '.join(TRIGGERS)}.", field="trigger")
    elif trigger is not None:
        raise Invalid("Only an unscheduled review has a trigger.", field="trigger")
    await require_active_person(
        session, document.organisation_id, requested_by_id, "requested_by_id"
    )
    document = await get_document(session, principal, document.id, for_update=True)
    why_not = _cannot_start(document)
    if why_not:
        raise Conflict(why_not, document_status=document.status)
    review = Review(
        id=new_id(),
        organisation_id=document.organisation_id,
        document_id=document.id,
        kind=kind,
        trigger=trigger,
        trigger_detail=trigger_detail,
        requested_by_id=requested_by_id,
        status=ReviewStatus.IN_PROGRESS,
        due_on=document.next_review_due,
        previous_status=document.status,
        started_by_id=principal.person_id,
        update_cycle_item_id=update_cycle_item_id,
    )
    session.add(review)
    document.status = DocumentStatus.UNDER_REVIEW
    document.updated_at = utcnow()
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("The document already has a review in progress.") from None
    await _record(session, principal, review, "review.started", None)
    await emit(
        session,
        events.ReviewStarted(
            organisation_id=review.organisation_id,
            review_id=review.id,
            document_id=document.id,
            kind=kind,
        ),
    )
    return review


async def get_review(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, *, for_update: bool = False
) -> Review:
    """A review the caller may read: the document's team, the policy team, who asked for it."""
    query = select(Review).where(
        Review.id == review_id, Review.organisation_id == principal.organisation_id
    )
    review = (await session.execute(query)).scalar_one_or_none()
    if review is None:
        raise NotFound("No such review.")
    if for_update:
        # The lock order (services.domain.locks): its document first, then the review.
        await lock_document(session, review.document_id)
        review = (
            await session.execute(query.with_for_update().execution_options(populate_existing=True))
        ).scalar_one()
    document = await get_document(session, principal, review.document_id)
    if not authz.can_read(principal, review, document):
        raise NotFound("No such review.")
    return review


async def list_reviews(
    session: AsyncSession,
    principal: Principal,
    *,
    document_id: uuid.UUID | None = None,
    status: ReviewStatus | None = None,
    kind: str | None = None,
    is_open: bool | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[Review]:
    """The reviews the caller may read, oldest first."""
    if status is not None and status not in REVIEW_STATUSES:
        raise Invalid(f"The status is one of: {', '.join(REVIEW_STATUSES)}.", field="status")
    query = (
        select(Review)
        .join(Document, Document.id == Review.document_id)
        .where(Review.organisation_id == principal.organisation_id, authz.readable(principal))
    )
    if document_id is not None:
        query = query.where(Review.document_id == document_id)
    if status is not None:
        query = query.where(Review.status == status)
    if kind is not None:
        query = query.where(Review.kind == kind)
    if is_open is not None:
        open_ = Review.status.in_(OPEN_REVIEW_STATUSES)
        query = query.where(open_ if is_open else ~open_)
    query = after_position(query, Review.created_at, Review.id, after).limit(limit)
    return list((await session.execute(query)).scalars())


async def state_no_change(
    session: AsyncSession,
    principal: Principal,
    review: Review,
    *,
    statement: str,
    expected_version: int | None = None,
) -> Review:
    """The RO states that no change is needed (NCT 3.4(b)(iii)); the RSM is asked to confirm."""
    document = await _document(session, review)
    authz.check_state_no_change(principal, document)
    _check_version(review, expected_version)
    _require_open(review)
    if review.status != ReviewStatus.IN_PROGRESS or review.outcome is not None:
        raise Conflict(f"The review already has an outcome: {review.outcome or review.status}.")
    if not statement.strip():
        raise Invalid("Say why no change is needed.", field="statement")
    before = audit.snapshot(review)
    review.status = ReviewStatus.AWAITING_CONFIRMATION
    review.outcome = "no_change"
    review.no_change_statement = statement
    review.statement_by_id = principal.person_id
    await session.flush()
    await _record(session, principal, review, "review.no_change_stated", before)
    await emit(
        session,
        events.ReviewNoChangeStated(
            organisation_id=review.organisation_id, review_id=review.id, document_id=document.id
        ),
    )
    return review


def _require_awaiting(review: Review) -> None:
    if review.status != ReviewStatus.AWAITING_CONFIRMATION:
        raise Conflict(
            f"The review is {review.status.replace('_', ' ')}, not awaiting confirmation."
        )


def _restore(document: Document, review: Review) -> None:
    # A sign-off in flight moved the document on; otherwise it goes back to where it was.
    if document.status == DocumentStatus.UNDER_REVIEW:
        document.status = review.previous_status
        document.updated_at = utcnow()


async def _complete(
    session: AsyncSession, principal: Principal | None, review: Review, document: Document
) -> None:
    before = audit.snapshot(review)
    review.status = ReviewStatus.COMPLETED
    review.completed_at = utcnow()
    document.last_reviewed_on = london_today()
    await session.flush()
    await _record(
        session,
        principal,
        review,
        "review.completed",
        before,
        document_status=document.status,
        last_reviewed_on=document.last_reviewed_on.isoformat(),
        next_review_due=document.next_review_due.isoformat() if document.next_review_due else None,
    )
    assert review.outcome in ("no_change", "amended")
    await emit(
        session,
        events.ReviewCompleted(
            organisation_id=review.organisation_id,
            review_id=review.id,
            document_id=document.id,
            outcome=review.outcome,
            next_review_due=document.next_review_due,
        ),
    )


async def confirm_no_change(
    session: AsyncSession,
    principal: Principal,
    review: Review,
    *,
    expected_version: int | None = None,
) -> Review:
    """The RSM (or the policy team) confirms: the review completes and the next one is due
    a review interval from today (services/domain/documents/review_dates.py)."""
    document = await _document(session, review)
    authz.check_confirm(principal, review, document)
    _check_version(review, expected_version)
    _require_awaiting(review)
    review.confirmed_by_id = principal.person_id
    review.confirmed_at = utcnow()
    _restore(document, review)
    # Counted from the review, by the rule every review date follows.
    document.next_review_due = review_due(london_today(), await intervals_of(session, document))
    await _complete(session, principal, review, document)
    return review


async def refuse_no_change(
    session: AsyncSession,
    principal: Principal,
    review: Review,
    *,
    reasons: str,
    expected_version: int | None = None,
) -> Review:
    """The RSM does not accept that no change is needed: the review goes back to the RO."""
    document = await _document(session, review)
    authz.check_confirm(principal, review, document)
    _check_version(review, expected_version)
    _require_awaiting(review)
    if not reasons.strip():
        raise Invalid("Say why the statement is not accepted.", field="reasons")
    before = audit.snapshot(review)
    review.status = ReviewStatus.IN_PROGRESS
    review.outcome = None
    await session.flush()
    await _record(session, principal, review, "review.no_change_refused", before, reasons=reasons)
    return review


async def mark_amended(
    session: AsyncSession,
    principal: Principal,
    review: Review,
    *,
    version_id: uuid.UUID,
    expected_version: int | None = None,
) -> Review:
    """The review leads to amendments: the new draft (uploaded since the review started)
    goes through sign-off, and its issue completes the review."""
    document = await _document(session, review)
    authz.check_run(principal, document)
    _check_version(review, expected_version)
    _require_open(review)
    if review.status != ReviewStatus.IN_PROGRESS or review.outcome is not None:
        raise Conflict(f"The review already has an outcome: {review.outcome or review.status}.")
    version = await session.get(DocumentVersion, version_id)
    if version is None or version.document_id != document.id:
        raise Invalid("That is not a version of the document.", field="version_id")
    if version.is_issued:
        raise Invalid("Give the amended draft, not an issued version.", field="version_id")
    if version.created_at < review.created_at:
        raise Invalid("That draft was uploaded before the review started.", field="version_id")
    before = audit.snapshot(review)
    review.outcome = "amended"
    review.amended_version_id = version.id
    await session.flush()
    await _record(session, principal, review, "review.amended", before)
    return review


async def cancel_review(
    session: AsyncSession,
    principal: Principal,
    review: Review,
    *,
    reason: str,
    expected_version: int | None = None,
) -> Review:
    """Stop a review (the policy team or whoever started it); the document goes back."""
    authz.check_cancel(principal, review)
    _check_version(review, expected_version)
    _require_open(review)
    if not reason.strip():
        raise Invalid("Say why the review is cancelled.", field="reason")
    document = await _document(session, review)
    in_flight = await session.execute(
        select(SignOff.id).where(
            SignOff.document_id == document.id, SignOff.status.in_(OPEN_SIGN_OFF_STATUSES)
        )
    )
    if in_flight.first() is not None:
        # Its end would put the document back under review with no review open.
        raise Conflict("The amended draft is in sign-off: withdraw the sign-off first.")
    before = audit.snapshot(review)
    review.status = ReviewStatus.CANCELLED
    _restore(document, review)
    await session.flush()
    await _record(session, principal, review, "review.cancelled", before, reason=reason)
    return review


async def reopen_after_withdrawal(
    session: AsyncSession, principal: Principal | None, review_id: uuid.UUID, *, reason: str
) -> Review | None:
    """The issue that completed an amended review was withdrawn (Dorset 4.5.2: ratification
    refused): the review is not done after all and is open again, to amend once more.

    Not when another review of the document has started since: that one goes on.
    """
    # The caller holds the document's lock (services.domain.locks): the review comes second.
    review = (
        await session.execute(select(Review).where(Review.id == review_id).with_for_update())
    ).scalar_one_or_none()
    if review is None or review.status != ReviewStatus.COMPLETED:
        return None
    other = await session.execute(
        select(Review.id).where(
            Review.document_id == review.document_id,
            Review.status.in_(OPEN_REVIEW_STATUSES),
        )
    )
    if other.first() is not None:
        return None
    before = audit.snapshot(review)
    review.status = ReviewStatus.IN_PROGRESS
    review.completed_at = None
    await session.flush()
    await _record(session, principal, review, "review.reopened", before, reason=reason)
    return review


async def complete_on_issue(
    session: AsyncSession, principal: Principal | None, document: Document
) -> Review | None:
    """Called when a sign-off issues ``document``: its open amended review completes.

    The issue has already set the status and the next review date, and holds the document's
    lock, so the review is locked second (services.domain.locks).
    """
    review = (
        await session.execute(
            select(Review)
            .where(
                Review.document_id == document.id,
                Review.status.in_(OPEN_REVIEW_STATUSES),
                Review.outcome == "amended",
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    if review is None:
        return None
    await _complete(session, principal, review, document)
    return review

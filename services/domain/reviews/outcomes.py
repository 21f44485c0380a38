"""A review's outcome: no change (stated by the RO, confirmed or refused by the RSM), an amended
draft, or cancelling; and the end of an amended review when its draft is issued, or its
reopening when that issue is withdrawn.

NCT 3.4(b)(iii): with no change the RO sends the RSM a short statement and the RSM confirms;
with amendments the new draft goes through sign-off and the review ends when it is issued.
The end puts the document back where the start of the review found it.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import service as audit
from services.domain.authz import reviews as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today, utcnow
from services.domain.documents.review_dates import intervals_of, review_due
from services.domain.errors import Conflict, Invalid, PreconditionFailed
from services.domain.locks import lock_document
from services.domain.models.documents import Document, DocumentStatus, DocumentVersion
from services.domain.models.reviews import OPEN_REVIEW_STATUSES, Review, ReviewStatus
from services.domain.models.sign_off import OPEN_STATUSES as OPEN_SIGN_OFF_STATUSES
from services.domain.models.sign_off import SignOff
from services.domain.outbox.service import emit
from services.domain.reviews.service import record_review_change


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
    await record_review_change(session, principal, review, "review.no_change_stated", before)
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
    await record_review_change(
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
    await record_review_change(
        session, principal, review, "review.no_change_refused", before, reasons=reasons
    )
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
    await record_review_change(session, principal, review, "review.amended", before)
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
    await record_review_change(
        session, principal, review, "review.cancelled", before, reason=reason
    )
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
    await record_review_change(session, principal, review, "review.reopened", before, reason=reason)
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

"""Reviews as records: starting one, reading and listing them.

NCT 3.4: the RO reviews; with no change they send the RSM a short statement, the RSM confirms
and the Policy and Procedures Officer (and, for an unscheduled review, whoever asked) is told;
with amendments the new draft goes through sign-off and the review ends when it is issued.
Starting a review moves the document to ``under_review``; the end puts it back (its outcome:
services/domain/reviews/outcomes.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import reviews as authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.db import new_id
from services.domain.documents.named import document_named
from services.domain.documents.service import get_document
from services.domain.errors import Conflict, Invalid, NotFound
from services.domain.locks import lock_document
from services.domain.models.documents import Document, DocumentStatus
from services.domain.models.reviews import (
    OPEN_REVIEW_STATUSES,
    REVIEW_KINDS,
    REVIEW_STATUSES,
    TRIGGERS,
    Review,
    ReviewStatus,
)
from services.domain.outbox.service import emit
from services.domain.pagination import after_position
from services.domain.people.service import require_active_person
from services.domain.reviews.commands import NewReview


async def record_review_change(
    session: AsyncSession,
    principal: Principal | None,
    review: Review,
    action: str,
    before: dict[str, Any] | None,
    **extra: Any,
) -> None:
    """The audit record of ``action`` done to ``review``: its snapshot after, with ``extra``."""
    await audit_changes.record_change(
        session, principal, review, action, before=before, after={**audit.snapshot(review), **extra}
    )


def _check_kind(command: NewReview) -> None:
    if command.kind not in REVIEW_KINDS:
        raise Invalid(f"The kind is one of: {', '.join(REVIEW_KINDS)}.", field="kind")
    if command.kind == "unscheduled":
        # NCT 3.4(c): an unscheduled review says what prompted it.
        if command.trigger not in TRIGGERS:
            raise Invalid(f"Say what prompted it: one of {', '.join(TRIGGERS)}.", field="trigger")
    elif command.trigger is not None:
        raise Invalid("Only an unscheduled review has a trigger.", field="trigger")


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


async def start_review(session: AsyncSession, principal: Principal, command: NewReview) -> Review:
    """Start reviewing a published document (its RO, owner or author, or the policy team)."""
    document = await document_named(session, principal, command.document_id)
    authz.check_run(principal, document)
    _check_kind(command)
    await require_active_person(
        session, document.organisation_id, command.requested_by_id, "requested_by_id"
    )
    document = await get_document(session, principal, document.id, for_update=True)
    why_not = _cannot_start(document)
    if why_not:
        raise Conflict(why_not, document_status=document.status)
    return await open_review(
        session, principal, document, command, started_by_id=principal.person_id
    )


async def open_review(
    session: AsyncSession,
    principal: Principal | None,
    document: Document,
    command: NewReview,
    *,
    started_by_id: uuid.UUID | None,
) -> Review:
    """Open the review ``command`` asks for on a published ``document`` the caller has locked
    and checked: the document goes ``under_review``. A cascade from a parent's issue
    (reviews/cascades.py) opens one with nobody as its starter."""
    review = Review(
        id=new_id(),
        organisation_id=document.organisation_id,
        document_id=document.id,
        kind=command.kind,
        trigger=command.trigger,
        trigger_detail=command.trigger_detail,
        requested_by_id=command.requested_by_id,
        status=ReviewStatus.IN_PROGRESS,
        due_on=document.next_review_due,
        previous_status=document.status,
        started_by_id=started_by_id,
        update_cycle_item_id=command.update_cycle_item_id,
    )
    session.add(review)
    document.status = DocumentStatus.UNDER_REVIEW
    document.updated_at = utcnow()
    try:
        await session.flush()
    except IntegrityError:
        raise Conflict("The document already has a review in progress.") from None
    await record_review_change(session, principal, review, "review.started", None)
    await emit(
        session,
        events.ReviewStarted(
            organisation_id=review.organisation_id,
            review_id=review.id,
            document_id=document.id,
            kind=command.kind,
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

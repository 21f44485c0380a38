"""Legal review (LBBD stage 7): a question about a version put to the legal team, and its advice.

Anyone who can edit the document asks, optionally naming the lawyer; the named reviewer
answers, or the policy team when nobody was named. An answer is final: a new question (usually
about a later version) is a new review.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.access.principal import Principal
from services.domain.assessments.common import after_position, document_and_version
from services.domain.assessments.models import LEGAL_OUTCOMES, LegalReview
from services.domain.audit import service as audit
from services.domain.db import new_id, utcnow
from services.domain.documents.models import Document
from services.domain.documents.service import can_see_drafts, get_document
from services.domain.errors import Conflict, Forbidden, Invalid, NotFound
from services.domain.outbox.service import emit
from services.domain.people.service import require_active_person

WHAT = "Legal reviews"


async def _record(
    session: AsyncSession,
    principal: Principal,
    review: LegalReview,
    action: str,
    before: dict[str, object] | None,
) -> None:
    await audit.record(
        session,
        principal,
        organisation_id=review.organisation_id,
        action=action,
        entity_type="legal_review",
        entity_id=review.id,
        before=before,
        after=audit.snapshot(review),
    )


async def request_review(
    session: AsyncSession,
    principal: Principal,
    *,
    document_id: uuid.UUID,
    version_id: uuid.UUID,
    question: str,
    reviewer_id: uuid.UUID | None = None,
) -> LegalReview:
    """Ask for legal advice on a version (anyone who can edit the document)."""
    document, version = await document_and_version(
        session, principal, document_id, version_id, what=WHAT
    )
    if not question.strip():
        raise Invalid("Say what the legal team is asked.", field="question")
    await require_active_person(session, document.organisation_id, reviewer_id, "reviewer_id")
    review = LegalReview(
        id=new_id(),
        organisation_id=document.organisation_id,
        document_id=document.id,
        version_id=version.id,
        question=question,
        requested_by_id=principal.person_id,
        reviewer_id=reviewer_id,
    )
    session.add(review)
    await session.flush()
    await _record(session, principal, review, "legal_review.requested", None)
    await emit(
        session,
        events.LegalReviewRequested(
            organisation_id=review.organisation_id,
            legal_review_id=review.id,
            document_id=review.document_id,
            reviewer_id=review.reviewer_id,
        ),
    )
    return review


def _involved(principal: Principal, review: LegalReview) -> bool:
    return principal.person_id is not None and principal.person_id in (
        review.reviewer_id,
        review.requested_by_id,
    )


async def get_review(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, *, for_update: bool = False
) -> LegalReview:
    """A review the caller may read: the document's team, the policy team, its reviewer."""
    query = select(LegalReview).where(
        LegalReview.id == review_id, LegalReview.organisation_id == principal.organisation_id
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    review = (await session.execute(query)).scalar_one_or_none()
    if review is None:
        raise NotFound("No such legal review.")
    document = await get_document(session, principal, review.document_id)
    if not (can_see_drafts(principal, document) or _involved(principal, review)):
        raise Forbidden(
            "Legal reviews are for the people working on the document, the policy team and "
            "the reviewer."
        )
    return review


def _visible(principal: Principal) -> ColumnElement[bool]:
    if principal.manages_documents:
        return LegalReview.organisation_id == principal.organisation_id
    if principal.person_id is None:
        return false()
    me = principal.person_id
    return or_(
        LegalReview.reviewer_id == me,
        LegalReview.requested_by_id == me,
        Document.author_id == me,
        Document.responsible_officer_id == me,
        Document.owner_id == me,
    )


async def list_reviews(
    session: AsyncSession,
    principal: Principal,
    *,
    document_id: uuid.UUID | None = None,
    reviewer_id: uuid.UUID | None = None,
    is_open: bool | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[LegalReview]:
    """The reviews the caller may read, oldest first; ``is_open``: not answered yet."""
    query = (
        select(LegalReview)
        .join(Document, Document.id == LegalReview.document_id)
        .where(LegalReview.organisation_id == principal.organisation_id, _visible(principal))
    )
    if document_id is not None:
        query = query.where(LegalReview.document_id == document_id)
    if reviewer_id is not None:
        query = query.where(LegalReview.reviewer_id == reviewer_id)
    if is_open is not None:
        query = query.where(
            LegalReview.answered_at.is_(None) if is_open else LegalReview.answered_at.is_not(None)
        )
    query = after_position(query, LegalReview.created_at, LegalReview.id, after).limit(limit)
    return list((await session.execute(query)).scalars())


async def answer_review(
    session: AsyncSession,
    principal: Principal,
    review: LegalReview,
    *,
    advice: str,
    outcome: str,
) -> LegalReview:
    """Give the advice: by the reviewer named, else by the policy team. Only once."""
    if review.reviewer_id is not None:
        if principal.person_id != review.reviewer_id:
            raise Forbidden("Only the reviewer asked may answer this legal review.")
    elif not principal.manages_documents:
        raise Forbidden("A legal review with no reviewer named is answered by the policy team.")
    if review.answered_at is not None:
        raise Conflict("This legal review has been answered; ask a new question instead.")
    if outcome not in LEGAL_OUTCOMES:
        raise Invalid(f"The outcome is one of: {', '.join(LEGAL_OUTCOMES)}.", field="outcome")
    if not advice.strip():
        raise Invalid("Give the advice.", field="advice")
    before = audit.snapshot(review)
    review.advice = advice
    review.outcome = outcome
    review.answered_by_id = principal.person_id
    review.answered_at = utcnow()
    await session.flush()
    await _record(session, principal, review, "legal_review.answered", before)
    await emit(
        session,
        events.LegalReviewAnswered(
            organisation_id=review.organisation_id,
            legal_review_id=review.id,
            document_id=review.document_id,
            outcome=outcome,
        ),
    )
    return review


async def reviews_of(session: AsyncSession, document: Document) -> list[LegalReview]:
    """Every review of a document, oldest first."""
    rows = await session.execute(
        select(LegalReview)
        .where(LegalReview.document_id == document.id)
        .order_by(LegalReview.created_at, LegalReview.id)
    )
    return list(rows.scalars())

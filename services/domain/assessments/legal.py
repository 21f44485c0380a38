"""Legal review (LBBD stage 7): a question about a version put to the legal team, and its advice.

Anyone who can edit the document asks, optionally naming the lawyer; the named reviewer
answers, or the policy team when nobody was named. An answer is final: a new question (usually
about a later version) is a new review.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import assessments as authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.db import new_id
from services.domain.documents.named import document_and_version
from services.domain.documents.service import get_document
from services.domain.errors import Conflict, Invalid, NotFound
from services.domain.models.assessments import LEGAL_OUTCOMES, LegalReview
from services.domain.models.documents import Document
from services.domain.outbox.service import emit
from services.domain.pagination import after_position
from services.domain.people.service import require_active_person

WHAT = "Legal reviews"


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
        session,
        principal,
        document_id,
        version_id,
        lambda d: authz.check_record(principal, d, WHAT),
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
    await audit_changes.record_change(session, principal, review, "legal_review.requested")
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
    authz.check_read_legal(principal, review, document)
    return review


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
        .where(
            LegalReview.organisation_id == principal.organisation_id,
            authz.readable_legal(principal),
        )
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
    authz.check_answer(principal, review)
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
    await audit_changes.record_change(
        session, principal, review, "legal_review.answered", before=before
    )
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

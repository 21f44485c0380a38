"""Legal reviews: questions about a version put to the legal team, and their advice."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response

from services.api.assessments import schemas
from services.api.deps import CurrentPrincipal, Session
from services.api.etag import set_etag
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.assessments import legal
from services.domain.authz.permissions import Permission as P
from services.domain.models.assessments import LegalReview

router = Router(prefix="/v1/legal-reviews", tags=["legal-reviews"])


def _out(review: LegalReview, response: Response) -> schemas.LegalReview:
    set_etag(response, review.row_version)
    return schemas.LegalReview.model_validate(review)


@router.get(
    "", response_model=schemas.LegalReviewPage, dependencies=[allowed(P.LEGAL_REVIEWS_ANSWER)]
)
async def list_legal_reviews(
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
    document_id: uuid.UUID | None = None,
    reviewer_id: uuid.UUID | None = None,
    is_open: Annotated[
        bool | None, Query(alias="open", description="true: not answered yet; false: answered.")
    ] = None,
) -> schemas.LegalReviewPage:
    """The reviews you may read, oldest first: of a document, for a reviewer, open or
    answered. A lawyer's queue: `?reviewer_id=<me>&open=true`."""
    scope = {
        "document_id": str(document_id) if document_id else None,
        "reviewer_id": str(reviewer_id) if reviewer_id else None,
        "open": is_open,
    }
    after = page.after_time(scope)
    found = await legal.list_reviews(
        session,
        principal,
        document_id=document_id,
        reviewer_id=reviewer_id,
        is_open=is_open,
        after=after,
        limit=page.fetch,
    )
    found, next_cursor = page.time_page(found, scope, lambda row: row.created_at)
    return schemas.LegalReviewPage(
        items=[schemas.LegalReview.model_validate(r) for r in found], next_cursor=next_cursor
    )


@router.post(
    "",
    status_code=201,
    response_model=schemas.LegalReview,
    dependencies=[allowed(P.ASSESSMENTS_RECORD)],
)
async def request_legal_review(
    body: schemas.LegalReviewCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.LegalReview:
    """Ask the legal team about a version (LBBD 7), naming the lawyer if you know whom."""
    review = await legal.request_review(
        session,
        principal,
        document_id=body.document_id,
        version_id=body.version_id,
        question=body.question,
        reviewer_id=body.reviewer_id,
    )
    response.headers["Location"] = f"/v1/legal-reviews/{review.id}"
    return _out(review, response)


@router.get(
    "/{review_id}",
    response_model=schemas.LegalReview,
    dependencies=[allowed(P.LEGAL_REVIEWS_ANSWER)],
)
async def get_legal_review(
    review_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.LegalReview:
    return _out(await legal.get_review(session, principal, review_id), response)


@router.post(
    "/{review_id}/answer",
    response_model=schemas.LegalReview,
    dependencies=[allowed(P.LEGAL_REVIEWS_ANSWER)],
)
async def answer_legal_review(
    review_id: uuid.UUID,
    body: schemas.LegalReviewAnswer,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.LegalReview:
    """Give the advice: the reviewer named, or the policy team when none was. An answer is
    final: a second one answers 409."""
    review = await legal.get_review(session, principal, review_id, for_update=True)
    review = await legal.answer_review(
        session, principal, review, advice=body.advice, outcome=body.outcome
    )
    return _out(review, response)

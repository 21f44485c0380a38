"""Reviews as records: start, state no change, confirm or refuse it, amend, cancel; impact."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response

from services.api.deps import CurrentPrincipal, LagTolerantSession, Session
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.monitoring.schemas import ReviewFindings
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.reviews import schemas
from services.api.routing import Router
from services.domain.authz.permissions import Permission as P
from services.domain.implementation import findings
from services.domain.models.documents import Document
from services.domain.models.reviews import Review, ReviewDocument, ReviewStatus
from services.domain.reviews import cascade_flags, impact, outcomes
from services.domain.reviews import service as reviews
from services.domain.reviews.commands import NewReview

router = Router(prefix="/v1/reviews", tags=["reviews"])


def _out(review: Review, response: Response) -> schemas.Review:
    set_etag(response, review.row_version)
    return schemas.Review.model_validate(review)


async def _with_findings(
    session: Session, principal: CurrentPrincipal, review: Review, response: Response
) -> schemas.Review:
    """The review with what implementation monitoring found about its document."""
    out = _out(review, response)
    found = await findings.review_findings(session, principal, review)
    out.monitoring = ReviewFindings.model_validate(found)
    out.cascades = [
        schemas.CascadeOrigin(
            flag_id=view.flag.id,
            parent_document_id=view.parent.id,
            parent_reference=view.parent.reference,
            parent_title=view.parent.title,
            parent_version=view.flag.parent_number,
            previous_version=view.flag.previous_number,
            diff_path=view.diff_path,
            link_kind=view.flag.link_kind,
            status=view.flag.status,
        )
        for view in await cascade_flags.origins_of(session, review)
    ]
    return out


def _added(row: ReviewDocument, document: Document) -> schemas.ReviewDocument:
    return schemas.ReviewDocument(
        id=row.id,
        document_id=document.id,
        reference=document.reference,
        title=document.title,
        reason=row.reason,
        added_by_id=row.added_by_id,
        added_at=row.added_at,
    )


@router.get("", response_model=schemas.ReviewPage, dependencies=[allowed(P.TRACKER_READ)])
async def list_reviews(
    session: LagTolerantSession,
    principal: CurrentPrincipal,
    page: Page,
    document_id: uuid.UUID | None = None,
    status: schemas.ReviewStatus | None = None,
    kind: schemas.ReviewKind | None = None,
    is_open: Annotated[
        bool | None,
        Query(alias="open", description="true: in progress or awaiting confirmation."),
    ] = None,
) -> schemas.ReviewPage:
    """The reviews you may read, oldest first: of a document, by status or kind, open or not."""
    scope = {
        "document_id": str(document_id) if document_id else None,
        "status": status,
        "kind": kind,
        "open": is_open,
    }
    after = page.after_time(scope)
    found = await reviews.list_reviews(
        session,
        principal,
        document_id=document_id,
        status=ReviewStatus(status) if status else None,
        kind=kind,
        is_open=is_open,
        after=after,
        limit=page.fetch,
    )
    found, next_cursor = page.time_page(found, scope, lambda row: row.created_at)
    return schemas.ReviewPage(
        items=[schemas.Review.model_validate(r) for r in found], next_cursor=next_cursor
    )


@router.post(
    "", status_code=201, response_model=schemas.Review, dependencies=[allowed(P.REVIEWS_RUN)]
)
async def start_review(
    body: schemas.ReviewCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.Review:
    """Start a review of a published document (its RO, owner or author, or the policy team):
    the document goes `under_review`. One open review per document: a second answers 409."""
    review = await reviews.start_review(session, principal, NewReview.of(body.model_dump()))
    response.headers["Location"] = f"/v1/reviews/{review.id}"
    return await _with_findings(session, principal, review, response)


@router.get("/{review_id}", response_model=schemas.Review, dependencies=[allowed(P.TRACKER_READ)])
async def get_review(
    review_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.Review:
    """A review, with what implementation monitoring found about its document (Cafcass 8.1:
    the review considers "the success of the policy, what has worked what hasn't")."""
    review = await reviews.get_review(session, principal, review_id)
    return await _with_findings(session, principal, review, response)


@router.post(
    "/{review_id}/no-change", response_model=schemas.Review, dependencies=[allowed(P.REVIEWS_RUN)]
)
async def state_no_change(
    review_id: uuid.UUID,
    body: schemas.NoChangeStatement,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.Review:
    """The RO states that no change is needed; the owner (RSM) is asked to confirm.
    Needs `If-Match`."""
    expected = expected_version(if_match)
    review = await reviews.get_review(session, principal, review_id, for_update=True)
    review = await outcomes.state_no_change(
        session, principal, review, statement=body.statement, expected_version=expected
    )
    return _out(review, response)


@router.post(
    "/{review_id}/confirm", response_model=schemas.Review, dependencies=[allowed(P.REVIEWS_CONFIRM)]
)
async def confirm_no_change(
    review_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.Review:
    """The owner (RSM) or the policy team confirms no change: the review completes and the
    next review is due one review interval from today. Needs `If-Match`."""
    expected = expected_version(if_match)
    review = await reviews.get_review(session, principal, review_id, for_update=True)
    review = await outcomes.confirm_no_change(session, principal, review, expected_version=expected)
    return _out(review, response)


@router.post(
    "/{review_id}/refuse-no-change",
    response_model=schemas.Review,
    dependencies=[allowed(P.REVIEWS_CONFIRM)],
)
async def refuse_no_change(
    review_id: uuid.UUID,
    body: schemas.NoChangeRefusal,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.Review:
    """The owner (RSM) does not accept the statement: the review goes back to the RO.
    Needs `If-Match`."""
    expected = expected_version(if_match)
    review = await reviews.get_review(session, principal, review_id, for_update=True)
    review = await outcomes.refuse_no_change(
        session, principal, review, reasons=body.reasons, expected_version=expected
    )
    return _out(review, response)


@router.post(
    "/{review_id}/amended", response_model=schemas.Review, dependencies=[allowed(P.REVIEWS_RUN)]
)
async def mark_amended(
    review_id: uuid.UUID,
    body: schemas.Amended,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.Review:
    """The review leads to amendments: name the new draft, then submit it for sign-off
    (`POST /v1/sign-offs`); its issue completes the review. Needs `If-Match`."""
    expected = expected_version(if_match)
    review = await reviews.get_review(session, principal, review_id, for_update=True)
    review = await outcomes.mark_amended(
        session, principal, review, version_id=body.version_id, expected_version=expected
    )
    return _out(review, response)


@router.post(
    "/{review_id}/cancel", response_model=schemas.Review, dependencies=[allowed(P.REVIEWS_RUN)]
)
async def cancel_review(
    review_id: uuid.UUID,
    body: schemas.ReviewCancellation,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.Review:
    """Stop the review (whoever started it, or the policy team); the document goes back to
    its status before the review. Needs `If-Match`."""
    expected = expected_version(if_match)
    review = await reviews.get_review(session, principal, review_id, for_update=True)
    review = await outcomes.cancel_review(
        session, principal, review, reason=body.reason, expected_version=expected
    )
    return _out(review, response)


@router.get(
    "/{review_id}/impact",
    response_model=list[schemas.ImpactedDocument],
    dependencies=[allowed(P.TRACKER_READ)],
)
async def review_impact(
    review_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> list[schemas.ImpactedDocument]:
    """Documents that may need the same change (NCT 3.4(c)(ii)): linked by governs,
    implements or form_for either way, sharing a tag, or in the same service area; each with
    its reasons. Not the document itself, retired or superseded ones, or ones already added."""
    review = await reviews.get_review(session, principal, review_id)
    return [
        schemas.ImpactedDocument(
            document_id=c.document.id,
            reference=c.document.reference,
            title=c.document.title,
            status=c.document.status,
            reasons=c.reasons,
        )
        for c in await impact.candidates(session, review)
    ]


@router.get(
    "/{review_id}/documents",
    response_model=list[schemas.ReviewDocument],
    dependencies=[allowed(P.TRACKER_READ)],
)
async def list_review_documents(
    review_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> list[schemas.ReviewDocument]:
    """The other documents added to the review, in the order they were added."""
    review = await reviews.get_review(session, principal, review_id)
    return [_added(row, doc) for row, doc in await impact.review_documents(session, review)]


@router.post(
    "/{review_id}/documents",
    status_code=201,
    response_model=list[schemas.ReviewDocument],
    dependencies=[allowed(P.REVIEWS_RUN)],
)
async def add_review_documents(
    review_id: uuid.UUID,
    body: schemas.ReviewDocumentsAdd,
    session: Session,
    principal: CurrentPrincipal,
) -> list[schemas.ReviewDocument]:
    """The RO (or the policy team) adds documents that may need the same change; without a
    reason, the impact list's reasons are kept. Answers the review's documents."""
    review = await reviews.get_review(session, principal, review_id, for_update=True)
    await impact.add_documents(
        session, principal, review, [(d.document_id, d.reason) for d in body.documents]
    )
    return [_added(row, doc) for row, doc in await impact.review_documents(session, review)]

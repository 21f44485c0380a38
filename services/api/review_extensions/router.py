"""Review extensions: the responsible officer asks to move a review date; the owner or the
policy team agrees or refuses; the list (the decision queue); the organisation's limits."""

from __future__ import annotations

import uuid

from fastapi import Response

from services.api.deps import CurrentPrincipal, Session
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.review_extensions import schemas
from services.api.routing import Router
from services.domain.authz.permissions import Permission as P
from services.domain.errors import PreconditionFailed
from services.domain.models.documents import Document
from services.domain.models.review_extensions import ReviewExtension, ReviewExtensionStatus
from services.domain.review_extensions import decisions, limits, rules, service
from services.domain.review_extensions.commands import (
    ExtensionLimits,
    NewReviewExtension,
    ReviewExtensionDecision,
)

router = Router(prefix="/v1/review-extensions", tags=["review-extensions"])
document_router = Router(prefix="/v1/documents", tags=["review-extensions"])
limits_router = Router(prefix="/v1/organisation", tags=["review-extensions"])


def _view(extension: ReviewExtension, document: Document) -> schemas.ReviewExtension:
    fields = {
        name: getattr(extension, name)
        for name in schemas.ReviewExtension.model_fields
        if name not in ("reference", "title", "is_current")
    }
    return schemas.ReviewExtension.model_validate(
        {
            **fields,
            "reference": document.reference,
            "title": document.title,
            "is_current": rules.is_current(extension, document),
        }
    )


def _out(
    extension: ReviewExtension, document: Document, response: Response
) -> schemas.ReviewExtension:
    set_etag(response, extension.row_version)
    return _view(extension, document)


def _check(extension: ReviewExtension, if_match: str | None) -> None:
    if extension.row_version != expected_version(if_match):
        raise PreconditionFailed("The request has changed since you read it; fetch it again.")


@document_router.post(
    "/{document_id}/review-extensions",
    status_code=201,
    response_model=schemas.ReviewExtension,
    dependencies=[allowed(P.REVIEWS_RUN)],
)
async def request_review_extension(
    document_id: uuid.UUID,
    body: schemas.ReviewExtensionCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.ReviewExtension:
    """Ask to move the document's review date to a later one, with reasons (its responsible
    officer, or its owner standing in). The owner is emailed (the policy team when the owner
    is asking). One request waits per document (409 while one does); beyond the
    organisation's limits it is refused at once: 409 once the review period has had
    `max_extensions`, 422 past `max_months` (the problem's `limit` names which)."""
    command = NewReviewExtension.of(body.model_dump(exclude_unset=True))
    created = await service.request_extension(session, principal, document_id, command)
    document = await session.get(Document, created.document_id)
    assert document is not None
    response.headers["Location"] = f"/v1/review-extensions/{created.id}"
    return _out(created, document, response)


@router.get("", response_model=schemas.ReviewExtensionPage, dependencies=[allowed(P.TRACKER_READ)])
async def list_review_extensions(
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
    document_id: uuid.UUID | None = None,
    status: schemas.ReviewExtensionStatus | None = None,
    requested_by_id: uuid.UUID | None = None,
) -> schemas.ReviewExtensionPage:
    """The organisation's requests to move review dates, oldest first: `status=pending` is the
    queue to decide; by `document_id` a document's history; by `requested_by_id` one RO's."""
    scope = {
        "document_id": str(document_id) if document_id else None,
        "status": status,
        "requested_by_id": str(requested_by_id) if requested_by_id else None,
    }
    found = await service.list_extensions(
        session,
        principal,
        document_id=document_id,
        status=ReviewExtensionStatus(status) if status else None,
        requested_by_id=requested_by_id,
        after=page.after_time(scope),
        limit=page.fetch,
    )
    rows, next_cursor = page.page(
        found, scope, lambda row: [row[0].created_at.isoformat(), str(row[0].id)]
    )
    return schemas.ReviewExtensionPage(
        items=[_view(e, d) for e, d in rows], next_cursor=next_cursor
    )


@router.get(
    "/{extension_id}",
    response_model=schemas.ReviewExtension,
    dependencies=[allowed(P.TRACKER_READ)],
)
async def get_review_extension(
    extension_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.ReviewExtension:
    extension, document = await service.get_extension(session, principal, extension_id)
    return _out(extension, document, response)


@router.post(
    "/{extension_id}/agree",
    response_model=schemas.ReviewExtension,
    dependencies=[allowed(P.REVIEWS_CONFIRM)],
)
async def agree_review_extension(
    extension_id: uuid.UUID,
    body: schemas.ReviewExtensionAgree,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.ReviewExtension:
    """Agree, with a note (the document's owner or the policy team; never the requester, 403
    `segregation_of_duties`): the review date moves to `agreed_due` (the date asked for
    unless an earlier one is given), and the tracker and reminders follow it. 409 once
    decided, or when the review date moved since it was asked. Needs `If-Match`."""
    extension, document = await service.get_extension(
        session, principal, extension_id, for_update=True
    )
    _check(extension, if_match)
    decision = ReviewExtensionDecision.of({"outcome": "agreed", **body.model_dump()})
    decided = await decisions.decide_extension(session, principal, extension, document, decision)
    return _out(decided, document, response)


@router.post(
    "/{extension_id}/refuse",
    response_model=schemas.ReviewExtension,
    dependencies=[allowed(P.REVIEWS_CONFIRM)],
)
async def refuse_review_extension(
    extension_id: uuid.UUID,
    body: schemas.ReviewExtensionRefuse,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.ReviewExtension:
    """Refuse, with a note (the document's owner or the policy team; never the requester): the
    review date stays. 409 once decided. Needs `If-Match`."""
    extension, document = await service.get_extension(
        session, principal, extension_id, for_update=True
    )
    _check(extension, if_match)
    decision = ReviewExtensionDecision.of({"outcome": "refused", "note": body.note})
    decided = await decisions.decide_extension(session, principal, extension, document, decision)
    return _out(decided, document, response)


@router.post(
    "/{extension_id}/withdraw",
    response_model=schemas.ReviewExtension,
    dependencies=[allowed(P.REVIEWS_RUN)],
)
async def withdraw_review_extension(
    extension_id: uuid.UUID,
    body: schemas.ReviewExtensionWithdraw,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.ReviewExtension:
    """Withdraw a request not yet decided, with a reason (its requester or the policy team).
    409 once decided. Needs `If-Match`."""
    extension, document = await service.get_extension(
        session, principal, extension_id, for_update=True
    )
    _check(extension, if_match)
    ended = await service.withdraw_extension(session, principal, extension, body.reason)
    return _out(ended, document, response)


def _limits(found: limits.StoredLimits, response: Response) -> schemas.ReviewExtensionLimits:
    set_etag(response, found.row_version)
    return schemas.ReviewExtensionLimits(
        max_months=found.limits.max_months, max_extensions=found.limits.max_extensions
    )


@limits_router.get(
    "/review-extension-limits",
    response_model=schemas.ReviewExtensionLimits,
    dependencies=[allowed(P.TRACKER_READ)],
)
async def get_review_extension_limits(
    session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.ReviewExtensionLimits:
    """How far, and how often, the organisation lets a review date be moved (the defaults, 3
    months and one extension per review period, until set)."""
    return _limits(await limits.read_limits(session, principal), response)


@limits_router.put(
    "/review-extension-limits",
    response_model=schemas.ReviewExtensionLimits,
    dependencies=[allowed(P.DOCUMENTS_MANAGE)],
)
async def set_review_extension_limits(
    body: schemas.ReviewExtensionLimits,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.ReviewExtensionLimits:
    """Set both limits (admins and the policy team). Requests already agreed stay; the next
    request and decision are held to the new limits. Needs `If-Match` (`"r0"` before the
    first setting)."""
    expected = expected_version(if_match)
    command = ExtensionLimits.of(body.model_dump())
    return _limits(
        await limits.set_limits(session, principal, command, expected_version=expected), response
    )

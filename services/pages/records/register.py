"""Pages about the register: a document (and its issued file), a policy request, a review,
and the organisation's tracker."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from services.domain.clock import london_today
from services.domain.documents import service as documents
from services.domain.documents import versions
from services.domain.documents.review_dates import ReviewRules
from services.domain.errors import NotFound
from services.domain.models.people import Person
from services.domain.policy_requests.service import get_request
from services.domain.reviews.service import get_review
from services.domain.tracker.service import summarise
from services.pages.records.opening import Opened, file_answer, page
from services.pages.routing import page_router

router = page_router()


async def name_of(session: AsyncSession, person_id: uuid.UUID | None) -> str | None:
    """A person's name for a page (None for nobody)."""
    person = await session.get(Person, person_id) if person_id else None
    return person.name if person is not None else None


@page(router, "/documents/{document_id:uuid}")
async def document_page(opened: Opened) -> Response:
    """A document's register entry: what it is, who answers for it, its next review."""
    session = opened.session
    document = await documents.get_document(session, opened.principal, opened.id("document_id"))
    issued = document.issued_version is not None
    return await opened.page(
        "document.html",
        f"{document.reference} {document.title}",
        document=document,
        owner_name=await name_of(session, document.owner_id),
        officer_name=await name_of(session, documents.acting_responsible_officer_id(document)),
        file_url=opened.file_link(f"/documents/{document.id}/file") if issued else None,
    )


@page(router, "/documents/{document_id:uuid}/file", under="/documents/{document_id}")
async def document_file(opened: Opened) -> Response:
    """The issued version's file, under the document page's link."""
    session, principal = opened.session, opened.principal
    document = await documents.get_document(session, principal, opened.id("document_id"))
    if document.issued_version is None:
        raise NotFound("This document has no issued version yet.")
    found = await versions.get_version(session, principal, document, document.issued_version)
    return file_answer(found, await versions.read_file(session, found))


@page(router, "/policy-requests/{request_id:uuid}")
async def policy_request_page(opened: Opened) -> Response:
    """A request to the policy service: what was asked, and what became of it."""
    asked = await get_request(opened.session, opened.principal, opened.id("request_id"))
    return await opened.page(
        "policy_request.html",
        f"Request: {asked.title}",
        asked=asked,
        requested_by_name=await name_of(opened.session, asked.requested_by_id),
        triaged_by_name=await name_of(opened.session, asked.triaged_by_id),
    )


@page(router, "/reviews/{review_id:uuid}")
async def review_page(opened: Opened) -> Response:
    """A review of a document: why, its status, and a statement of no change to confirm."""
    session, principal = opened.session, opened.principal
    review = await get_review(session, principal, opened.id("review_id"))
    document = await documents.get_document(session, principal, review.document_id)
    return await opened.page(
        "review.html",
        f"Review of {document.reference} {document.title}",
        review=review,
        document=document,
        statement_by_name=await name_of(session, review.statement_by_id),
        confirmed_by_name=await name_of(session, review.confirmed_by_id),
    )


@page(router, "/tracker")
async def tracker_page(opened: Opened) -> Response:
    """The organisation's tracker in counts: on track, due soon, overdue, escalated."""
    today = london_today()
    rules = ReviewRules.from_settings(opened.settings)
    summary = await summarise(opened.session, opened.principal, today=today, rules=rules)
    return await opened.page("tracker.html", "Tracker", today=today, summary=summary)

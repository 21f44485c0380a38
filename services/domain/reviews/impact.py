"""Which other documents a review's change may touch, and the ones the RO adds to the review.

NCT 3.4(c)(ii): a change in practice or structure can impact multiple procedures; every effort
should be made to identify all of them so amendments stay consistent throughout the Manual.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import reviews as authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.db import new_id
from services.domain.errors import Conflict, Invalid
from services.domain.models.documents import NO_LONGER_IN_FORCE, Document, DocumentLink
from services.domain.models.reviews import OPEN_REVIEW_STATUSES, Review, ReviewDocument

# Links along which a change travels: a policy governs procedures, a procedure implements a
# policy, a form is for a procedure. 'relates_to' is too loose and 'supersedes' points at
# documents no longer in force.
IMPACT_LINKS = ("governs", "implements", "form_for")
# A service area or a common tag can hold hundreds of documents: the list stays readable.
MAX_CANDIDATES = 200
_PHRASES = {"governs": "governs", "implements": "implements", "form_for": "is a form for"}


@dataclass
class Candidate:
    """A document that may need the same change, and why."""

    document: Document
    reasons: list[str] = field(default_factory=list)
    linked: bool = False


async def _reviewed(session: AsyncSession, review: Review) -> Document:
    document = await session.get(Document, review.document_id)
    assert document is not None
    return document


async def _added_ids(session: AsyncSession, review: Review) -> set[uuid.UUID]:
    rows = await session.execute(
        select(ReviewDocument.document_id).where(ReviewDocument.review_id == review.id)
    )
    return set(rows.scalars())


async def _linked(
    session: AsyncSession, reviewed: Document, in_force: Sequence[ColumnElement[bool]]
) -> list[tuple[Document, str]]:
    """The documents linked to the reviewed one along a link a change travels, either way,
    each with the link as a reason, in the order the links were made."""
    links = await session.execute(
        select(DocumentLink, Document)
        .join(
            Document,
            or_(
                (DocumentLink.source_id == reviewed.id) & (Document.id == DocumentLink.target_id),
                (DocumentLink.target_id == reviewed.id) & (Document.id == DocumentLink.source_id),
            ),
        )
        .where(DocumentLink.kind.in_(IMPACT_LINKS), *in_force)
        .order_by(DocumentLink.created_at, DocumentLink.id)
    )
    found: list[tuple[Document, str]] = []
    for row in links.all():
        link, other = row[0], row[1]
        phrase = _PHRASES[link.kind]
        if link.source_id == reviewed.id:
            found.append((other, f"{reviewed.reference} {phrase} it"))
        else:
            found.append((other, f"it {phrase} {reviewed.reference}"))
    return found


async def candidates(session: AsyncSession, review: Review) -> list[Candidate]:
    """Documents linked to the reviewed one (either way), sharing a tag or its service area.

    Not the document itself, not retired or superseded ones, not ones already added. Linked
    documents come first, then those with most reasons, then by reference.
    """
    reviewed = await _reviewed(session, review)
    found: dict[uuid.UUID, Candidate] = {}
    skip = await _added_ids(session, review) | {reviewed.id}
    in_force = (
        Document.organisation_id == reviewed.organisation_id,
        Document.status.not_in(NO_LONGER_IN_FORCE),
        Document.id.not_in(skip),
    )

    def _add(document: Document, reason: str, *, linked: bool = False) -> None:
        candidate = found.setdefault(document.id, Candidate(document))
        candidate.reasons.append(reason)
        candidate.linked = candidate.linked or linked

    for other, reason in await _linked(session, reviewed, in_force):
        _add(other, reason, linked=True)
    if reviewed.tags:
        tagged = await session.execute(
            select(Document)
            .where(Document.tags.overlap(reviewed.tags), *in_force)
            .order_by(Document.reference)
            .limit(MAX_CANDIDATES)
        )
        for other in tagged.scalars():
            for tag in sorted(set(other.tags) & set(reviewed.tags)):
                _add(other, f"shares the tag {tag!r}")
    if reviewed.service_area:
        same_area = await session.execute(
            select(Document)
            .where(func.lower(Document.service_area) == reviewed.service_area.lower(), *in_force)
            .order_by(Document.reference)
            .limit(MAX_CANDIDATES)
        )
        for other in same_area.scalars():
            _add(other, f"same service area: {reviewed.service_area}")
    ranked = sorted(
        found.values(), key=lambda c: (not c.linked, -len(c.reasons), c.document.reference)
    )
    return ranked[:MAX_CANDIDATES]


def _why_add(
    document: Document,
    reason: str,
    *,
    reviewed: Document,
    already: set[uuid.UUID],
    known: dict[uuid.UUID, Candidate],
) -> str:
    """Why ``document`` is added to the review (the reason given, else the impact list's), or
    the refusal: the reviewed document itself, one already added or no longer in force, or one
    with no reason at all."""
    if document.id == reviewed.id:
        raise Invalid("The reviewed document is the review's own.", field="documents")
    if document.id in already:
        raise Conflict(f"{document.reference} is already part of this review.")
    if document.status in NO_LONGER_IN_FORCE:
        raise Invalid(f"{document.reference} is {document.status}.", field="documents")
    why = reason.strip() or "; ".join(known[document.id].reasons if document.id in known else [])
    if not why:
        raise Invalid(f"Say why {document.reference} may need the same change.", field="documents")
    return why


async def add_documents(
    session: AsyncSession,
    principal: Principal,
    review: Review,
    additions: Sequence[tuple[uuid.UUID, str]],
) -> list[ReviewDocument]:
    """Add (document id, reason) pairs to an open review; an empty reason takes the impact
    list's reasons, and a document not on that list needs one."""
    reviewed = await _reviewed(session, review)
    authz.check_add_documents(principal, reviewed)
    if review.status not in OPEN_REVIEW_STATUSES:
        raise Conflict(f"The review is {review.status}.")
    if not additions:
        raise Invalid("Name at least one document.", field="documents")
    ids = [document_id for document_id, _ in additions]
    if len(set(ids)) != len(ids):
        raise Invalid("A document is named twice.", field="documents")
    known = {c.document.id: c for c in await candidates(session, review)}
    already = await _added_ids(session, review)
    rows = await session.execute(
        select(Document).where(
            Document.id.in_(ids), Document.organisation_id == review.organisation_id
        )
    )
    documents = {d.id: d for d in rows.scalars()}
    added: list[ReviewDocument] = []
    for document_id, reason in additions:
        document = documents.get(document_id)
        if document is None:
            raise Invalid(f"No such document: {document_id}.", field="documents")
        why = _why_add(document, reason, reviewed=reviewed, already=already, known=known)
        row = ReviewDocument(
            id=new_id(),
            organisation_id=review.organisation_id,
            review_id=review.id,
            document_id=document.id,
            reason=why[:300],
            added_by_id=principal.person_id,
            added_at=utcnow(),
        )
        session.add(row)
        added.append(row)
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        review,
        "review.documents_added",
        after={"documents": [audit.snapshot(row) for row in added]},
    )
    return added


async def review_documents(
    session: AsyncSession, review: Review
) -> list[tuple[ReviewDocument, Document]]:
    """The documents added to a review, in the order they were added."""
    rows = await session.execute(
        select(ReviewDocument, Document)
        .join(Document, Document.id == ReviewDocument.document_id)
        .where(ReviewDocument.review_id == review.id)
        .order_by(ReviewDocument.added_at, ReviewDocument.id)
    )
    return [(row[0], row[1]) for row in rows.all()]

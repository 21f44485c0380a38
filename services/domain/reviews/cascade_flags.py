"""Cascade flags as records: listing them, dismissing one, opening a review from one, and the
cascade a review came from.

A flag is what an amended parent's issue left for a linked document's RO
(reviews/cascades.py). The RO (or the owner, the author, the policy team) either dismisses it
with a reason (the change does not touch this document) or opens the review it calls for.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import cascades as authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.errors import Conflict, NotFound
from services.domain.locks import lock_document
from services.domain.models.cascades import CascadeFlag, CascadeStatus
from services.domain.models.documents import Document, DocumentStatus, DocumentVersion
from services.domain.models.reviews import OPEN_REVIEW_STATUSES, Review
from services.domain.pagination import after_position
from services.domain.reviews.cascades import diff_path, trigger_detail
from services.domain.reviews.commands import NewReview
from services.domain.reviews.service import open_review


@dataclass(frozen=True)
class FlagView:
    """A flag with its child and parent documents, as the API shows it."""

    flag: CascadeFlag
    document: Document
    parent: Document

    @property
    def diff_path(self) -> str:
        return diff_path(self.flag)


async def list_flags(
    session: AsyncSession,
    principal: Principal,
    *,
    document_id: uuid.UUID | None = None,
    parent_document_id: uuid.UUID | None = None,
    is_open: bool | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[FlagView]:
    """The flags the caller may read (their documents'; every one for the policy team),
    oldest first: of a document, from a parent, open or not."""
    parent = Document.__table__.alias("parent")
    query = (
        select(CascadeFlag, Document, parent.c.id)
        .join(Document, Document.id == CascadeFlag.document_id)
        .join(parent, parent.c.id == CascadeFlag.parent_document_id)
        .where(CascadeFlag.organisation_id == principal.organisation_id, authz.readable(principal))
    )
    if document_id is not None:
        query = query.where(CascadeFlag.document_id == document_id)
    if parent_document_id is not None:
        query = query.where(CascadeFlag.parent_document_id == parent_document_id)
    if is_open is not None:
        open_ = CascadeFlag.status == CascadeStatus.OPEN
        query = query.where(open_ if is_open else ~open_)
    query = after_position(query, CascadeFlag.created_at, CascadeFlag.id, after).limit(limit)
    rows = (await session.execute(query)).all()
    parents = await _documents(session, {parent_id for _, _, parent_id in rows})
    return [FlagView(flag, document, parents[parent_id]) for flag, document, parent_id in rows]


async def _documents(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, Document]:
    if not ids:
        return {}
    found = await session.execute(select(Document).where(Document.id.in_(ids)))
    return {document.id: document for document in found.scalars()}


async def get_flag(
    session: AsyncSession, principal: Principal, flag_id: uuid.UUID, *, for_update: bool = False
) -> FlagView:
    """A flag the caller may read; another organisation's, or one they may not see, is
    missing. ``for_update`` locks its document, then the flag (services.domain.locks)."""
    query = select(CascadeFlag).where(
        CascadeFlag.id == flag_id, CascadeFlag.organisation_id == principal.organisation_id
    )
    flag = (await session.execute(query)).scalar_one_or_none()
    if flag is None:
        raise NotFound("No such cascade flag.")
    if for_update:
        await lock_document(session, flag.document_id)
        query = query.with_for_update().execution_options(populate_existing=True)
        flag = (await session.execute(query)).scalar_one()
    documents = await _documents(session, {flag.document_id, flag.parent_document_id})
    document = documents[flag.document_id]
    if not authz.can_read(principal, document):
        raise NotFound("No such cascade flag.")
    return FlagView(flag, document, documents[flag.parent_document_id])


def _check_open(flag: CascadeFlag) -> None:
    if flag.status != CascadeStatus.OPEN:
        raise Conflict(
            f"The flag is {flag.status.replace('_', ' ')}: only an open flag can be dismissed "
            "or made a review.",
            flag_status=flag.status,
        )


async def _decided(
    session: AsyncSession, principal: Principal, flag: CascadeFlag, action: str, before: dict
) -> None:
    flag.decided_by_id = principal.person_id
    flag.decided_at = utcnow()
    await session.flush()
    await audit_changes.record_change(session, principal, flag, action, before=before)


async def dismiss_flag(
    session: AsyncSession, principal: Principal, view: FlagView, *, reason: str
) -> FlagView:
    """The parent's change does not call for a review of this document: the flag is closed
    with the reason, by whom and when."""
    authz.check_decide(principal, view.document)
    _check_open(view.flag)
    before = audit.snapshot(view.flag)
    view.flag.status = CascadeStatus.DISMISSED
    view.flag.dismissed_reason = reason
    await _decided(session, principal, view.flag, "cascade.dismissed", before)
    return view


async def open_review_from_flag(
    session: AsyncSession, principal: Principal, view: FlagView
) -> tuple[FlagView, Review]:
    """Open the unscheduled review the flag calls for (``parent_changed``), started by the
    caller; a document already under review has the flag noted on that review instead."""
    authz.check_decide(principal, view.document)
    flag, document = view.flag, view.document
    _check_open(flag)
    before = audit.snapshot(flag)
    already = await _open_review_of(session, document.id)
    if already is not None:
        flag.status, flag.review_id = CascadeStatus.ATTACHED, already.id
        await _decided(session, principal, flag, "cascade.attached", before)
        return view, already
    if document.status != DocumentStatus.PUBLISHED:
        raise Conflict(
            f"The document is {document.status.replace('_', ' ')}: only a published document "
            "can be reviewed.",
            document_status=document.status,
        )
    version = await session.get(DocumentVersion, flag.parent_version_id)
    command = NewReview(
        document_id=document.id,
        kind="unscheduled",
        trigger="parent_changed",
        trigger_detail=trigger_detail(view.parent, flag, version.issued_on if version else None),
    )
    review = await open_review(
        session, principal, document, command, started_by_id=principal.person_id
    )
    flag.status, flag.review_id = CascadeStatus.REVIEW_OPENED, review.id
    await _decided(session, principal, flag, "cascade.review_opened", before)
    return view, review


async def _open_review_of(session: AsyncSession, document_id: uuid.UUID) -> Review | None:
    found = await session.execute(
        select(Review).where(
            Review.document_id == document_id, Review.status.in_(OPEN_REVIEW_STATUSES)
        )
    )
    return found.scalar_one_or_none()


async def origins_of(session: AsyncSession, review: Review) -> list[FlagView]:
    """The parents' issues a review came from, or that were noted on it, oldest first."""
    rows = (
        (
            await session.execute(
                select(CascadeFlag)
                .where(CascadeFlag.review_id == review.id)
                .order_by(CascadeFlag.created_at, CascadeFlag.id)
            )
        )
        .scalars()
        .all()
    )
    ids = {review.document_id, *(flag.parent_document_id for flag in rows)}
    documents = await _documents(session, ids) if rows else {}
    return [
        FlagView(flag, documents[flag.document_id], documents[flag.parent_document_id])
        for flag in rows
    ]

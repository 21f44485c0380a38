"""A further reason for a review already open: recorded on it, never a second review.

One open review per document is a rule of the database (``uq_reviews_open_document``). When
something else calls for a review of a document already under review (a change to a statutory
source it depends on, NCT 3.2), the reason is attached to the open review (its audit trail says
what and why) so that the reviewer takes it into account.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import service as audit
from services.domain.authz.principal import Principal
from services.domain.models.reviews import OPEN_REVIEW_STATUSES, TRIGGERS, Review
from services.domain.reviews.service import record_review_change


async def open_review_of(session: AsyncSession, document_id: uuid.UUID) -> Review | None:
    """The document's review in progress or awaiting confirmation, if there is one."""
    query = select(Review).where(
        Review.document_id == document_id, Review.status.in_(OPEN_REVIEW_STATUSES)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def add_trigger(
    session: AsyncSession, principal: Principal, review: Review, trigger: str, detail: str
) -> None:
    """Record on an open review that ``trigger`` (one of TRIGGERS) also calls for it."""
    if trigger not in TRIGGERS:
        raise ValueError(f"unknown trigger {trigger!r}")
    await record_review_change(
        session,
        principal,
        review,
        "review.trigger_added",
        audit.snapshot(review),
        added_trigger=trigger,
        added_trigger_detail=detail,
    )

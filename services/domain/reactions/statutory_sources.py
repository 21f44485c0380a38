"""What a change to a statutory source does to the reviews of the documents linked to it.

NCT 3.2: "changes in legislation or statutory guidance" call for an unscheduled review. Each
linked document that is published gets one, with the trigger ``legislation_or_guidance_change``
and the change as its detail, started as whoever recorded the change (the policy team, or the
service itself for a feed), who is told if it ends with no change. A document already under
review keeps its review, with the change attached (one open review per document). Which it
was is handed back on the signal, for the impact rows.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.errors import Conflict
from services.domain.models.documents import Document, DocumentStatus
from services.domain.reviews.commands import NewReview
from services.domain.reviews.service import start_review
from services.domain.reviews.triggers import add_trigger, open_review_of
from services.domain.statutory_sources.signals import ChangeRecorded

TRIGGER = "legislation_or_guidance_change"


async def _attach(
    session: AsyncSession, principal: Principal, document: Document, recorded: ChangeRecorded
) -> None:
    review = await open_review_of(session, document.id)
    if review is None:
        return  # under review with no review record: listed as under review, not attached
    await add_trigger(session, principal, review, TRIGGER, recorded.trigger_detail)
    recorded.attached[document.id] = review.id


async def _open(
    session: AsyncSession, principal: Principal, document: Document, recorded: ChangeRecorded
) -> None:
    command = NewReview(
        document_id=document.id,
        kind="unscheduled",
        trigger=TRIGGER,
        trigger_detail=recorded.trigger_detail,
        requested_by_id=principal.person_id,
    )
    try:
        # A savepoint: a review opened meanwhile (the unique index) costs this document
        # its own review, not the batch.
        async with session.begin_nested():
            review = await start_review(session, principal, command)
    except Conflict:
        await session.refresh(document)
        await _attach(session, principal, document, recorded)
        return
    recorded.opened[document.id] = review.id


async def open_reviews(
    session: AsyncSession, principal: Principal, recorded: ChangeRecorded
) -> None:
    """Open a review of each linked published document, or attach the change to its open one."""
    for document in recorded.documents:
        if document.status == DocumentStatus.PUBLISHED:
            await _open(session, principal, document, recorded)
        elif document.status == DocumentStatus.UNDER_REVIEW:
            await _attach(session, principal, document, recorded)

"""What a sign-off's issue, or its withdrawal, does to the review it was the outcome of."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.authz.principal import Principal
from services.domain.models.documents import Document
from services.domain.models.sign_off import SignOff
from services.domain.reviews import outcomes as reviews
from services.domain.sign_off.signals import IssueWithdrawn


async def complete_review(
    session: AsyncSession, principal: Principal, published: events.DocumentPublished
) -> None:
    """The amended draft of an open review is issued: that review is done. The sign-off keeps
    its id (``before_issue``) to reopen it if the issue is withdrawn."""
    if published.sign_off_id is None:
        return
    document = await session.get(Document, published.document_id)
    assert document is not None
    review = await reviews.complete_on_issue(session, principal, document)
    if review is None:
        return
    sign_off = await session.get(SignOff, published.sign_off_id)
    assert sign_off is not None
    sign_off.before_issue = {**(sign_off.before_issue or {}), "review_id": str(review.id)}


async def reopen_review(
    session: AsyncSession, principal: Principal, withdrawn: IssueWithdrawn
) -> None:
    """The issue that completed an amended review was withdrawn: the review is open again."""
    if withdrawn.went_back and withdrawn.completed_review_id is not None:
        await reviews.reopen_after_withdrawal(
            session, principal, withdrawn.completed_review_id, reason=withdrawn.reason
        )

"""Cascade reviews: an amended parent's issue opens reviews of, or flags, its linked documents.

NCT 3.4(c)(ii): a change can impact several procedures, and every effort should be made to keep
amendments consistent throughout the Manual; Dorset (Forms): forms stay aligned with their
governing procedure. So when a document in force is amended and issued (not its first issue),
each document in force linked to it — the documents it ``governs``, the ones that ``implement``
it and its forms (``form_for``) — is given what the organisation's rule for that link says
(reviews/cascade_rules.py): an unscheduled review with the trigger ``parent_changed``, or a flag
for its RO. A child already under review has the change noted on that review instead; a child
whose own draft is in sign-off, or one past the cap, is flagged. One ``CascadeFlag`` per child
records what was done, in the issue's transaction; a replayed issue adds nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz.principal import Principal
from services.domain.errors import Conflict
from services.domain.models.cascades import CascadeAction, CascadeFlag, CascadeStatus
from services.domain.models.documents import (
    NO_LONGER_IN_FORCE,
    Document,
    DocumentLink,
    DocumentStatus,
    DocumentVersion,
)
from services.domain.models.reviews import OPEN_REVIEW_STATUSES, Review
from services.domain.outbox.service import emit
from services.domain.reviews.cascade_rules import actions_of
from services.domain.reviews.commands import NewReview
from services.domain.reviews.service import open_review

# A parent with hundreds of children must not hold its issue for hundreds of reviews: past
# this many, the rest are flagged for their ROs, who open a review from the flag if needed.
REVIEWS_PER_ISSUE = 25
# What the child is to its parent, by the link that joins them.
_PHRASES = {
    "governs": "{parent} governs this document",
    "implements": "this document implements {parent}",
    "form_for": "this document is a form for {parent}",
}
_STRENGTH = {CascadeAction.OPEN_REVIEW: 2, CascadeAction.FLAG: 1, CascadeAction.NOTHING: 0}
UNDER_REVIEW_NOTE = "Already under review: the parent's change is noted on its open review."
AMENDING_NOTE = "Its own amended draft is in consultation or sign-off: flagged for its RO."
CAP_NOTE = "More reviews asked by one issue than it opens at once: flagged for its RO."
BUSY_NOTE = "It was being changed at the moment of the issue: flagged for its RO."


@dataclass(frozen=True)
class Issue:
    """An amended parent's issue: the parent, the version issued and the one it replaced."""

    parent: Document
    version: DocumentVersion
    previous: DocumentVersion


def diff_path(flag: CascadeFlag) -> str:
    """The API path of what changed in the parent from the replaced version to the issued."""
    return (
        f"/v1/documents/{flag.parent_document_id}/versions/{flag.previous_number}"
        f"/diff/{flag.parent_number}"
    )


def trigger_detail(parent: Document, flag: CascadeFlag, issued_on: date | None = None) -> str:
    """The review's reason: the parent, its old and new versions, and where the diff is."""
    on = f" on {issued_on.isoformat()}" if issued_on else ""
    return (
        f"Parent changed: {parent.reference} {parent.title} was amended and issued as version "
        f"{flag.parent_number} (replacing {flag.previous_number}){on}; "
        f"{_PHRASES[flag.link_kind].format(parent=parent.reference)}. "
        f"What changed: {diff_path(flag)}"
    )[:5000]


async def _children(
    session: AsyncSession, issue: Issue, actions: dict[str, CascadeAction]
) -> list[tuple[Document, str, CascadeAction]]:
    """Each document in force linked to the parent along a link whose rule asks something,
    once, with the link asking the most, ordered by reference."""
    parent_id = issue.parent.id
    rows = await session.execute(
        select(DocumentLink.kind, Document)
        .join(
            Document,
            or_(
                and_(
                    DocumentLink.kind == "governs",
                    DocumentLink.source_id == parent_id,
                    Document.id == DocumentLink.target_id,
                ),
                and_(
                    DocumentLink.kind.in_(("implements", "form_for")),
                    DocumentLink.target_id == parent_id,
                    Document.id == DocumentLink.source_id,
                ),
            ),
        )
        .where(
            DocumentLink.organisation_id == issue.parent.organisation_id,
            Document.status.not_in(NO_LONGER_IN_FORCE),
            # A draft never issued is not in force: its author drafts against the new parent.
            Document.issued_version.is_not(None),
        )
        .order_by(Document.reference, Document.id, DocumentLink.kind)
    )
    chosen: dict[uuid.UUID, tuple[Document, str, CascadeAction]] = {}
    for kind, document in rows.all():
        action = actions[kind]
        held = chosen.get(document.id)
        if held is None or _STRENGTH[action] > _STRENGTH[held[2]]:
            chosen[document.id] = (document, kind, action)
    return [found for found in chosen.values() if found[2] != CascadeAction.NOTHING]


async def _open_reviews(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, Review]:
    rows = await session.execute(
        select(Review).where(Review.document_id.in_(ids), Review.status.in_(OPEN_REVIEW_STATUSES))
    )
    return {review.document_id: review for review in rows.scalars()}


async def _lock_if_free(session: AsyncSession, document_id: uuid.UUID) -> Document | None:
    """The child locked (after the parent: services.domain.locks), or None when another
    transaction holds it: the issue never waits on a child."""
    return (
        await session.execute(
            select(Document)
            .where(Document.id == document_id)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


async def _try_review(
    session: AsyncSession, principal: Principal | None, issue: Issue, flag: CascadeFlag
) -> str | None:
    """Open the review the rule asks for; why not, as the flag's note, when it cannot be."""
    child = await _lock_if_free(session, flag.document_id)
    if child is None:
        return BUSY_NOTE
    if child.status != DocumentStatus.PUBLISHED:
        return AMENDING_NOTE
    command = NewReview(
        document_id=child.id,
        kind="unscheduled",
        trigger="parent_changed",
        trigger_detail=trigger_detail(issue.parent, flag, issue.version.issued_on),
    )
    try:
        async with session.begin_nested():
            review = await open_review(session, principal, child, command, started_by_id=None)
    except Conflict:
        return BUSY_NOTE
    flag.review_id = review.id
    return None


def _flag(issue: Issue, child: Document, kind: str, action: CascadeAction) -> CascadeFlag:
    return CascadeFlag(
        organisation_id=issue.parent.organisation_id,
        document_id=child.id,
        parent_document_id=issue.parent.id,
        parent_version_id=issue.version.id,
        previous_version_id=issue.previous.id,
        parent_number=issue.version.number,
        previous_number=issue.previous.number,
        link_kind=kind,
        action=action,
        status=CascadeStatus.OPEN,
    )


async def _already_done(session: AsyncSession, issue: Issue) -> bool:
    found = await session.execute(
        select(CascadeFlag.id).where(CascadeFlag.parent_version_id == issue.version.id).limit(1)
    )
    return found.first() is not None


async def cascade_issue(
    session: AsyncSession, principal: Principal | None, issue: Issue
) -> list[CascadeFlag]:
    """Give each document linked to the amended parent what its rule asks; record each, audit
    each, and emit one ``ParentChanged`` so that each owner and RO is told once."""
    if await _already_done(session, issue):
        return []
    children = await _children(
        session, issue, await actions_of(session, issue.parent.organisation_id)
    )
    if not children:
        return []
    open_now = await _open_reviews(session, [child.id for child, _, _ in children])
    flags, opened = [], 0
    for child, kind, action in children:
        flag = _flag(issue, child, kind, action)
        if child.id in open_now:
            flag.status, flag.note = CascadeStatus.ATTACHED, UNDER_REVIEW_NOTE
            flag.review_id = open_now[child.id].id
        elif action == CascadeAction.OPEN_REVIEW:
            if opened >= REVIEWS_PER_ISSUE:
                flag.note = CAP_NOTE
            else:
                flag.note = await _try_review(session, principal, issue, flag) or ""
                if flag.review_id is not None:
                    flag.status, opened = CascadeStatus.REVIEW_OPENED, opened + 1
        flags.append(flag)
    session.add_all(flags)
    await session.flush()
    entries = [audit_changes.entry(flag, f"cascade.{flag.status}") for flag in flags]
    await audit.record_many(session, principal, issue.parent.organisation_id, entries)
    await emit(
        session,
        events.ParentChanged(
            organisation_id=issue.parent.organisation_id,
            document_id=issue.parent.id,
            version_id=issue.version.id,
            previous_version_id=issue.previous.id,
            documents=len(flags),
        ),
    )
    return flags

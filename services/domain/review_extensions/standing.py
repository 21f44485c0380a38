"""How a document's review date stands with its extensions, read for one document or a page of
the tracker at once: the agreed extension that set the date (if it still stands), the date the
review period was first due, how many times it was extended, and a pending request.

"Stands" is worked out, never stored: an agreed extension stands while the document's review
date is the one it agreed, in the same review period (same issue, same last review). A review
completed, a version issued or the date changed by hand ends it, wherever that happens.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.db import in_chunks
from services.domain.models.documents import Document
from services.domain.models.review_extensions import ReviewExtension, ReviewExtensionStatus
from services.domain.review_extensions.rules import is_current, stands


@dataclass(frozen=True)
class ExtensionState:
    """A tracked document's extensions in its current review period."""

    # The agreed extension that set the review date, if one stands.
    standing: ReviewExtension | None = None
    # A request waiting for a decision, if one is current.
    pending: ReviewExtension | None = None

    @property
    def is_extended(self) -> bool:
        return self.standing is not None

    @property
    def original_due(self) -> date | None:
        """The date the review was due before it was extended."""
        return self.standing.original_due if self.standing is not None else None

    @property
    def times_extended(self) -> int:
        return self.standing.sequence if self.standing is not None else 0


def _same_period() -> list[ColumnElement[bool]]:
    return [
        ReviewExtension.document_id == Document.id,
        ReviewExtension.issued_version.is_not_distinct_from(Document.issued_version),
        ReviewExtension.last_reviewed_on.is_not_distinct_from(Document.last_reviewed_on),
    ]


def extended_condition() -> ColumnElement[bool]:
    """Documents whose review date an agreed extension set and still stands (the tracker's
    ``extended`` filter; tracked documents only, so status is the tracker's to check)."""
    return exists().where(
        *_same_period(),
        ReviewExtension.status == ReviewExtensionStatus.AGREED,
        ReviewExtension.agreed_due == Document.next_review_due,
    )


def pending_condition() -> ColumnElement[bool]:
    """Documents with a current request waiting for a decision."""
    return exists().where(
        *_same_period(),
        ReviewExtension.status == ReviewExtensionStatus.PENDING,
        ReviewExtension.current_due == Document.next_review_due,
    )


async def states_of(
    session: AsyncSession, documents: Sequence[Document]
) -> dict[uuid.UUID, ExtensionState]:
    """The extension state of each of ``documents`` (a page of the tracker): one query per
    thousand documents, for their agreed and pending requests."""
    by_id = {document.id: document for document in documents}
    found: dict[uuid.UUID, ExtensionState] = {}
    for chunk in in_chunks(list(by_id)):
        rows = await session.execute(
            select(ReviewExtension)
            .where(
                ReviewExtension.document_id.in_(chunk),
                ReviewExtension.status.in_(
                    (ReviewExtensionStatus.AGREED, ReviewExtensionStatus.PENDING)
                ),
            )
            .order_by(ReviewExtension.document_id, ReviewExtension.created_at)
        )
        for extension in rows.scalars():
            document = by_id[extension.document_id]
            state = found.get(document.id, ExtensionState())
            if stands(extension, document):
                # The latest that stands is the one that set the date (created in order).
                state = ExtensionState(extension, state.pending)
            elif is_current(extension, document):
                state = ExtensionState(state.standing, extension)
            found[document.id] = state
    return found


async def state_of(session: AsyncSession, document: Document) -> ExtensionState:
    """``states_of`` for one document."""
    return (await states_of(session, [document])).get(document.id, ExtensionState())

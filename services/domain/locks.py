"""One lock order for every transaction that changes more than one of these rows.

    document  ->  review  ->  sign-off  ->  audit chain head (always last)

Two transactions that take the same row locks in opposite orders can each wait for the other:
PostgreSQL then fails one of them ("deadlock detected") after ``deadlock_timeout``. So every
use case that locks a review locks its document first, even when the request names only the
review (cancelling, completing, amending): ``get_review(..., for_update=True)`` takes the
document before the review, and issuing or withdrawing a version takes the document before the
review it completes or reopens. Audit records lock their organisation's chain head when they
are written, which is after everything else a use case changes.

Consultations keep to their own order, consultation before its document, which the API and the
sweep share (the sweep skips a consultation another transaction holds).
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.documents.models import Document


async def lock_document(session: AsyncSession, document_id: uuid.UUID) -> Document:
    """The document, locked FOR UPDATE and read afresh: the first lock a use case takes."""
    return (
        await session.execute(
            select(Document)
            .where(Document.id == document_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()

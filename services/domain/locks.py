"""One lock order for every transaction that locks more than one row, from the outside in:

    meeting -> agenda item -> sign-off stage -> sign-off -> consultation
            -> request to the policy service -> document -> review
            -> audit chain head (always last)

Two transactions that take the same row locks in opposite orders can each wait for the other:
PostgreSQL then fails one of them ("deadlock detected") after ``deadlock_timeout``. So:

- the document comes before its review, even when a request names only the review
  (cancelling, amending, stating no change): ``get_review(..., for_update=True)`` locks the
  document first, and issuing or withdrawing a version locks the document before the review
  it completes or reopens (``complete_on_issue``, ``reopen_after_withdrawal``);
- a process that a request names (a meeting minuted, a sign-off decided or withdrawn, a
  consultation closed) is locked first, then the document it changes: a board's decision
  locks the stage, its sign-off, then the document as it issues; closing a consultation (the
  API, or the sweep, which skips one another transaction holds) locks it, then its document;
  accepting a request to the policy service into a review locks the request, then the
  document its review starts on;
- an amended issue's cascade (``reviews/cascades.py``) locks the documents linked to the
  issued one after it and its review, with SKIP LOCKED: a linked document another transaction
  holds is flagged for its RO instead, so the issue never waits on it;
- audit records lock their organisation's chain head when written, after everything else.

Nothing locks a document and then a sign-off, a consultation, a meeting or a request to the
policy service.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.models.documents import Document


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

"""The engagement gate: a workshop or review session held on the document for this draft (or
an earlier one) since the document was last issued.

LBBD 4: "Carry out co-production workshops/focus groups together with staff members and
residents". NCT 4.1.1: a Review Session "to allow relevant professionals the opportunity to
agree what (if any) amendments are required". A pure read of the records.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.gates.history import last_issue_before, shaped_by
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.engagement_sessions import EngagementSession, EngagementStatus


async def engagement_session_held(
    session: AsyncSession, document: Document, version: DocumentVersion
) -> str | None:
    """None when a session was held on this draft or an earlier one since the last issue (or,
    about no draft in particular, on or after the last issue's day); else what is missing."""
    last = await last_issue_before(session, document, version)
    shaped = shaped_by(document, version, last)
    about_no_draft: ColumnElement[bool] = EngagementSession.version_id.is_(None)
    if last is not None and last.issued_on is not None:
        about_no_draft = about_no_draft & (EngagementSession.held_on >= last.issued_on)
    rows = (
        await session.execute(
            select(EngagementSession.status).where(
                EngagementSession.document_id == document.id,
                or_(EngagementSession.version_id.in_(shaped), about_no_draft),
            )
        )
    ).scalars()
    statuses = set(rows)
    if EngagementStatus.HELD in statuses:
        return None
    since = f" since version {last.number} was issued" if last is not None else ""
    if EngagementStatus.PLANNED in statuses:
        return (
            f"A workshop or review session on this draft is planned but has not been recorded "
            f"as held{since}: record its notes once it has taken place."
        )
    return (
        f"No workshop, co-production or review session has been held on this draft{since}: "
        "hold one and record it (LBBD 4, NCT 4.1)."
    )

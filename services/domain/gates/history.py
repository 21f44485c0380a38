"""What a draft amends: the document's last issue before it, which the engagement and the
tracked-changes gates measure from."""

from __future__ import annotations

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.models.documents import Document, DocumentVersion


async def last_issue_before(
    session: AsyncSession, document: Document, version: DocumentVersion
) -> DocumentVersion | None:
    """The latest issued version numbered before ``version``: the issue the draft amends
    (what came before it shaped an earlier issue, not this draft); None for a first issue."""
    query = (
        select(DocumentVersion)
        .where(
            DocumentVersion.document_id == document.id,
            DocumentVersion.minor == 0,
            DocumentVersion.issued_on.is_not(None),
            tuple_(DocumentVersion.major, DocumentVersion.minor) < (version.major, version.minor),
        )
        .order_by(DocumentVersion.major.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()

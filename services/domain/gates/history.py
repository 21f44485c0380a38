"""What a draft amends: the document's last issue before it, which the engagement and the
tracked-changes gates measure from, and the drafts since it that shaped the draft."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select, tuple_
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


def shaped_by(
    document: Document, version: DocumentVersion, last: DocumentVersion | None
) -> Select[uuid.UUID]:
    """The ids of the versions that shaped ``version``: after ``last`` (its last issue before
    it, ``last_issue_before``) up to ``version`` itself."""
    query = select(DocumentVersion.id).where(
        DocumentVersion.document_id == document.id,
        tuple_(DocumentVersion.major, DocumentVersion.minor) <= (version.major, version.minor),
    )
    if last is not None:
        query = query.where(
            tuple_(DocumentVersion.major, DocumentVersion.minor) > (last.major, last.minor)
        )
    return query

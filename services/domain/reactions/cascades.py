"""What an amended document's issue does to the documents linked to it: cascade reviews."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.authz.principal import Principal
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.sign_off import SignOff
from services.domain.reviews.cascades import Issue, cascade_issue


async def cascade_to_linked(
    session: AsyncSession, principal: Principal, published: events.DocumentPublished
) -> None:
    """NCT 3.4(c)(ii): the documents it governs, those implementing it and its forms get a
    review or a flag, as the organisation's rules say. Only an amended issue (one that replaced
    a version in force, kept on the sign-off as ``before_issue``): a first issue changes
    nothing anyone follows."""
    if published.sign_off_id is None:
        return
    sign_off = await session.get(SignOff, published.sign_off_id)
    assert sign_off is not None
    replaced = (sign_off.before_issue or {}).get("issued_version_id")
    if replaced is None:
        return
    parent = await session.get(Document, published.document_id)
    version = await session.get(DocumentVersion, published.version_id)
    previous = await session.get(DocumentVersion, uuid.UUID(replaced))
    assert parent is not None and version is not None and previous is not None
    await cascade_issue(session, principal, Issue(parent, version, previous))

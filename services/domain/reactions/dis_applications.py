"""What a document leaving force does to its dis-applications (Cafcass 6.1: a dis-application
sets aside part of a policy in force; once the policy is retired or superseded there is nothing
left to set aside)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.dis_applications import ending
from services.domain.documents.signals import StatusChanged
from services.domain.models.documents import NO_LONGER_IN_FORCE


async def end_with_document(
    session: AsyncSession, principal: Principal, changed: StatusChanged
) -> None:
    """Retired or superseded: its requests are withdrawn and its approved ones revoked."""
    document = changed.document
    if document.status in NO_LONGER_IN_FORCE and changed.previous_status not in NO_LONGER_IN_FORCE:
        await ending.end_with_document(session, principal, document)

"""What a document leaving force does to a request to move its review date: there is no review
left to move, so a request waiting for a decision lapses (its requester is told)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.documents.signals import StatusChanged
from services.domain.models.documents import NO_LONGER_IN_FORCE
from services.domain.review_extensions import service


async def lapse_with_document(
    session: AsyncSession, principal: Principal, changed: StatusChanged
) -> None:
    """Retired or superseded: its pending request lapses."""
    document = changed.document
    if document.status in NO_LONGER_IN_FORCE and changed.previous_status not in NO_LONGER_IN_FORCE:
        pending = await service.pending_of(session, document)
        if pending is not None:
            await service.lapse(session, pending, document)

"""The register's changes that reach the Tri.x publication queue."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.authz.principal import Principal
from services.domain.documents.signals import StatusChanged
from services.domain.models.documents import Document
from services.domain.publications import service as publications


async def cancel_older_uploads(
    session: AsyncSession, principal: Principal, added: events.DocumentVersionAdded
) -> None:
    """A version registered as issued is already live on Tri.x: pending uploads of older ones
    are cancelled so that none replaces it."""
    if not added.is_issued:
        return
    document = await session.get(Document, added.document_id)
    assert document is not None
    await publications.cancel_pending_uploads(
        session,
        principal,
        document,
        reason=f"Superseded by version {added.number}.",
        keep_version_id=added.version_id,
    )


async def queue_removal(
    session: AsyncSession, principal: Principal, changed: StatusChanged
) -> None:
    """Retired or superseded: queue its removal from Tri.x (pending uploads stay queued)."""
    await publications.queue_removal_if_withdrawn(
        session, principal, changed.document, previous_status=changed.previous_status
    )

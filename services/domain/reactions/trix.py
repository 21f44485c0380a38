"""What reaches the Tri.x publication queue: the register's changes, issues and withdrawals."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.authz.principal import Principal
from services.domain.documents.signals import StatusChanged
from services.domain.models.documents import Document, DocumentStatus, DocumentVersion
from services.domain.publications import service as publications
from services.domain.sign_off.signals import IssueWithdrawn


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
        session,
        principal,
        changed.document,
        previous_status=DocumentStatus(changed.previous_status),
    )


async def queue_issued_upload(
    session: AsyncSession, principal: Principal, published: events.DocumentPublished
) -> None:
    """A sign-off issued a version: the upload script is to put it on Tri.x."""
    document = await session.get(Document, published.document_id)
    version = await session.get(DocumentVersion, published.version_id)
    assert document is not None and version is not None
    await publications.queue_publication(
        session, principal, document=document, version=version, action="upload", reason="issued"
    )


async def cancel_withdrawn_upload(
    session: AsyncSession, principal: Principal, withdrawn: IssueWithdrawn
) -> None:
    """A withdrawn version must never be uploaded: its pending upload is cancelled."""
    await publications.cancel_pending_uploads(
        session,
        principal,
        withdrawn.document,
        reason=f"Version {withdrawn.withdrawn.number} withdrawn: {withdrawn.reason}",
        of_version_id=withdrawn.withdrawn.id,
    )


async def queue_what_is_in_force(
    session: AsyncSession, principal: Principal, withdrawn: IssueWithdrawn
) -> None:
    """Tri.x is brought back to the register: the version in force again is queued (always,
    since Tri.x may show the withdrawn one, even if its upload is reported only now), or, with
    none, the page is queued for removal when the register knows it is on Tri.x."""
    if not withdrawn.went_back:
        return
    action: Literal["upload", "remove"]
    if withdrawn.reinstated is not None:
        version, action, reason = withdrawn.reinstated, "upload", "reinstated"
    elif withdrawn.document.trix_url is not None:
        version, action, reason = withdrawn.withdrawn, "remove", "withdrawn"
    else:
        return  # never on Tri.x as far as the register knows: nothing to remove
    withdrawn.publication = await publications.queue_publication(
        session,
        principal,
        document=withdrawn.document,
        version=version,
        action=action,
        reason=reason,
    )

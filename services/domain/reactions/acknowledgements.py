"""What issuing, withdrawing and retiring a version does to read and acknowledge: a new whole
version asks its document's audience again (a minor one when the audience says so), and the
asks of a version withdrawn, or of a document no longer in force, are cancelled.

Cafcass 7.1: "all staff will be made aware of the launch of a new policy".
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.acknowledgements import asking
from services.domain.authz.principal import Principal
from services.domain.documents.signals import StatusChanged
from services.domain.models.acknowledgements import AcknowledgementRequestStatus
from services.domain.models.documents import NO_LONGER_IN_FORCE, Document, DocumentVersion
from services.domain.sign_off.signals import IssueWithdrawn

CANCELLED = AcknowledgementRequestStatus.CANCELLED


async def _ask(
    session: AsyncSession, principal: Principal, document_id: uuid.UUID, version_id: uuid.UUID
) -> None:
    document = await session.get(Document, document_id)
    version = await session.get(DocumentVersion, version_id)
    assert document is not None and version is not None
    await asking.ask_on_issue(session, principal, document, version)


async def ask_on_publication(
    session: AsyncSession, principal: Principal, published: events.DocumentPublished
) -> None:
    """A sign-off issued a version: its audience is asked to read and acknowledge it."""
    await _ask(session, principal, published.document_id, published.version_id)


async def ask_on_registered_issue(
    session: AsyncSession, principal: Principal, added: events.DocumentVersionAdded
) -> None:
    """A version registered as issued (signed off elsewhere) is asked for the same way."""
    if added.is_issued:
        await _ask(session, principal, added.document_id, added.version_id)


async def cancel_withdrawn(
    session: AsyncSession, principal: Principal, withdrawn: IssueWithdrawn
) -> None:
    """Dorset 4.5.2: a version whose ratification was refused is no longer to be read."""
    await asking.end_open_requests(
        session,
        principal,
        withdrawn.document.id,
        CANCELLED,
        f"Version {withdrawn.withdrawn.number} withdrawn: {withdrawn.reason}",
        version_id=withdrawn.withdrawn.id,
    )


async def cancel_with_document(
    session: AsyncSession, principal: Principal, changed: StatusChanged
) -> None:
    """Retired or superseded in the register: nobody is asked to read it any more."""
    document = changed.document
    if document.status in NO_LONGER_IN_FORCE and changed.previous_status not in NO_LONGER_IN_FORCE:
        reason = f"{document.reference} is {document.status}."
        await asking.end_open_requests(session, principal, document.id, CANCELLED, reason)

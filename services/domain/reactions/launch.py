"""What an issue, a retirement or a withdrawn issue does to launch and cascade: the register
announces it (the digest and the news feed list it), and the communication plan written with
the drafts becomes the issue's plan (Cafcass 6-7: the plan submitted with the final draft)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.authz.principal import Principal
from services.domain.documents.signals import StatusChanged
from services.domain.launch import announcements, plans
from services.domain.models.documents import NO_LONGER_IN_FORCE, DocumentVersion
from services.domain.sign_off.signals import IssueWithdrawn


async def announce_issue(
    session: AsyncSession, principal: Principal, added: events.DocumentVersionAdded
) -> None:
    """An issued version (by sign-off, or registered as already issued) is announced, and the
    plan of the drafts before it carried to it."""
    if not added.is_issued:
        return
    await announcements.announce_issue(session, added.version_id)
    issued = await session.get(DocumentVersion, added.version_id)
    if issued is not None:
        await plans.carry_to_issue(session, issued)


async def announce_retirement(
    session: AsyncSession, principal: Principal, changed: StatusChanged
) -> None:
    """Retired or superseded: announced once, when it leaves force."""
    document = changed.document
    if document.status in NO_LONGER_IN_FORCE and changed.previous_status not in NO_LONGER_IN_FORCE:
        await announcements.announce_retirement(session, document)


async def announce_withdrawal(
    session: AsyncSession, principal: Principal, happened: IssueWithdrawn
) -> None:
    """Dorset 4.5.2: a refused ratification withdrew the issue staff were told of."""
    await announcements.announce_withdrawal(
        session, happened.document, happened.withdrawn, happened.reason, happened.reinstated
    )

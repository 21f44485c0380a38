"""LBBD, Birmingham, Cafcass: the consultees are told what became of what they said when the
document is issued ("You said, we did")."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.authz.principal import Principal
from services.domain.consultations import summary_issue


async def send_on_issue(
    session: AsyncSession, principal: Principal, added: events.DocumentVersionAdded
) -> None:
    """A version issued (by a sign-off, or registered as issued after one elsewhere): each
    consultation of this round has its summary published and sent, or marked missing."""
    if added.is_issued:
        await summary_issue.on_issue(session, principal, added.version_id)

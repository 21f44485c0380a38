"""The communication plan gate: the draft goes to its board with a communication plan.

Cafcass, Appendix 1: "The final draft version is submitted to ECMT with a full communications
plan" and "When the policy needs to go to the Board the final draft version is submitted with
a communications plan". Met by a plan item written for this draft or an earlier one since the
last issue. A pure read of the records.
"""

from __future__ import annotations

from sqlalchemy import func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.launch import CommunicationPlanItem


async def communication_plan_ready(
    session: AsyncSession, document: Document, version: DocumentVersion
) -> str | None:
    """None when the drafts since the last issue, up to ``version``, carry a plan; else what
    is missing."""
    last = await session.scalar(
        select(func.max(DocumentVersion.major)).where(
            DocumentVersion.document_id == document.id,
            DocumentVersion.minor == 0,
            DocumentVersion.issued_on.is_not(None),
            tuple_(DocumentVersion.major, DocumentVersion.minor) < (version.major, version.minor),
        )
    )
    drafts = select(DocumentVersion.id).where(
        DocumentVersion.document_id == document.id,
        tuple_(DocumentVersion.major, DocumentVersion.minor) <= (version.major, version.minor),
    )
    if last is not None:
        drafts = drafts.where(tuple_(DocumentVersion.major, DocumentVersion.minor) > (last, 0))
    items = await session.scalar(
        select(func.count()).where(
            CommunicationPlanItem.document_id == document.id,
            CommunicationPlanItem.version_id.in_(drafts),
        )
    )
    if items:
        return None
    return (
        f"No communication plan for draft {version.number}: add who is told, how and when "
        "(Cafcass: the final draft goes to ECMT and the Board with a communications plan)."
    )

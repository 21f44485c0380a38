"""Cascade reviews in the demo: a policy amended and issued, and what that asked of the
documents linked to it (reviews/cascades.py).

LBBD's Adult Safeguarding Policy (POL-001) was issued as 1.0 and amended as 2.0; it governs the
Section 42 Enquiries Procedure (PROC-002), whose RO is given an unscheduled review with the
trigger ``parent_changed``, as the organisation's default rule for ``governs`` says.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.models.documents import Document, DocumentVersion
from services.domain.reviews.cascades import Issue, cascade_issue


async def seed_cascades(
    session: AsyncSession,
    system: Principal,
    listed: list[dict[str, Any]],
    by_reference: dict[str, Document],
) -> int:
    """Cascade each named parent's last issue over the one before; how many flags were made
    (none the second time: a cascade is once per issue)."""
    made = 0
    for spec in listed:
        parent = by_reference[spec["parent"]]
        issued = await session.execute(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == parent.id, DocumentVersion.minor == 0)
            .order_by(DocumentVersion.major.desc())
            .limit(2)
        )
        version, previous = issued.scalars().all()
        made += len(await cascade_issue(session, system, Issue(parent, version, previous)))
    return made

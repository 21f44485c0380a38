"""Acknowledgement uptake in the implementation report: the one place it is read
(services/domain/acknowledgements, issue 19 item 1).

Cafcass 7.4 monitors "the rate of policy implementation"; Dorset 1.1 asks for "systems for
monitoring and auditing uptake". Uptake is how many of the people asked to confirm they have
read and understood the version in force have done so.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.acknowledgements import uptake


async def uptake_of(
    session: AsyncSession, organisation_id: uuid.UUID, document_id: uuid.UUID
) -> dict[str, Any] | None:
    """The uptake of the version in force, JSON-safe; None when it is not measured (nobody
    has been asked to acknowledge that version)."""
    found = await uptake(session, organisation_id, document_id)
    if found is None or found.request_id is None:
        return None
    return {
        "version": found.version,
        "due_on": found.due_on.isoformat() if found.due_on else None,
        "asked": found.asked,
        "confirmed": found.confirmed,
        "pending": found.pending,
        "overdue": found.overdue,
        "percent": found.percent,
    }

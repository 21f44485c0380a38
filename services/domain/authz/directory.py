"""What the people of the directory may do, by the roles they hold (for naming someone to act)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.permissions import Permission, permissions_for
from services.domain.models.people import PersonRole


async def holding(
    session: AsyncSession, person_ids: Iterable[uuid.UUID], permission: Permission
) -> set[uuid.UUID]:
    """Of ``person_ids``, those whose roles in the directory grant ``permission``."""
    wanted = set(person_ids)
    if not wanted:
        return set()
    rows = await session.execute(
        select(PersonRole.person_id, PersonRole.role).where(PersonRole.person_id.in_(wanted))
    )
    roles: dict[uuid.UUID, set[str]] = {}
    for person_id, role in rows:
        roles.setdefault(person_id, set()).add(role)
    return {p for p, held in roles.items() if permission in permissions_for(held)}

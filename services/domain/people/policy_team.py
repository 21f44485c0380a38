"""The policy team: the central team that runs the governance process (DOMAIN.md). The one
definition of who is in it, for everything that must reach the team.

The organisation's active policy officers, by name. Where none is active, its active admins
stand in: what the team must confirm, pass on or hear about still reaches someone.

What the team may do is the authority policy's business (``authz``: a policy officer's or an
admin's permissions); this is who is told and asked.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.models.people import Person, PersonRole

# The role that makes the team, then the one that stands in when nobody holds it.
TEAM_ROLES = ("policy_officer", "admin")


async def policy_team(session: AsyncSession, organisation_id: uuid.UUID) -> list[Person]:
    """The organisation's active policy officers by name, else its active admins."""
    for role in TEAM_ROLES:
        rows = await session.execute(
            select(Person)
            .join(PersonRole, PersonRole.person_id == Person.id)
            .where(
                Person.organisation_id == organisation_id,
                Person.is_active.is_(True),
                PersonRole.role == role,
            )
            .order_by(Person.name, Person.id)
        )
        found = list(dict.fromkeys(rows.scalars()))
        if found:
            return found
    return []


async def policy_contact(session: AsyncSession, organisation_id: uuid.UUID) -> Person | None:
    """Who people should ask about a notice: the first of the policy team. Read once per
    session: a relay round tells many people of one organisation."""
    known: dict[uuid.UUID, Person | None] = session.info.setdefault("policy_contacts", {})
    if organisation_id not in known:
        team = await policy_team(session, organisation_id)
        known[organisation_id] = team[0] if team else None
    return known[organisation_id]

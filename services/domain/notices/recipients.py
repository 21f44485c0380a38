"""Who an email can go to: the lookups every kind of notice shares."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.models.documents import DocumentVersion
from services.domain.models.people import Person


async def active_people_by_id(
    session: AsyncSession, organisation_id: uuid.UUID, ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, Person]:
    """The active people of the organisation among ``ids``, by id (one query)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(
        select(Person).where(
            Person.id.in_(wanted),
            Person.organisation_id == organisation_id,
            Person.is_active.is_(True),
        )
    )
    return {p.id: p for p in rows.scalars()}


async def active_people(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    ids: Iterable[uuid.UUID | None],
    *,
    but: uuid.UUID | None = None,
) -> list[Person]:
    """The active people among ``ids`` (except ``but``), each once, in the order first given."""
    wanted = [i for i in dict.fromkeys(ids) if i is not None and i != but]
    found = await active_people_by_id(session, organisation_id, wanted)
    return [found[i] for i in wanted if i in found]


async def person_name(session: AsyncSession, person_id: uuid.UUID | None) -> str | None:
    person = await session.get(Person, person_id) if person_id else None
    return person.name if person else None


async def version_number(session: AsyncSession, version_id: uuid.UUID | None) -> str | None:
    """The number ("1.2") of the version a notice is about, if any."""
    version = await session.get(DocumentVersion, version_id) if version_id else None
    return version.number if version else None

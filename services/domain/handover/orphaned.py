"""The organisation's documents with no active owner: the owner missing or gone, or a named
responsible officer gone (``documents/orphans.py``), whatever their status short of retired
or superseded (a draft whose owner left is as stuck as a policy in force)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.domain.authz import handover as authz
from services.domain.authz.principal import Principal
from services.domain.documents.orphans import orphaned_condition, still_in_use
from services.domain.models.documents import Document
from services.domain.models.people import Person
from services.domain.pagination import after_row

_OWNER = aliased(Person, name="owner")
_OFFICER = aliased(Person, name="officer")


@dataclass(frozen=True)
class Orphaned:
    document: Document
    owner: Person | None
    officer: Person | None

    @property
    def vacant(self) -> list[str]:
        """The roles nobody active holds: ``owner``, ``responsible_officer``."""
        found = []
        if self.owner is None or not self.owner.is_active:
            found.append("owner")
        if self.officer is not None and not self.officer.is_active:
            found.append("responsible_officer")
        return found


async def list_orphaned(
    session: AsyncSession,
    principal: Principal,
    *,
    service_area: str | None = None,
    after: Sequence[Any] | None = None,
    limit: int = 50,
) -> list[Orphaned]:
    """One page of the organisation's documents with no active owner, by reference."""
    authz.check_read_holdings(principal)
    query = (
        select(Document, _OWNER, _OFFICER)
        .outerjoin(_OWNER, _OWNER.id == Document.owner_id)
        .outerjoin(_OFFICER, _OFFICER.id == Document.responsible_officer_id)
        .where(
            Document.organisation_id == principal.organisation_id,
            still_in_use(),
            orphaned_condition(),
        )
    )
    if service_area:
        query = query.where(func.lower(Document.service_area) == service_area.strip().lower())
    if after:
        query = query.where(after_row(Document.reference, Document.id, after))
    rows = await session.execute(query.order_by(Document.reference, Document.id).limit(limit))
    return [Orphaned(document, owner, officer) for document, owner, officer in rows.all()]

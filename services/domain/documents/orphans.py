"""Documents with no active owner: the owner (RSM) missing or no longer active, or a named
responsible officer no longer active (issue 20, orphaned owners). Read by the tracker's flag
and filter, and by the handover's list of orphaned documents."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, not_, or_, select

from services.domain.models.documents import NO_LONGER_IN_FORCE, Document
from services.domain.models.people import Person

# The roles that leave a document orphaned when their holder has left.
ROLES = ("owner", "responsible_officer")


def _active(column: Any) -> ColumnElement[bool]:
    return exists(select(Person.id).where(Person.id == column, Person.is_active.is_(True)))


def owner_gone() -> ColumnElement[bool]:
    """The document names no owner, or one who is no longer active."""
    return or_(Document.owner_id.is_(None), not_(_active(Document.owner_id)))


def officer_gone() -> ColumnElement[bool]:
    """The document names a responsible officer who is no longer active (none named is not
    orphaned: the owner stands in, NCT)."""
    return and_(
        Document.responsible_officer_id.is_not(None),
        not_(_active(Document.responsible_officer_id)),
    )


def orphaned_condition(orphaned: bool = True) -> ColumnElement[bool]:
    """Documents still in use (not retired or superseded) with no active owner or RO."""
    condition = or_(owner_gone(), officer_gone())
    return condition if orphaned else not_(condition)


def still_in_use() -> ColumnElement[bool]:
    return Document.status.not_in(NO_LONGER_IN_FORCE)

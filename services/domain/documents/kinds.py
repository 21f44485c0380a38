"""Document kinds, configurable per organisation."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import documents as authz
from services.domain.authz.principal import Principal
from services.domain.documents.commands import KindChange, NewKind
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.models.documents import DocumentKind

KEY = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


async def list_kinds(session: AsyncSession, principal: Principal) -> list[DocumentKind]:
    rows = await session.execute(
        select(DocumentKind)
        .where(DocumentKind.organisation_id == principal.organisation_id)
        .order_by(DocumentKind.key)
    )
    return list(rows.scalars())


async def get_kind(session: AsyncSession, principal: Principal, kind_id: uuid.UUID) -> DocumentKind:
    kind = await session.get(DocumentKind, kind_id)
    if kind is None or kind.organisation_id != principal.organisation_id:
        raise NotFound("No such document kind.")
    return kind


async def create_kind(session: AsyncSession, principal: Principal, new: NewKind) -> DocumentKind:
    """Add a kind of document to the organisation (admins)."""
    authz.check_manage_kinds(principal)
    if not KEY.match(new.key):
        raise Invalid("A key is 2-40 lower-case letters, digits or underscores.", field="key")
    existing = await session.execute(
        select(DocumentKind.id).where(
            DocumentKind.organisation_id == principal.organisation_id,
            DocumentKind.key == new.key,
        )
    )
    if existing.first() is not None:
        raise Conflict(f"Kind {new.key!r} already exists.", field="key")
    kind = DocumentKind(organisation_id=principal.organisation_id, **new.given())
    session.add(kind)
    await session.flush()
    await audit_changes.record_change(session, principal, kind, "document_kind.created")
    return kind


async def update_kind(
    session: AsyncSession,
    principal: Principal,
    kind: DocumentKind,
    change: KindChange,
    *,
    expected_version: int,
) -> DocumentKind:
    """Relabel a kind, change its rules or retire it (the key is permanent)."""
    authz.check_manage_kinds(principal)
    if kind.row_version != expected_version:
        raise PreconditionFailed("The kind has changed since you read it.")
    before = audit.snapshot(kind)
    for key, value in change.given().items():
        setattr(kind, key, value)
    await session.flush()
    after = audit.snapshot(kind)
    if after != before:
        await audit_changes.record_change(
            session, principal, kind, "document_kind.updated", before=before, after=after
        )
    return kind

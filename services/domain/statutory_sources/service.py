"""The register of statutory sources, and the documents linked to each.

A source is an Act, statutory guidance (Working Together 2023, the Care Act 2014 statutory
guidance), an inspection framework (Ofsted's ILACS) or something else a document depends on.
Linking a document to it says that a change to the source calls for a review of the document
(NCT 3.2): ``changes.py`` records the change and opens the reviews.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import service as audit
from services.domain.audit.changes import record_change
from services.domain.authz import statutory_sources as authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.db import new_id
from services.domain.documents.named import document_named
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.models.documents import Document
from services.domain.models.statutory_sources import (
    StatutorySource,
    StatutorySourceChange,
    StatutorySourceLink,
)
from services.domain.pagination import after_position
from services.domain.statutory_sources.commands import NewLink, NewSource, SourceChange

# Links per source: a source a whole manual rests on is still one batch of reviews.
MAX_LINKS = 2000


async def create_source(
    session: AsyncSession, principal: Principal, command: NewSource
) -> StatutorySource:
    """Add a source to the organisation's register (the policy team)."""
    authz.check_manage(principal)
    source = StatutorySource(
        id=new_id(),
        organisation_id=principal.organisation_id,
        created_by_id=principal.person_id,
        feed_since=utcnow() if command.feed_url else None,
        **command.given(),
    )
    await _flush_named(session, source.title, adding=source)
    await record_change(session, principal, source, "statutory_source.created")
    return source


async def _flush_named(
    session: AsyncSession, title: str, adding: StatutorySource | None = None
) -> None:
    # Added inside the savepoint: a refused row leaves the session with it, not pending.
    try:
        async with session.begin_nested():
            if adding is not None:
                session.add(adding)
            await session.flush()
    except IntegrityError:
        raise Conflict(f"There is already a source called {title!r}.", field="title") from None


async def get_source(
    session: AsyncSession,
    principal: Principal,
    source_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> StatutorySource:
    """A source of the caller's organisation; another organisation's is NotFound too."""
    authz.check_read(principal)
    query = select(StatutorySource).where(
        StatutorySource.id == source_id,
        StatutorySource.organisation_id == principal.organisation_id,
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    source = (await session.execute(query)).scalar_one_or_none()
    if source is None:
        raise NotFound("No such statutory source.")
    return source


async def list_sources(
    session: AsyncSession,
    principal: Principal,
    *,
    kind: str | None = None,
    document_id: uuid.UUID | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[StatutorySource]:
    """The organisation's sources, oldest first: of a kind, or those a document is linked to."""
    authz.check_read(principal)
    query = select(StatutorySource).where(
        StatutorySource.organisation_id == principal.organisation_id
    )
    if kind is not None:
        query = query.where(StatutorySource.kind == kind)
    if document_id is not None:
        linked = exists().where(
            StatutorySourceLink.source_id == StatutorySource.id,
            StatutorySourceLink.document_id == document_id,
        )
        query = query.where(linked)
    query = after_position(query, StatutorySource.created_at, StatutorySource.id, after)
    return list((await session.execute(query.limit(limit))).scalars())


async def change_source(
    session: AsyncSession,
    principal: Principal,
    source_id: uuid.UUID,
    change: SourceChange,
    *,
    expected_version: int,
) -> StatutorySource:
    """Change a source's details (If-Match); ``feed_url`` null stops the daily poll."""
    authz.check_manage(principal)
    source = await get_source(session, principal, source_id, for_update=True)
    if source.row_version != expected_version:
        raise PreconditionFailed("The source has changed since you read it; fetch it again.")
    values = change.given()
    for name in ("title", "kind", "url"):
        if name in values and values[name] is None:
            raise Invalid(f"A source always has a {name}.", field=name)
    before = audit.snapshot(source)
    for name, value in values.items():
        setattr(source, name, value)
    if "feed_url" in values and values["feed_url"] != before["feed_url"]:
        # A new feed (or none) starts with a clean record of its polls.
        source.feed_error, source.feed_failures, source.feed_checked_at = "", 0, None
        source.feed_since = utcnow() if source.feed_url else None
    source.row_version += 1
    source.updated_at = utcnow()
    await _flush_named(session, source.title)
    await record_change(session, principal, source, "statutory_source.updated", before=before)
    return source


async def delete_source(session: AsyncSession, principal: Principal, source_id: uuid.UUID) -> None:
    """Remove a source with no recorded change (its links go with it); one with changes is
    kept, because the reviews it opened point at them: stop its feed instead."""
    authz.check_manage(principal)
    source = await get_source(session, principal, source_id, for_update=True)
    changed = await session.scalar(
        select(exists().where(StatutorySourceChange.source_id == source.id))
    )
    if changed:
        raise Conflict(
            "Changes to this source are recorded and the reviews they opened name it: it is "
            "kept. Clear its feed_url to stop polling it."
        )
    await record_change(
        session,
        principal,
        source,
        "statutory_source.deleted",
        before=audit.snapshot(source),
        after=None,
    )
    await session.delete(source)
    await session.flush()


async def link_document(
    session: AsyncSession, principal: Principal, source_id: uuid.UUID, command: NewLink
) -> tuple[StatutorySourceLink, Document]:
    """Say that a document depends on the source (and why); linking it again is a conflict."""
    authz.check_manage(principal)
    source = await get_source(session, principal, source_id, for_update=True)
    document = await document_named(session, principal, command.document_id)
    count = await session.scalar(
        select(StatutorySourceLink.id)
        .where(StatutorySourceLink.source_id == source.id)
        .offset(MAX_LINKS - 1)
        .limit(1)
    )
    if count is not None:
        raise Conflict(f"A source links at most {MAX_LINKS} documents.")
    link = StatutorySourceLink(
        id=new_id(),
        organisation_id=source.organisation_id,
        source_id=source.id,
        document_id=document.id,
        reason=command.reason,
        linked_by_id=principal.person_id,
        created_at=utcnow(),
    )
    try:
        async with session.begin_nested():
            session.add(link)
            await session.flush()
    except IntegrityError:
        raise Conflict(
            f"{document.reference} is already linked to {source.title}.", field="document_id"
        ) from None
    await record_change(session, principal, link, "statutory_source.linked")
    return link, document


async def unlink_document(
    session: AsyncSession, principal: Principal, source_id: uuid.UUID, document_id: uuid.UUID
) -> None:
    """The document no longer depends on the source: later changes do not review it."""
    authz.check_manage(principal)
    source = await get_source(session, principal, source_id, for_update=True)
    link = (
        await session.execute(
            select(StatutorySourceLink).where(
                StatutorySourceLink.source_id == source.id,
                StatutorySourceLink.document_id == document_id,
            )
        )
    ).scalar_one_or_none()
    if link is None:
        raise NotFound("That document is not linked to this source.")
    await record_change(
        session,
        principal,
        link,
        "statutory_source.unlinked",
        before=audit.snapshot(link),
        after=None,
    )
    await session.delete(link)
    await session.flush()


async def list_links(
    session: AsyncSession,
    principal: Principal,
    source_id: uuid.UUID,
    *,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[tuple[StatutorySourceLink, Document]]:
    """The documents linked to a source, in the order they were linked."""
    source = await get_source(session, principal, source_id)
    query = after_position(
        select(StatutorySourceLink, Document)  # type: ignore[arg-type]
        .join(Document, Document.id == StatutorySourceLink.document_id)
        .where(StatutorySourceLink.source_id == source.id),
        StatutorySourceLink.created_at,
        StatutorySourceLink.id,
        after,
    )
    rows = await session.execute(query.limit(limit))
    return [(row[0], row[1]) for row in rows]

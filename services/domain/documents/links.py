"""Typed links between documents (a policy governs procedures; a form is for a procedure)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import documents as authz
from services.domain.authz.principal import Principal
from services.domain.documents.service import get_document
from services.domain.errors import Conflict, Invalid, NotFound
from services.domain.models.documents import LINK_KINDS, Document, DocumentLink
from services.domain.outbox.service import emit

# Only 'governs' forms a hierarchy, so only it must stay acyclic.
_REACHES_BY_GOVERNS = text(
    """
    WITH RECURSIVE reach(id) AS (
        SELECT target_id FROM document_links WHERE source_id = :start AND kind = 'governs'
        UNION
        SELECT l.target_id FROM document_links l JOIN reach r ON l.source_id = r.id
        WHERE l.kind = 'governs'
    )
    SELECT EXISTS (SELECT 1 FROM reach WHERE id = :goal)
    """
)


@dataclass(frozen=True)
class LinkView:
    link: DocumentLink
    direction: str  # "outgoing" (this document is the source) or "incoming"
    other: Document


async def create_link(
    session: AsyncSession,
    principal: Principal,
    source: Document,
    *,
    target_id: uuid.UUID,
    kind: str,
) -> DocumentLink:
    """Link ``source`` to another document of the same organisation."""
    authz.check_edit(principal, source)
    if kind not in LINK_KINDS:
        raise Invalid(f"Link kind must be one of {', '.join(LINK_KINDS)}.", field="kind")
    if target_id == source.id:
        raise Invalid("A document cannot be linked to itself.", field="target_id")
    try:
        target = await get_document(session, principal, target_id)
    except NotFound:
        raise Invalid("No such target document.", field="target_id") from None
    await _check_new_link(session, source, target, kind)
    link = DocumentLink(
        organisation_id=source.organisation_id,
        source_id=source.id,
        target_id=target.id,
        kind=kind,
        created_by_id=principal.person_id,
    )
    session.add(link)
    await session.flush()
    await audit_changes.record_change(session, principal, link, "document.linked")
    await emit(
        session,
        events.DocumentLinked(
            organisation_id=link.organisation_id,
            link_id=link.id,
            source_id=link.source_id,
            target_id=link.target_id,
            kind=kind,
        ),
    )
    return link


async def _check_new_link(
    session: AsyncSession, source: Document, target: Document, kind: str
) -> None:
    """Conflict if the link would make a cycle of ``governs`` or is already there."""
    if kind == "governs":
        # Serialise changes to this organisation's hierarchy so two links cannot form a cycle.
        await session.execute(
            select(func.pg_advisory_xact_lock(func.hashtext(f"governs:{source.organisation_id}")))
        )
        reaches = await session.execute(
            _REACHES_BY_GOVERNS, {"start": target.id, "goal": source.id}
        )
        if reaches.scalar_one():
            raise Conflict(
                f"{target.reference} already governs {source.reference}, directly or through "
                "other documents: this link would make a cycle."
            )
    duplicate = await session.execute(
        select(DocumentLink.id).where(
            DocumentLink.source_id == source.id,
            DocumentLink.target_id == target.id,
            DocumentLink.kind == kind,
        )
    )
    if duplicate.first() is not None:
        raise Conflict(f"{source.reference} already {kind} {target.reference}.")


async def list_links(
    session: AsyncSession, principal: Principal, document: Document, kind: str | None = None
) -> list[LinkView]:
    """Links in both directions, each with the document at the other end."""
    query = select(DocumentLink).where(
        DocumentLink.organisation_id == principal.organisation_id,
        (DocumentLink.source_id == document.id) | (DocumentLink.target_id == document.id),
    )
    if kind:
        query = query.where(DocumentLink.kind == kind)
    links = list((await session.execute(query.order_by(DocumentLink.created_at))).scalars())
    other_ids = {lk.target_id if lk.source_id == document.id else lk.source_id for lk in links}
    others = {
        d.id: d
        for d in (
            await session.execute(select(Document).where(Document.id.in_(other_ids)))
        ).scalars()
    }
    return [
        LinkView(
            lk,
            "outgoing" if lk.source_id == document.id else "incoming",
            others[lk.target_id if lk.source_id == document.id else lk.source_id],
        )
        for lk in links
    ]


async def get_link(
    session: AsyncSession, principal: Principal, document: Document, link_id: uuid.UUID
) -> DocumentLink:
    link = await session.get(DocumentLink, link_id)
    if (
        link is None
        or link.organisation_id != principal.organisation_id
        or document.id not in (link.source_id, link.target_id)
    ):
        raise NotFound("No such link.")
    return link


async def delete_link(
    session: AsyncSession, principal: Principal, document: Document, link: DocumentLink
) -> None:
    authz.check_edit(principal, document)
    before = audit.snapshot(link)
    await session.delete(link)
    await session.flush()
    await audit_changes.record_change(
        session, principal, link, "document.unlinked", before=before, after=None
    )
    await emit(
        session,
        events.DocumentUnlinked(
            organisation_id=link.organisation_id,
            link_id=link.id,
            source_id=link.source_id,
            target_id=link.target_id,
            kind=link.kind,
        ),
    )

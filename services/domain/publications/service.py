"""The Trix publication queue: what the upload scripts must publish to, or take off, the manual.

An issued version is queued for upload; a retired or superseded document is queued for
removal. The scripts poll the pending queue oldest first, do the work on Trix, and report back
(``mark_uploaded`` / ``mark_removed``). An upload that must no longer happen (its version was
superseded by a newer issue, or withdrawn) is cancelled, never deleted: rows stay, since the
queue is also the record of what was published when.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import organisation as org_authz
from services.domain.authz.principal import Principal
from services.domain.clock import LONDON, utcnow
from services.domain.db import new_id
from services.domain.documents.numbering import parse_number
from services.domain.errors import Conflict, Invalid, NotFound
from services.domain.models.documents import (
    NO_LONGER_IN_FORCE,
    Document,
    DocumentStatus,
    DocumentVersion,
)
from services.domain.models.publications import ACTIONS, Publication, PublicationStatus
from services.domain.outbox.service import emit
from services.domain.pagination import after_position


@dataclass(frozen=True)
class QueuedPublication:
    """A publication with the document and version it is about, as the scripts need them."""

    publication: Publication
    document: Document
    version: DocumentVersion | None

    @property
    def id(self) -> uuid.UUID:
        return self.publication.id

    @property
    def page_url(self) -> str | None:
        """The Trix page concerned: the one published, or for a pending removal the page to
        remove (the document's current page when none was known at queueing time)."""
        publication = self.publication
        if publication.action == "remove" and publication.status == PublicationStatus.PENDING:
            return publication.trix_url or self.document.trix_url
        return publication.trix_url


async def queue_publication(
    session: AsyncSession,
    principal: Principal | None,
    *,
    document: Document,
    version: DocumentVersion | None,
    action: Literal["upload", "remove"],
    reason: str,
) -> Publication:
    """Queue an upload of an issued version, or a removal of a document, for the Trix scripts.

    The caller has already decided this may happen (the sign-off engine on issue, the register
    on retirement); ``principal`` is None for system actions and is audited as "system".
    """
    if action not in ACTIONS:
        raise Invalid(f"Action must be one of {', '.join(ACTIONS)}.", field="action")
    if action == "upload" and (version is None or not version.is_issued):
        raise Invalid("Only an issued version can be uploaded to Trix.", field="version_id")
    if version is not None and version.document_id != document.id:
        raise Invalid("The version is not one of this document's.", field="version_id")
    publication = Publication(
        id=new_id(),
        organisation_id=document.organisation_id,
        document_id=document.id,
        version_id=version.id if version is not None else None,
        action=action,
        status=PublicationStatus.PENDING,
        reason=reason,
        # A removal names the page to take down, when the register knows it.
        trix_url=document.trix_url if action == "remove" else None,
        created_at=utcnow(),
    )
    session.add(publication)
    await session.flush()
    await audit_changes.record_change(session, principal, publication, "publication.queued")
    await emit(
        session,
        events.PublicationQueued(
            organisation_id=document.organisation_id,
            publication_id=publication.id,
            document_id=document.id,
            version_id=publication.version_id,
            action=action,
        ),
    )
    return publication


async def queue_removal_if_withdrawn(
    session: AsyncSession,
    principal: Principal,
    document: Document,
    *,
    previous_status: DocumentStatus,
) -> Publication | None:
    """Queue the removal of a document that has just been retired or superseded.

    Only a document with an issued version can be on Trix, and only the change into a
    withdrawn status queues (retired -> superseded does not queue it twice). An upload still
    pending for the document is left in the queue: the scripts work oldest first, so it is
    uploaded and then removed, and the queue keeps the full record.
    """
    if (
        document.status not in NO_LONGER_IN_FORCE
        or previous_status in NO_LONGER_IN_FORCE
        or document.issued_version is None
    ):
        return None
    number = parse_number(document.issued_version)
    version = None
    if number is not None:
        version = (
            await session.execute(
                select(DocumentVersion).where(
                    DocumentVersion.document_id == document.id,
                    DocumentVersion.major == number[0],
                    DocumentVersion.minor == number[1],
                )
            )
        ).scalar_one_or_none()
    return await queue_publication(
        session,
        principal,
        document=document,
        version=version,
        action="remove",
        reason=document.status,
    )


async def cancel_pending_uploads(
    session: AsyncSession,
    principal: Principal | None,
    document: Document,
    *,
    reason: str,
    keep_version_id: uuid.UUID | None = None,
    of_version_id: uuid.UUID | None = None,
) -> list[Publication]:
    """Take the document's pending uploads off the queue: all but ``keep_version_id``'s, or
    only ``of_version_id``'s.

    A newer issue supersedes them, or their version was withdrawn: the scripts must never
    publish a version that is not the one in force. Each keeps its row, cancelled with
    ``reason``, an audit record and a ``publication.cancelled`` event.
    """
    query = (
        select(Publication)
        .where(
            Publication.document_id == document.id,
            Publication.action == "upload",
            Publication.status == PublicationStatus.PENDING,
        )
        .order_by(Publication.created_at, Publication.id)
        .with_for_update()
    )
    if keep_version_id is not None:
        query = query.where(Publication.version_id != keep_version_id)
    if of_version_id is not None:
        query = query.where(Publication.version_id == of_version_id)
    cancelled = list((await session.execute(query)).scalars())
    for publication in cancelled:
        before = audit.snapshot(publication)
        publication.status = PublicationStatus.CANCELLED
        publication.cancelled_at = utcnow()
        publication.cancelled_reason = reason
        await session.flush()
        await audit_changes.record_change(
            session, principal, publication, "publication.cancelled", before=before
        )
        await emit(
            session,
            events.PublicationCancelled(
                organisation_id=publication.organisation_id,
                publication_id=publication.id,
                document_id=publication.document_id,
                version_id=publication.version_id,
                action="upload",
                reason=reason,
            ),
        )
    return cancelled


def _refuse_if_cancelled(publication: Publication) -> None:
    """A cancelled entry takes no report: the answer says why, the same every time."""
    if publication.status != PublicationStatus.CANCELLED:
        return
    assert publication.cancelled_at is not None
    day = publication.cancelled_at.astimezone(LONDON).date().isoformat()
    if publication.action == "upload":
        advice = (
            "Do not publish this version. If it is already on Trix, put the version in "
            f"force there instead (issued_version of /v1/documents/{publication.document_id}), "
            "or take the page down if none is."
        )
    else:
        advice = "Do not take the page down."
    raise Conflict(
        f"This {publication.action} was cancelled on {day}: {publication.cancelled_reason} "
        + advice,
        publication_status=PublicationStatus.CANCELLED,
        cancelled_reason=publication.cancelled_reason,
    )


def _query(principal: Principal) -> Any:
    return (
        select(Publication, Document, DocumentVersion)
        .join(
            Document,
            and_(
                Document.id == Publication.document_id,
                Document.organisation_id == Publication.organisation_id,
            ),
        )
        .outerjoin(DocumentVersion, DocumentVersion.id == Publication.version_id)
        .where(Publication.organisation_id == principal.organisation_id)
    )


async def list_publications(
    session: AsyncSession,
    principal: Principal,
    *,
    status: PublicationStatus | None = None,
    action: str | None = None,
    document_id: uuid.UUID | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[QueuedPublication]:
    """The queue, oldest first: what the scripts should do next comes first."""
    org_authz.check_work_queue(principal)
    query = _query(principal)
    for column, value in (
        (Publication.status, status),
        (Publication.action, action),
        (Publication.document_id, document_id),
    ):
        if value is not None:
            query = query.where(column == value)
    query = after_position(query, Publication.created_at, Publication.id, after).limit(limit)
    rows = (await session.execute(query)).all()
    return [QueuedPublication(row[0], row[1], row[2]) for row in rows]


async def get_publication(
    session: AsyncSession,
    principal: Principal,
    publication_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> QueuedPublication:
    """One publication of the caller's organisation; any other id is NotFound."""
    org_authz.check_work_queue(principal)
    query = _query(principal).where(Publication.id == publication_id)
    if for_update:
        query = query.with_for_update(of=[Publication, Document]).execution_options(
            populate_existing=True
        )
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound("No such publication.")
    return QueuedPublication(row[0], row[1], row[2])


async def _complete(
    session: AsyncSession,
    principal: Principal,
    queued: QueuedPublication,
    *,
    trix_url: str | None,
    note: str = "",
) -> None:
    publication, document = queued.publication, queued.document
    before = {**audit.snapshot(publication), "document_trix_url": document.trix_url}
    publication.status = PublicationStatus.DONE
    publication.trix_url = trix_url
    publication.completed_at = utcnow()
    publication.completed_by_id = principal.person_id
    publication.completed_by_label = principal.label[:300]
    if publication.action == "upload":
        document.trix_url = trix_url
    elif document.trix_url == trix_url:
        # Only the page removed: a newer upload may already have given it another page.
        document.trix_url = None
    await session.flush()
    after: dict[str, Any] = {
        **audit.snapshot(publication),
        "document_trix_url": document.trix_url,
    }
    if note:
        after["note"] = note
    await audit_changes.record_change(
        session,
        principal,
        publication,
        "publication.uploaded" if publication.action == "upload" else "publication.removed",
        before=before,
        after=after,
    )
    await emit(
        session,
        events.PublicationCompleted(
            organisation_id=publication.organisation_id,
            publication_id=publication.id,
            document_id=publication.document_id,
            action="upload" if publication.action == "upload" else "remove",
            trix_url=trix_url,
        ),
    )


async def mark_uploaded(
    session: AsyncSession, principal: Principal, queued: QueuedPublication, trix_url: str
) -> QueuedPublication:
    """The script uploaded the version: record its Trix page on the queue and the document.

    Reporting the same page again changes nothing (a retried script); another page is a
    Conflict naming the one recorded.
    """
    org_authz.check_work_queue(principal)
    publication = queued.publication
    _refuse_if_cancelled(publication)
    if publication.action != "upload":
        raise Conflict(
            "This publication is a removal: mark it removed, not uploaded.", call="removed"
        )
    if publication.status == PublicationStatus.DONE:
        if publication.trix_url == trix_url:
            return queued
        raise Conflict(
            f"This upload was already recorded at {publication.trix_url}.",
            trix_url=publication.trix_url,
        )
    await _complete(session, principal, queued, trix_url=trix_url)
    return queued


async def mark_removed(
    session: AsyncSession, principal: Principal, queued: QueuedPublication, *, note: str = ""
) -> QueuedPublication:
    """The script took the document's page off Trix; the document forgets that page.

    Reporting it again changes nothing. The note, if any, is kept in the audit record.
    """
    org_authz.check_work_queue(principal)
    publication = queued.publication
    _refuse_if_cancelled(publication)
    if publication.action != "remove":
        raise Conflict(
            "This publication is an upload: mark it uploaded with its Trix URL, not removed.",
            call="uploaded",
        )
    if publication.status == PublicationStatus.DONE:
        return queued
    page = publication.trix_url or queued.document.trix_url
    await _complete(session, principal, queued, trix_url=page, note=note)
    return queued

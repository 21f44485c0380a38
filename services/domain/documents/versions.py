"""Versions of a document: upload, numbering, visibility, download and comparison."""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from datetime import date
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from services.domain import events
from services.domain.access.principal import Principal
from services.domain.audit import service as audit
from services.domain.db import utcnow
from services.domain.documents import diff as diffing
from services.domain.documents import text as texts
from services.domain.documents.models import Document, DocumentVersion, VersionFile
from services.domain.documents.numbering import format_number, next_number, parse_number
from services.domain.documents.service import can_edit, can_see_drafts
from services.domain.errors import Forbidden, Invalid, NotFound, PayloadTooLarge
from services.domain.outbox.service import emit
from services.domain.publications import service as publications

LONDON = ZoneInfo("Europe/London")


def london_today() -> date:
    """Dates people see (issue dates, review dates) are Europe/London dates."""
    return utcnow().astimezone(LONDON).date()


async def latest_version(session: AsyncSession, document_id: uuid.UUID) -> DocumentVersion | None:
    return (
        await session.execute(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == document_id)
            .order_by(DocumentVersion.major.desc(), DocumentVersion.minor.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def add_version(
    session: AsyncSession,
    principal: Principal,
    document: Document,
    *,
    filename: str,
    content: bytes,
    declared_media_type: str | None,
    change_summary: str,
    issue: bool,
    max_bytes: int,
) -> DocumentVersion:
    """Store a new version and number it (Cafcass 4.11); ``issue`` registers an issued version."""
    if not can_edit(principal, document):
        raise Forbidden("You may not add versions to this document.")
    if issue and not principal.manages_documents:
        raise Forbidden("Only admins and policy officers can register an issued version.")
    if len(content) > max_bytes:
        raise PayloadTooLarge(f"The file is larger than the limit of {max_bytes} bytes.")
    media_type = texts.detect_media_type(filename, content, declared_media_type)
    extracted = await asyncio.to_thread(texts.extract_text, content, media_type)
    # Lock the document so two uploads at once cannot take the same number.
    locked = await session.execute(
        select(Document).where(Document.id == document.id).with_for_update()
    )
    document = locked.scalar_one()
    previous = await latest_version(session, document.id)
    number = next_number((previous.major, previous.minor) if previous else None, issue=issue)
    today = london_today()
    version = DocumentVersion(
        organisation_id=document.organisation_id,
        document_id=document.id,
        major=number[0],
        minor=number[1],
        change_summary=change_summary,
        # Client-supplied: PostgreSQL text cannot hold NUL, and a header cannot hold CR or LF.
        filename=re.sub(r"[\x00-\x1f\x7f]", "", filename)[:255] or "upload",
        media_type=media_type,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        text=extracted,
        uploaded_by_id=principal.person_id,
        issued_on=today if issue else None,
    )
    session.add(version)
    await session.flush()
    session.add(VersionFile(version_id=version.id, content=content))
    before = audit.snapshot(document)
    document.latest_text = extracted
    document.latest_version = version.number
    if issue:
        document.issued_version = version.number
        document.published_text = extracted
        document.status = "published"
        if document.review_interval_months:
            document.next_review_due = today + relativedelta(months=document.review_interval_months)
    document.updated_at = utcnow()
    await session.flush()
    if issue:
        # Registered as issued (already live on Trix): an older version must not be uploaded.
        await publications.cancel_pending_uploads(
            session,
            principal,
            document,
            reason=f"Superseded by version {version.number}.",
            keep_version_id=version.id,
        )
    await audit.record(
        session,
        principal,
        organisation_id=document.organisation_id,
        action="document.version_added",
        entity_type="document",
        entity_id=document.id,
        before=before,
        after={**audit.snapshot(document), "version": audit.snapshot(version)},
    )
    await emit(
        session,
        events.DocumentVersionAdded(
            organisation_id=document.organisation_id,
            document_id=document.id,
            version_id=version.id,
            number=format_number(number),
            is_issued=issue,
        ),
    )
    return version


async def list_versions(
    session: AsyncSession, principal: Principal, document: Document
) -> list[DocumentVersion]:
    """Every version the caller may see, newest first."""
    query = select(DocumentVersion).where(DocumentVersion.document_id == document.id)
    if not can_see_drafts(principal, document):
        query = query.where(DocumentVersion.minor == 0)
    query = query.order_by(DocumentVersion.major.desc(), DocumentVersion.minor.desc())
    return list((await session.execute(query)).scalars())


async def get_version(
    session: AsyncSession,
    principal: Principal,
    document: Document,
    ref: str,
    *,
    with_text: bool = False,
) -> DocumentVersion:
    """A version by id or by number ('0.2'); a draft the caller may not see is NotFound."""
    query = select(DocumentVersion).where(DocumentVersion.document_id == document.id)
    number = parse_number(ref)
    if number is not None:
        query = query.where(DocumentVersion.major == number[0], DocumentVersion.minor == number[1])
    else:
        try:
            query = query.where(DocumentVersion.id == uuid.UUID(ref))
        except ValueError:
            raise NotFound("No such version: give its id or its number, e.g. 1.2.") from None
    if with_text:
        query = query.options(undefer(DocumentVersion.text))
    version = (await session.execute(query)).scalar_one_or_none()
    if version is None or (not version.is_issued and not can_see_drafts(principal, document)):
        raise NotFound("No such version.")
    return version


async def read_file(session: AsyncSession, version: DocumentVersion) -> bytes:
    file = await session.get(VersionFile, version.id)
    if file is None:  # pragma: no cover - the row is written with the version
        raise NotFound("The file of this version is missing.")
    return file.content


def compare(before: DocumentVersion, after: DocumentVersion) -> list[diffing.Change]:
    """The paragraphs added, removed or changed from ``before`` to ``after``."""
    if before.id == after.id:
        raise Invalid("Choose two different versions to compare.")
    return diffing.diff_texts(before.text, after.text)

"""Versions of a document: upload, numbering, visibility, download and comparison."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import documents as authz
from services.domain.authz.principal import Principal
from services.domain.calendar.words import long_date
from services.domain.clock import london_today, utcnow
from services.domain.documents import diff as diffing
from services.domain.documents import files, review_dates
from services.domain.documents import text as texts
from services.domain.documents.numbering import next_number, parse_number
from services.domain.documents.revisions import TrackedChanges, tracked_changes
from services.domain.errors import Invalid, NotFound, PayloadTooLarge
from services.domain.heavy_work import HeavyLimits, run_bounded
from services.domain.models.documents import Document, DocumentStatus, DocumentVersion
from services.domain.outbox.service import emit
from services.domain.subscribers import react

DEFAULT_LIMITS = HeavyLimits()


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
    issued_on: date | None = None,
    next_review_due: date | None = None,
    limits: HeavyLimits = DEFAULT_LIMITS,
) -> DocumentVersion:
    """Store a new version and number it (Cafcass 4.11); ``issue`` registers an issued version.

    An issued version is dated ``issued_on`` (default today) and its document's next review is
    ``next_review_due``, else counted from that issue date by the review-date rule. A document
    already scheduled for review needs one of the two: the server cannot tell a version issued
    today from one issued earlier and registered late.
    """
    authz.check_add_version(principal, document, issued=issue)
    if len(content) > max_bytes:
        raise PayloadTooLarge(f"The file is larger than the limit of {max_bytes} bytes.")
    today = london_today()
    _check_issue_dates(issue, issued_on, next_review_due, today)
    media_type = texts.detect_media_type(filename, content, declared_media_type)
    # In a child process within the limits: a zip bomb or a huge PDF must not stall the others.
    extracted, tracked = await run_bounded(_read, content, media_type, limits, limits=limits)
    # Lock the document so two uploads at once cannot take the same number.
    locked = await session.execute(
        select(Document).where(Document.id == document.id).with_for_update()
    )
    document = locked.scalar_one()
    if issue:
        await _check_against_document(session, document, issued_on, next_review_due)
    previous = await latest_version(session, document.id)
    number = next_number((previous.major, previous.minor) if previous else None, issue=issue)
    version = _version_row(
        principal, document, number, filename, content, media_type, extracted, change_summary
    )
    version.issued_on = (issued_on or today) if issue else None
    if tracked is not None:
        version.tracked_insertions = tracked.insertions
        version.tracked_deletions = tracked.deletions
    session.add(version)
    await session.flush()
    before = audit.snapshot(document)
    await _make_latest(session, document, version, extracted, next_review_due)
    await _record(session, principal, document, version, before)
    # Last, after everything that may refuse: an object written to the S3 store for a
    # version that is then refused would be an orphan (harmless, but kept for nothing).
    await files.save_file(session, version, content)
    return version


async def _record(
    session: AsyncSession,
    principal: Principal,
    document: Document,
    version: DocumentVersion,
    before: dict[str, Any],
) -> None:
    """The new version's reactions, audit record and event."""
    added = events.DocumentVersionAdded(
        organisation_id=document.organisation_id,
        document_id=document.id,
        version_id=version.id,
        number=version.number,
        is_issued=version.issued_on is not None,
    )
    # Registered as issued (already live on Tri.x): pending uploads of older versions are
    # cancelled (reactions/trix.py), before this version's audit record as ever.
    await react(session, principal, added)
    await audit_changes.record_change(
        session,
        principal,
        document,
        "document.version_added",
        before=before,
        after={**audit.snapshot(document), "version": audit.snapshot(version)},
    )
    await emit(session, added)


def _read(
    content: bytes, media_type: str, limits: HeavyLimits
) -> tuple[str, TrackedChanges | None]:
    """In the child process: the file's text and, for a Word document, its tracked changes
    (NCT 4.1 v), read once for both."""
    extracted = texts.extract_text(content, media_type, limits)
    if media_type != texts.DOCX:
        return extracted, None
    return extracted, tracked_changes(content, limits)


def _version_row(
    principal: Principal,
    document: Document,
    number: tuple[int, int],
    filename: str,
    content: bytes,
    media_type: str,
    extracted: str,
    change_summary: str,
) -> DocumentVersion:
    return DocumentVersion(
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
    )


async def _make_latest(
    session: AsyncSession,
    document: Document,
    version: DocumentVersion,
    extracted: str,
    next_review_due: date | None,
) -> None:
    """The document's latest version is ``version``; issued, it is in force from its issue date
    with its next review ``next_review_due``, else counted by the review-date rule."""
    document.latest_text = extracted
    document.latest_version = version.number
    if version.issued_on is not None:
        document.issued_version = version.number
        document.published_text = extracted
        document.status = DocumentStatus.PUBLISHED
        document.next_review_due = next_review_due or review_dates.review_due(
            version.issued_on, await review_dates.intervals_of(session, document)
        )
    document.updated_at = utcnow()
    await session.flush()


def _check_issue_dates(
    issue: bool, issued_on: date | None, next_review_due: date | None, today: date
) -> None:
    if not issue:
        for field, value in (("issued_on", issued_on), ("next_review_due", next_review_due)):
            if value is not None:
                raise Invalid(
                    "Only an issued version has an issue date or a review date.", field=field
                )
        return
    if issued_on is not None and issued_on > today:
        raise Invalid("A version cannot be issued in the future.", field="issued_on")
    if next_review_due is not None and next_review_due < (issued_on or today):
        raise Invalid(
            "The next review cannot be due before the version was issued.",
            field="next_review_due",
        )


async def _check_against_document(
    session: AsyncSession, document: Document, issued_on: date | None, next_review_due: date | None
) -> None:
    """An issued version is dated no earlier than the one it follows, and never silently today
    on a document whose review is already scheduled (issue 13)."""
    if issued_on is not None:
        last_issued = await session.scalar(
            select(func.max(DocumentVersion.issued_on)).where(
                DocumentVersion.document_id == document.id, DocumentVersion.minor == 0
            )
        )
        if last_issued is not None and issued_on < last_issued:
            raise Invalid(
                f"The version it follows was issued on {long_date(last_issued)}: an issued "
                "version cannot be dated before it.",
                field="issued_on",
            )
    elif next_review_due is None and document.next_review_due is not None:
        raise Invalid(
            f"This document's review is due on {long_date(document.next_review_due)}. Say when "
            "this version was issued (issued_on), to count its next review from that day, or "
            "give its next review date (next_review_due).",
            field="issued_on",
        )


async def list_versions(
    session: AsyncSession, principal: Principal, document: Document
) -> list[DocumentVersion]:
    """Every version the caller may see, newest first."""
    query = select(DocumentVersion).where(DocumentVersion.document_id == document.id)
    if not authz.can_read_drafts(principal, document):
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
    if version is None or (
        not version.is_issued and not authz.can_read_drafts(principal, document)
    ):
        raise NotFound("No such version.")
    return version


async def read_file(session: AsyncSession, version: DocumentVersion) -> bytes:
    """The version's file, byte for byte as uploaded, from whichever store holds it."""
    return await files.load_file(session, version)


async def compare(
    before: DocumentVersion, after: DocumentVersion, limits: HeavyLimits = DEFAULT_LIMITS
) -> list[diffing.Change]:
    """The paragraphs added, removed or changed from ``before`` to ``after`` (in a child
    process within ``limits``)."""
    if before.id == after.id:
        raise Invalid("Choose two different versions to compare.")
    return await run_bounded(diffing.diff_texts, before.text, after.text, limits=limits)

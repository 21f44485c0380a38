"""What the register announces: a document issued for the first time, changed (a later issue,
or an issue withdrawn), or retired (retired or superseded), each with what changed, as it read
at the time. The digest email and the news feed list these.

Birmingham 11: "Unless a specific launch is planned, updates will be communicated via the
'news' section of Trix and the weekly email communication." Written by the reactions in the
transaction of the change itself, so a rolled-back issue announces nothing.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.clock import utcnow
from services.domain.db import new_id
from services.domain.models.documents import Document, DocumentStatus, DocumentVersion
from services.domain.models.launch import Announcement, Change

# What an issue's change summary starts with (sign_off/issue.py); the reader wants the rest.
_ISSUED_FROM = re.compile(r"^Issued from draft \d+\.\d+(: )?")
MAX_SUMMARY = 2000


def _summary(text: str) -> str:
    return _ISSUED_FROM.sub("", text or "").strip()[:MAX_SUMMARY]


async def _add(
    session: AsyncSession,
    document: Document,
    change: Change,
    *,
    version: DocumentVersion | None,
    summary: str,
    number: str | None,
) -> None:
    """Once per document, version and change: registering an issue twice announces it once."""
    await session.execute(
        insert(Announcement)
        .values(
            id=new_id(),
            organisation_id=document.organisation_id,
            document_id=document.id,
            version_id=version.id if version is not None else None,
            change=change.value,
            happened_at=utcnow(),
            reference=document.reference,
            title=document.title,
            kind=document.kind,
            service_area=document.service_area,
            number=number,
            summary=summary[:MAX_SUMMARY],
        )
        .on_conflict_do_nothing(constraint="uq_announcements_once")
    )


async def announce_issue(session: AsyncSession, version_id: uuid.UUID) -> None:
    """An issued version: the document's first issue is ``issued``, a later one ``changed``."""
    version = await session.get(DocumentVersion, version_id)
    if version is None or not version.is_issued:
        return
    document = await session.get(Document, version.document_id)
    assert document is not None
    earlier = await session.scalar(
        select(DocumentVersion.id)
        .where(
            DocumentVersion.document_id == document.id,
            DocumentVersion.minor == 0,
            DocumentVersion.id != version.id,
            DocumentVersion.issued_on.is_not(None),
            DocumentVersion.major < version.major,
        )
        .limit(1)
    )
    change = Change.CHANGED if earlier is not None else Change.ISSUED
    await _add(
        session, document, change, version=version, summary=_summary(version.change_summary),
        number=version.number,
    )  # fmt: skip


async def announce_retirement(session: AsyncSession, document: Document) -> None:
    """Retired or superseded in the register: no longer in force."""
    word = "Superseded" if document.status == DocumentStatus.SUPERSEDED else "Retired"
    await _add(
        session,
        document,
        Change.RETIRED,
        version=None,
        summary=f"{word}: no longer in force.",
        number=document.issued_version,
    )


async def announce_withdrawal(
    session: AsyncSession,
    document: Document,
    withdrawn: DocumentVersion,
    reason: str,
    reinstated: DocumentVersion | None,
) -> None:
    """An issue withdrawn (Dorset 4.5.2): a change, saying what is in force now."""
    back = (
        f" Version {reinstated.number} is in force again."
        if reinstated is not None
        else " No version is in force."
    )
    await _add(
        session,
        document,
        Change.CHANGED,
        version=withdrawn,
        summary=f"Version {withdrawn.number} withdrawn: {reason.strip()}.{back}",
        number=reinstated.number if reinstated is not None else None,
    )


def _chosen(query: Select[Any], service_areas: Sequence[str], kinds: Sequence[str]) -> Select[Any]:
    """Narrowed to the service areas and/or kinds named (any case); neither named, all."""
    if service_areas:
        query = query.where(
            func.lower(Announcement.service_area).in_([a.strip().lower() for a in service_areas])
        )
    if kinds:
        query = query.where(Announcement.kind.in_(list(kinds)))
    return query


async def announcements_between(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    start: datetime,
    end: datetime,
    *,
    service_areas: Sequence[str] = (),
    kinds: Sequence[str] = (),
    limit: int = 100,
) -> list[Announcement]:
    """What was announced from ``start`` (included) to ``end`` (excluded), oldest first."""
    query = select(Announcement).where(
        Announcement.organisation_id == organisation_id,
        Announcement.happened_at >= start,
        Announcement.happened_at < end,
    )
    query = _chosen(query, service_areas, kinds)
    query = query.order_by(Announcement.happened_at, Announcement.id).limit(limit)
    return list((await session.execute(query)).scalars())


async def latest_announcements(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    *,
    service_areas: Sequence[str] = (),
    kinds: Sequence[str] = (),
    before: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[Announcement]:
    """The newest first (the feed, and the paged list)."""
    query = select(Announcement).where(Announcement.organisation_id == organisation_id)
    query = _chosen(query, service_areas, kinds)
    if before is not None:
        at, last = before
        query = query.where(
            or_(
                Announcement.happened_at < at,
                and_(Announcement.happened_at == at, Announcement.id < last),
            )
        )
    query = query.order_by(Announcement.happened_at.desc(), Announcement.id.desc()).limit(limit)
    return list((await session.execute(query)).scalars())

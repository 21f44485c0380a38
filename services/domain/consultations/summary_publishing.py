"""Freezing a "You said, we did" summary and sending its link: shared by the explicit publish
(``summaries.publish``) and the document's issue (``summary_issue.on_issue``).

What the public may see of the diff: only the paragraphs that changed from the consulted draft
(which every consultee was sent) to the compared version (the issued one), frozen into the
summary when it is published. The public pages read that copy; they never open a version, and
never run a diff on a request.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from services.domain import events
from services.domain.clock import utcnow
from services.domain.documents import diff as diffing
from services.domain.documents import versions
from services.domain.heavy_work import HeavyLimits
from services.domain.models.consultation_summaries import (
    CHANGES_KEPT,
    PARAGRAPH_KEPT,
    ConsultationSummary,
    SummaryStatus,
)
from services.domain.models.consultations import Consultation
from services.domain.models.documents import DocumentVersion
from services.domain.outbox.service import emit

# A change's key: the paragraph's number in the compared version ("p12"), or, for one
# removed, in the consulted draft ("r3"). The same text gives the same keys, so links made
# against the latest draft still hold against its issued copy.
CHANGE_KEY = re.compile(r"^[pr][1-9][0-9]{0,5}$")


def change_key(change: diffing.Change) -> str:
    if change.after_line is not None:
        return f"p{change.after_line}"
    return f"r{change.before_line}"


def _cut(paragraph: str | None) -> str | None:
    if paragraph is None or len(paragraph) <= PARAGRAPH_KEPT:
        return paragraph
    return paragraph[: PARAGRAPH_KEPT - 1] + "…"


async def _with_text(session: AsyncSession, version_id: Any) -> DocumentVersion:
    version = (
        await session.execute(
            select(DocumentVersion)
            .where(DocumentVersion.id == version_id)
            .options(undefer(DocumentVersion.text))
        )
    ).scalar_one()
    return version


async def changes_between(
    session: AsyncSession,
    consulted_id: Any,
    compared_id: Any,
    limits: HeavyLimits,
) -> tuple[list[dict[str, Any]], int]:
    """The changed paragraphs as the summary keeps them (at most ``CHANGES_KEPT``), and how
    many changed in all; diffed in a child process within ``limits``."""
    if consulted_id == compared_id:
        return [], 0
    before = await _with_text(session, consulted_id)
    after = await _with_text(session, compared_id)
    found = await versions.compare(before, after, limits)
    kept = [
        {
            "key": change_key(change),
            "kind": change.kind,
            "before": _cut(change.before),
            "after": _cut(change.after),
        }
        for change in found[:CHANGES_KEPT]
    ]
    return kept, len(found)


async def issued_since(session: AsyncSession, consultation: Consultation) -> DocumentVersion | None:
    """The version in force issued after the consulted draft, if the document was issued
    since the consultation."""
    consulted = await session.get(DocumentVersion, consultation.version_id)
    assert consulted is not None
    return (
        await session.execute(
            select(DocumentVersion)
            .where(
                DocumentVersion.document_id == consultation.document_id,
                DocumentVersion.minor == 0,
                DocumentVersion.withdrawn_at.is_(None),
                DocumentVersion.superseded_on.is_(None),
                DocumentVersion.created_at > consulted.created_at,
            )
            .order_by(DocumentVersion.major.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


def freeze(
    summary: ConsultationSummary,
    compared: DocumentVersion,
    changes: list[dict[str, Any]],
    total: int,
    *,
    published_by_id: Any,
) -> None:
    """The summary as the public will read it, from now on unchanged."""
    summary.status = SummaryStatus.PUBLISHED
    summary.compared_version_id = compared.id
    summary.changes = changes
    summary.changes_total = total
    summary.published_at = utcnow()
    summary.published_by_id = published_by_id


async def send(
    session: AsyncSession,
    summary: ConsultationSummary,
    consultation: Consultation,
    issued: DocumentVersion,
) -> None:
    """Tell the consultees, once: the event's notices go to everyone the consultation asked."""
    if summary.sent_at is not None:
        return
    summary.sent_at = utcnow()
    await emit(
        session,
        events.ConsultationSummarySent(
            organisation_id=consultation.organisation_id,
            consultation_id=consultation.id,
            document_id=consultation.document_id,
            summary_id=summary.id,
            version_id=issued.id,
        ),
    )

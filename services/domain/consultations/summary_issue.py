"""What the document's issue does to the "You said, we did" summaries of its consultations.

Each consultation of this round (closed, on a draft uploaded since the version issued before
this one) whose consultees have not been sent a summary yet:

- a published summary is sent now;
- a draft with at least one theme is published against the issued version, then sent (links
  to paragraphs the issued text no longer changes are kept but shown unlinked);
- no summary, or one with no theme: nothing is sent, and the summary is marked
  ``missing_at_issue`` (``GET /v1/consultations/{id}/summary`` says so); publishing it later
  sends it then.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.authz.principal import Principal
from services.domain.consultations.summaries import summary_of
from services.domain.consultations.summary_publishing import changes_between, freeze, send
from services.domain.db import new_id
from services.domain.documents.versions import DEFAULT_LIMITS
from services.domain.errors import DomainError
from services.domain.models.consultation_summaries import ConsultationSummary, SummaryStatus
from services.domain.models.consultations import Consultation, ConsultationStatus
from services.domain.models.documents import DocumentVersion


async def _this_round(session: AsyncSession, issued: DocumentVersion) -> list[Consultation]:
    """Closed consultations of the document on drafts uploaded since the previous issue."""
    previous = (
        await session.execute(
            select(DocumentVersion.created_at)
            .where(
                DocumentVersion.document_id == issued.document_id,
                DocumentVersion.minor == 0,
                DocumentVersion.id != issued.id,
                DocumentVersion.created_at < issued.created_at,
            )
            .order_by(DocumentVersion.created_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    query = (
        select(Consultation)
        .join(DocumentVersion, DocumentVersion.id == Consultation.version_id)
        .where(
            Consultation.document_id == issued.document_id,
            Consultation.status == ConsultationStatus.CLOSED,
            Consultation.version_id != issued.id,
        )
        .order_by(Consultation.created_at, Consultation.id)
    )
    if previous is not None:
        query = query.where(DocumentVersion.created_at > previous)
    return list((await session.execute(query)).scalars())


async def _missing(
    session: AsyncSession,
    principal: Principal,
    consultation: Consultation,
    summary: ConsultationSummary | None,
) -> None:
    if summary is None:
        summary = ConsultationSummary(
            id=new_id(),
            organisation_id=consultation.organisation_id,
            consultation_id=consultation.id,
            status=SummaryStatus.DRAFT,
            themes=[],
        )
        session.add(summary)
    summary.missing_at_issue = True
    await session.flush()
    await audit_changes.record_change(
        session, principal, summary, "consultation.summary_missing_at_issue"
    )


async def on_issue(session: AsyncSession, principal: Principal, version_id: uuid.UUID) -> None:
    """The version ``version_id`` was issued: publish and send each summary of this round's
    consultations; mark the missing."""
    await session.flush()  # the issued version's own row, with its created_at
    issued = await session.get(DocumentVersion, version_id)
    assert issued is not None
    for consultation in await _this_round(session, issued):
        summary = await summary_of(session, consultation.id)
        if summary is not None and summary.sent_at is not None:
            continue
        if summary is None or (summary.status == SummaryStatus.DRAFT and not summary.themes):
            await _missing(session, principal, consultation, summary)
            continue
        if summary.status == SummaryStatus.DRAFT:
            try:
                changes, total = await changes_between(
                    session, consultation.version_id, issued.id, DEFAULT_LIMITS
                )
            except DomainError:
                # Too big or slow to diff: the issue goes ahead; the themes keep their words.
                changes, total = [], 0
            freeze(summary, issued, changes, total, published_by_id=None)
            await audit_changes.record_change(
                session, principal, summary, "consultation.summary_published"
            )
        await send(session, summary, consultation, issued)

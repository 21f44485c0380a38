"""Who is told that a consultation's "You said, we did" summary is out: every consultee the
consultation asked (people while active, external consultees at their address), once, when
the document is issued (or when the summary is published after the issue).

The email links to the public page (``/you-said-we-did/<summary id>``), which needs no account
and no token: the summary is public, so the link may be forwarded.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.consultations.notice_context import (
    about_consultation,
    as_consultee,
    consultation_and_document,
    reachable,
)
from services.domain.consultations.service import consultees_of
from services.domain.models.consultation_summaries import ConsultationSummary, SummaryStatus
from services.domain.models.documents import DocumentVersion
from services.domain.notices.notice import Handler, Notice

YOU_SAID_WE_DID = "consultation.you_said_we_did"


async def still_true(session: AsyncSession, context: dict[str, Any]) -> bool:
    """Still worth sending while the summary is published and the version it reports is still
    in force (an issue withdrawn since, Dorset 4.5.2, makes "what we did" untrue)."""
    summary = await session.get(ConsultationSummary, uuid.UUID(context["summary_id"]))
    if summary is None or summary.status != SummaryStatus.PUBLISHED:
        return False
    version = await session.get(DocumentVersion, uuid.UUID(context["issued_version_id"]))
    return version is not None and version.withdrawn_at is None


async def _sent(session: AsyncSession, event: events.ConsultationSummarySent) -> list[Notice]:
    found = await consultation_and_document(session, event.consultation_id)
    summary = await session.get(ConsultationSummary, event.summary_id)
    issued = await session.get(DocumentVersion, event.version_id)
    if found is None or summary is None or issued is None:
        return []
    consultation, document = found
    context = {
        **await about_consultation(session, consultation),
        "summary_id": str(summary.id),
        "summary_path": f"/you-said-we-did/{summary.id}",
        "issued_version": issued.number,
        "issued_version_id": str(issued.id),
        "themes": [t["theme"] for t in summary.themes][:20],
    }
    # Everyone asked, whether or not they responded (the link may go to people who were
    # invited and stayed silent, or deemed to agree: they were consulted too).
    asked = [c for c in await consultees_of(session, consultation) if c.invited_at is not None]
    return [
        Notice(YOU_SAID_WE_DID, person, {**context, **as_consultee(consultee)}, document, consultee)
        for consultee, person in await reachable(session, consultation, asked)
    ]


HANDLERS: dict[type, Handler] = {events.ConsultationSummarySent: _sent}

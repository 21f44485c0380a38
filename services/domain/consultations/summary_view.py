"""A published "You said, we did" summary as the public reads it: the page, the PDF, the JSON.

Built only from what the summary froze when it was published (its themes and the changed
paragraphs) and the document's reference, title and version numbers: no consultee, no
response, no version's file.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.consultations.service import get_consultation
from services.domain.consultations.summaries import summary_of
from services.domain.errors import NotFound
from services.domain.models.consultation_summaries import ConsultationSummary, SummaryStatus
from services.domain.models.consultations import Consultation
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.organisations import Organisation

OUTCOME_WORDS = {
    "changed": "We changed the policy",
    "partly_changed": "We changed part of the policy",
    "not_changed": "We did not change the policy",
}


@dataclass(frozen=True)
class ChangeLink:
    key: str
    kind: str  # added, removed, changed
    before: str | None
    after: str | None


@dataclass(frozen=True)
class PublicTheme:
    theme: str
    said: str
    outcome: str
    outcome_words: str
    did: str
    # The changes this theme links to that the frozen diff holds, in the diff's order.
    changes: tuple[str, ...]


@dataclass(frozen=True)
class PublicSummary:
    summary_id: uuid.UUID
    consultation_id: uuid.UUID
    organisation_name: str
    consultation_title: str
    document_reference: str
    document_title: str
    consulted_version: str
    issued_version: str
    published_at: datetime
    introduction: str
    themes: tuple[PublicTheme, ...]
    changes: tuple[ChangeLink, ...]
    changes_total: int


async def _view(
    session: AsyncSession, summary: ConsultationSummary, consultation: Consultation
) -> PublicSummary:
    document = await session.get(Document, consultation.document_id)
    organisation = await session.get(Organisation, consultation.organisation_id)
    consulted = await session.get(DocumentVersion, consultation.version_id)
    compared = await session.get(DocumentVersion, summary.compared_version_id)
    assert document and organisation and consulted and compared and summary.published_at
    changes = tuple(
        ChangeLink(c["key"], c["kind"], c.get("before"), c.get("after")) for c in summary.changes
    )
    order = {c.key: i for i, c in enumerate(changes)}
    themes = tuple(
        PublicTheme(
            theme=t["theme"],
            said=t["said"],
            outcome=t["outcome"],
            outcome_words=OUTCOME_WORDS[t["outcome"]],
            did=t["did"],
            changes=tuple(
                sorted((k for k in t.get("changes", []) if k in order), key=order.__getitem__)
            ),
        )
        for t in summary.themes
    )
    return PublicSummary(
        summary_id=summary.id,
        consultation_id=consultation.id,
        organisation_name=organisation.name,
        consultation_title=consultation.title,
        document_reference=document.reference,
        document_title=document.title,
        consulted_version=consulted.number,
        issued_version=compared.number,
        published_at=summary.published_at,
        introduction=summary.introduction,
        themes=themes,
        changes=changes,
        changes_total=summary.changes_total,
    )


async def public_summary(session: AsyncSession, summary_id: uuid.UUID) -> PublicSummary:
    """A published summary, for anyone (no account); a draft answers as if it were not there."""
    summary = await session.get(ConsultationSummary, summary_id)
    if summary is None or summary.status != SummaryStatus.PUBLISHED:
        raise NotFound("No such summary.")
    consultation = await session.get(Consultation, summary.consultation_id)
    assert consultation is not None
    return await _view(session, summary, consultation)


async def published_summary(
    session: AsyncSession, principal: Principal, consultation_id: uuid.UUID
) -> PublicSummary:
    """A consultation's published summary, for anyone of the organisation who may see the
    consultation (a consultee, its team, the policy team); 404 until published."""
    consultation = await get_consultation(session, principal, consultation_id)
    summary = await summary_of(session, consultation.id)
    if summary is None or summary.status != SummaryStatus.PUBLISHED:
        raise NotFound("This consultation's summary has not been published.")
    return await _view(session, summary, consultation)

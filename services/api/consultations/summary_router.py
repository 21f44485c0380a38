""" "You said, we did" (`/v1/consultations/{id}/summary`): the policy team drafts and publishes
a consultation's public summary; once published anyone who may see the consultation reads it
here, and anyone at all on its public page (`/you-said-we-did/{summary_id}`)."""

from __future__ import annotations

import uuid

from fastapi import Response

from services.api.consultations import summary_schemas as schemas
from services.api.deps import AppSettings, CurrentPrincipal, Session
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.authz.permissions import Permission as P
from services.domain.consultations import summaries, summary_pdf, summary_view
from services.domain.models.consultation_summaries import SummaryStatus

router = Router(prefix="/v1/consultations", tags=["consultations"])


def _out(state: summaries.SummaryState) -> schemas.ConsultationSummary:
    summary = state.summary
    published = summary is not None and summary.status == SummaryStatus.PUBLISHED
    return schemas.ConsultationSummary(
        consultation_id=state.consultation.id,
        summary_id=summary.id if summary else None,
        status=summary.status.value if summary else "none",
        is_prefilled=state.is_prefilled,
        missing_at_issue=bool(summary and summary.missing_at_issue),
        introduction=state.introduction,
        themes=[schemas.SummaryTheme(**t) for t in state.themes],
        analysis=[schemas.ReportTheme.model_validate(t) for t in state.analysis],
        changes=[schemas.SummaryChange(**c) for c in state.changes],
        changes_total=state.changes_total,
        published_at=summary.published_at if summary else None,
        sent_at=summary.sent_at if summary else None,
        public_path=f"/you-said-we-did/{summary.id}" if published and summary else None,
    )


def _draft(body: schemas.SummaryDraftIn) -> summaries.SummaryDraft:
    return summaries.SummaryDraft(
        introduction=body.introduction,
        themes=tuple(
            summaries.ThemeEntry(t.theme, t.said, t.outcome, t.did, tuple(t.changes))
            for t in body.themes
        ),
    )


@router.get(
    "/{consultation_id}/summary",
    response_model=schemas.ConsultationSummary,
    dependencies=[allowed(P.DRAFTS_READ)],
)
async def get_consultation_summary(
    consultation_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
) -> schemas.ConsultationSummary:
    """The "You said, we did" summary as the policy team edits it: saved, or prefilled from
    the analysis (counts per theme, never a name or a quote); with the changes a theme may
    link to, and whether the document was issued while it was missing."""
    state = await summaries.get_summary(session, principal, consultation_id, settings.heavy_limits)
    return _out(state)


@router.put(
    "/{consultation_id}/summary",
    response_model=schemas.ConsultationSummary,
    dependencies=[allowed(P.CONSULTATIONS_RUN)],
)
async def put_consultation_summary(
    consultation_id: uuid.UUID,
    body: schemas.SummaryDraftIn,
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
) -> schemas.ConsultationSummary:
    """Write or replace the draft (the policy team; a closed consultation; 409 once
    published). 422 names the field that names a consultee or quotes a response."""
    state = await summaries.save_draft(
        session, principal, consultation_id, _draft(body), settings.heavy_limits
    )
    return _out(state)


@router.post(
    "/{consultation_id}/summary/publish",
    response_model=schemas.ConsultationSummary,
    dependencies=[allowed(P.CONSULTATIONS_RUN)],
)
async def publish_consultation_summary(
    consultation_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
) -> schemas.ConsultationSummary:
    """Publish (freeze) the draft now, against the issued version or, before the issue, the
    latest; if the document is already issued, the consultees are sent the link now."""
    state = await summaries.publish(session, principal, consultation_id, settings.heavy_limits)
    return _out(state)


@router.get(
    "/{consultation_id}/summary/published",
    response_model=schemas.PublishedSummary,
    dependencies=[allowed(P.CONSULTATIONS_RESPOND)],
)
async def get_published_consultation_summary(
    consultation_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.PublishedSummary:
    """The published summary as the public reads it (404 until published)."""
    view = await summary_view.published_summary(session, principal, consultation_id)
    return schemas.PublishedSummary.model_validate(view)


@router.get(
    "/{consultation_id}/summary.pdf",
    response_class=Response,
    responses={
        200: {
            "description": "The published summary as a PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
    dependencies=[allowed(P.CONSULTATIONS_RESPOND)],
)
async def get_consultation_summary_pdf(
    consultation_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
) -> Response:
    """The published summary as a PDF, written off the event loop (404 until published)."""
    view = await summary_view.published_summary(session, principal, consultation_id)
    content = await summary_pdf.pdf_of(view, settings.heavy_limits)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{summary_pdf.pdf_filename(view)}"'},
    )

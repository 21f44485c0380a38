"""A document's history: its timeline and the paper trail for a Freedom of Information request."""

from __future__ import annotations

import base64
import uuid

from fastapi.responses import StreamingResponse

from services.api.deps import AppSettings, CurrentPrincipal, Session
from services.api.documents import schemas
from services.api.errors import declared_problem
from services.api.files import STORED_FILE_DAMAGED
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.authz.permissions import Permission as P
from services.domain.documents import service
from services.domain.timeline import paper_trail
from services.domain.timeline import service as timeline
from services.domain.timeline.paper_trail_zip import chunks

router = Router(prefix="/v1/documents", tags=["documents"])


@router.get(
    "/{document_id}/timeline",
    response_model=schemas.Timeline,
    dependencies=[allowed(P.DRAFTS_READ)],
)
async def get_timeline(
    document_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.Timeline:
    """The document's paper trail, oldest first (for FOI requests): versions, proposal,
    assessments, consultations (opening, each response, late and deemed ones, close, report),
    board items and decisions, sign-off, issue, Trix publication, reviews and their outcomes,
    Update Plan items, and the emails sent (for the policy team). Only for those who may see
    drafts: the policy team and the people named on the document."""
    document = await service.get_document(session, principal, document_id)
    entries = await timeline.document_timeline(session, principal, document)
    return schemas.Timeline(
        document_id=document.id,
        reference=document.reference,
        title=document.title,
        entries=[schemas.TimelineEntry.model_validate(e) for e in entries],
    )


@router.get(
    "/{document_id}/paper-trail.zip",
    dependencies=[allowed(P.AUDIT_READ)],
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "A zip: timeline.json and timeline.html, versions/<number>_<file> "
            "for every version, consultations/<id>/report.{json,csv,html}, audit.json with the "
            "verification of the audit chain, manifest.json and SHA256SUMS.",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        },
        413: declared_problem(413, "The versions' files are over POLICYGOV_PAPER_TRAIL_MAX_BYTES."),
        **STORED_FILE_DAMAGED,
    },
)
async def export_paper_trail(
    document_id: uuid.UUID, session: Session, principal: CurrentPrincipal, settings: AppSettings
) -> StreamingResponse:
    """Everything about the document for a Freedom of Information request, in one zip (admins
    and policy officers). The export is recorded in the audit log with the zip's SHA-256
    (`Repr-Digest`). 413 when the versions' files come to more than
    `POLICYGOV_PAPER_TRAIL_MAX_BYTES`."""
    document = await service.get_document(session, principal, document_id)
    export = await paper_trail.export_paper_trail(
        session, principal, document, max_bytes=settings.paper_trail_max_bytes
    )
    digest = base64.b64encode(bytes.fromhex(export.sha256)).decode()
    return StreamingResponse(
        chunks(export.file),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename}"',
            "Content-Length": str(export.size),
            "Repr-Digest": f"sha-256=:{digest}:",
            "Cache-Control": "no-store",
        },
    )

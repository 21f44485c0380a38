"""The consultation report (`/v1/consultations/{id}/report`): JSON, CSV and a printable page.

Only for the document's team and the policy team: it holds every consultee's response.
"""

from __future__ import annotations

import re
import uuid

from fastapi import Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.consultations import report_schemas as schemas
from services.api.deps import CurrentPrincipal, Session
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.authz import consultations as authz
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal
from services.domain.consultations import agreement, report_formats, service
from services.domain.consultations import report as reports
from services.domain.errors import NotFound

router = Router(prefix="/v1/consultations", tags=["consultations"])
# The page shows what consultees typed: nothing in it may load or run anything.
HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


async def _report(
    session: AsyncSession, principal: Principal, consultation_id: uuid.UUID
) -> reports.ConsultationReport:
    consultation = await service.get_consultation(session, principal, consultation_id)
    if not authz.can_read_responses(principal, await service.document_of(session, consultation)):
        # A consultee sees the consultation, not the others' responses: as if it were not there.
        raise NotFound("No such consultation.")
    return await reports.build_report(session, consultation)


def _filename(report: reports.ConsultationReport, extension: str) -> str:
    reference = re.sub(r"[^A-Za-z0-9._-]+", "-", report.document_reference).strip("-")
    return f"{reference or 'consultation'}-consultation-report.{extension}"


@router.get(
    "/{consultation_id}/report",
    response_model=schemas.ConsultationReport,
    dependencies=[allowed(P.DRAFTS_READ)],
)
async def get_consultation_report(
    consultation_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.ConsultationReport:
    """The report (Cafcass 4.7): counts by position, the themes, every response in full with
    how it was handled, deemed agreement apart, and who did not respond."""
    report = await _report(session, principal, consultation_id)
    return schemas.ConsultationReport.model_validate(report)


@router.get(
    "/{consultation_id}/report.csv",
    response_class=Response,
    responses={
        200: {
            "description": "One row per consultee, one column per question (UTF-8 with a BOM).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
    dependencies=[allowed(P.DRAFTS_READ)],
)
async def get_consultation_report_csv(
    consultation_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> Response:
    """The report as a spreadsheet: one row per consultee."""
    report = await _report(session, principal, consultation_id)
    # The byte order mark makes Excel read the file as UTF-8 (names with accents, quotes).
    return Response(
        "\ufeff" + report_formats.report_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_filename(report, "csv")}"'},
    )


@router.get(
    "/{consultation_id}/report.html",
    response_class=Response,
    responses={
        200: {
            "description": "A self-contained page to read or print.",
            "content": {"text/html": {"schema": {"type": "string"}}},
        }
    },
    dependencies=[allowed(P.DRAFTS_READ)],
)
async def get_consultation_report_html(
    consultation_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> Response:
    """The report as a printable page."""
    report = await _report(session, principal, consultation_id)
    return Response(
        report_formats.report_html(report),
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Disposition": f'inline; filename="{_filename(report, "html")}"',
            "Content-Security-Policy": HTML_POLICY,
        },
    )


@router.post(
    "/{consultation_id}/report/agreement",
    status_code=201,
    response_model=schemas.ReportAgreement,
    dependencies=[allowed(P.CONSULTATIONS_RUN)],
)
async def agree_consultation_report(
    consultation_id: uuid.UUID,
    body: schemas.ReportAgreementCreate,
    session: Session,
    principal: CurrentPrincipal,
) -> schemas.ReportAgreement:
    """Record that the closed consultation's report was agreed (Cafcass 4.7: "Once the report
    has been agreed by the Policy Sponsor at CMT the report can be shared at ECMT"): by the
    document's owner, or the policy team for them; once (409 after)."""
    agreed = await agreement.agree_report(
        session, principal, consultation_id, agreement.ReportAgreed(**body.model_dump())
    )
    return schemas.ReportAgreement.model_validate(agreed)


@router.get(
    "/{consultation_id}/report/agreement",
    response_model=schemas.ReportAgreement,
    dependencies=[allowed(P.CONSULTATIONS_RESPOND)],
)
async def get_consultation_report_agreement(
    consultation_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.ReportAgreement:
    """Who agreed the report, where and when (404 until it is agreed)."""
    found = await agreement.get_agreement(session, principal, consultation_id)
    return schemas.ReportAgreement.model_validate(found)

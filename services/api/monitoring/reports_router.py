"""Implementation reports (Cafcass 7.4, Dorset xi): a document's and the organisation's, as
JSON, CSV and HTML; put on a board meeting's agenda as a paper, and read as tabled."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Response

from services.api.deps import CurrentPrincipal, Session
from services.api.monitoring import schemas
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.authz.permissions import Permission as P
from services.domain.implementation import render, report, tabling
from services.domain.models.monitoring import ImplementationReport

router = Router(prefix="/v1", tags=["implementation-reports"])

# Nothing in the page may load or run (it holds what people typed).
HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "UTF-8 with a BOM: a document's actions, or the organisation's documents.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}
HTML_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A self-contained page to read or print.",
        "content": {"text/html": {"schema": {"type": "string"}}},
    }
}


def _csv(content: dict[str, Any], name: str) -> Response:
    # The byte order mark makes Excel read the file as UTF-8.
    return Response(
        "\ufeff" + render.report_csv(content),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _html(content: dict[str, Any], tabled: dict[str, Any] | None = None) -> Response:
    return Response(
        render.report_html(content, tabled=tabled),
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": HTML_POLICY},
    )


def _filename(content: dict[str, Any]) -> str:
    if content["scope"] == "document":
        safe = "".join(
            c if c.isalnum() or c in "-_" else "-" for c in content["document"]["reference"]
        )
        return f"implementation-report-{safe}"
    return "implementation-report"


@router.get(
    "/documents/{document_id}/implementation-report",
    response_model=schemas.ImplementationReport,
    dependencies=[allowed(P.MONITORING_READ)],
)
async def get_document_implementation_report(
    document_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.ImplementationReport:
    """How the document is being implemented today: its monitoring actions (open, overdue,
    done with outcomes, cancelled), acknowledgement uptake of the version in force (null: not
    measured), dis-applications in force and open requests to the policy service about it."""
    content = await report.document_report(session, principal, document_id)
    return schemas.ImplementationReport.model_validate(content)


@router.get(
    "/documents/{document_id}/implementation-report.csv",
    response_class=Response,
    responses=CSV_RESPONSE,
    dependencies=[allowed(P.MONITORING_READ)],
)
async def get_document_implementation_report_csv(
    document_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> Response:
    """The document's report as a spreadsheet: one row per monitoring action."""
    content = await report.document_report(session, principal, document_id)
    return _csv(content, _filename(content))


@router.get(
    "/documents/{document_id}/implementation-report.html",
    response_class=Response,
    responses=HTML_RESPONSE,
    dependencies=[allowed(P.MONITORING_READ)],
)
async def get_document_implementation_report_html(
    document_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> Response:
    """The document's report as a printable page."""
    return _html(await report.document_report(session, principal, document_id))


@router.get(
    "/implementation-report",
    response_model=schemas.ImplementationReport,
    dependencies=[allowed(P.MONITORING_READ)],
)
async def get_implementation_report(
    session: Session, principal: CurrentPrincipal
) -> schemas.ImplementationReport:
    """The organisation's report (Dorset xi: assurance to CSLT): one row per document in force
    with monitoring actions, dis-applications in force or open requests (at most 500, by
    reference), the totals, and every overdue action."""
    content = await report.organisation_report(session, principal)
    return schemas.ImplementationReport.model_validate(content)


@router.get(
    "/implementation-report.csv",
    response_class=Response,
    responses=CSV_RESPONSE,
    dependencies=[allowed(P.MONITORING_READ)],
)
async def get_implementation_report_csv(session: Session, principal: CurrentPrincipal) -> Response:
    """The organisation's report as a spreadsheet: one row per document."""
    content = await report.organisation_report(session, principal)
    return _csv(content, _filename(content))


@router.get(
    "/implementation-report.html",
    response_class=Response,
    responses=HTML_RESPONSE,
    dependencies=[allowed(P.MONITORING_READ)],
)
async def get_implementation_report_html(session: Session, principal: CurrentPrincipal) -> Response:
    """The organisation's report as a printable page."""
    return _html(await report.organisation_report(session, principal))


def _tabled(found: ImplementationReport) -> schemas.TabledReport:
    return schemas.TabledReport(
        id=found.id,
        document_id=found.document_id,
        board_id=found.board_id,
        meeting_id=found.meeting_id,
        agenda_item_id=found.agenda_item_id,
        tabled_by_id=found.tabled_by_id,
        tabled_at=found.tabled_at,
        report=schemas.ImplementationReport.model_validate(found.content),
    )


async def _table(
    session: Session,
    principal: CurrentPrincipal,
    body: schemas.ReportTabling,
    response: Response,
    document_id: uuid.UUID | None,
) -> schemas.TabledReport:
    found, _item = await tabling.table_report(
        session,
        principal,
        body.board_id,
        document_id=document_id,
        meeting_id=body.meeting_id,
        notes=body.notes,
    )
    response.headers["Location"] = tabling.report_path(found.id)
    return _tabled(found)


@router.post(
    "/documents/{document_id}/implementation-report/tabling",
    status_code=201,
    response_model=schemas.TabledReport,
    dependencies=[allowed(P.AGENDA_SUBMIT)],
)
async def table_document_implementation_report(
    document_id: uuid.UUID,
    body: schemas.ReportTabling,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.TabledReport:
    """Put the document's report on a board meeting's agenda for information (its author,
    responsible officer or owner, or the policy team; Cafcass 7.4: "circulated amongst
    ECMT"). The report is kept as tabled; the agenda item's notes summarise it and name it."""
    return await _table(session, principal, body, response, document_id)


@router.post(
    "/implementation-report/tabling",
    status_code=201,
    response_model=schemas.TabledReport,
    dependencies=[allowed(P.AGENDA_SUBMIT)],
)
async def table_implementation_report(
    body: schemas.ReportTabling, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.TabledReport:
    """Put the organisation's report on a board meeting's agenda for information (the policy
    team; Dorset xi: "to provide CSLT with assurance that governance is effective")."""
    return await _table(session, principal, body, response, None)


@router.get(
    "/implementation-reports/{report_id}.html",
    response_class=Response,
    responses=HTML_RESPONSE,
    dependencies=[allowed(P.MONITORING_READ)],
)
async def get_tabled_implementation_report_html(
    report_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> Response:
    """A report as tabled, as a printable page naming the board and the meeting."""
    found = await tabling.get_report(session, principal, report_id)
    return _html(found.content, await tabling.where_tabled(session, found))


@router.get(
    "/implementation-reports/{report_id}",
    response_model=schemas.TabledReport,
    dependencies=[allowed(P.MONITORING_READ)],
)
async def get_tabled_implementation_report(
    report_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.TabledReport:
    """A report as it was tabled to a board, whatever has changed since."""
    return _tabled(await tabling.get_report(session, principal, report_id))

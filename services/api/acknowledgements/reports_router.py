"""Compliance with read and acknowledge, per request, per document and per team (service area,
job title or board): counts, percentages and overdue as JSON, and the people or the teams as
CSV or XLSX (Dorset aim xi: monitoring the use of approved documents)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import Response

from services.api.acknowledgements import schemas
from services.api.deps import CurrentPrincipal, Session
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.acknowledgements import asking, compliance
from services.domain.acknowledgements.compliance import Tally
from services.domain.authz.permissions import Permission as P

router = Router(prefix="/v1/acknowledgement-compliance", tags=["acknowledgements"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Format = Literal["csv", "xlsx"]
View = Literal["people", "teams"]
FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The people (one row each) or the teams, as CSV (UTF-8 with a BOM) or XLSX.",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def _counts(tally: Tally) -> schemas.AcknowledgementCounts:
    return schemas.AcknowledgementCounts(
        asked=tally.asked,
        confirmed=tally.confirmed,
        pending=tally.pending,
        overdue=tally.overdue,
        percent=tally.percent,
    )


@router.get(
    "",
    response_model=schemas.AcknowledgementCompliance,
    dependencies=[allowed(P.ACKNOWLEDGEMENTS_READ)],
)
async def get_acknowledgement_compliance(
    session: Session,
    principal: CurrentPrincipal,
    group_by: schemas.GroupBy = "service_area",
    request_id: uuid.UUID | None = None,
    document_id: uuid.UUID | None = None,
) -> schemas.AcknowledgementCompliance:
    """Asked, confirmed, pending, overdue and percent confirmed, in total and per team
    (`group_by` service area or job title as each person was when asked, or the boards they
    sit on): of one ask (`request_id`), of a document's open asks (`document_id`), or of
    every open ask in the organisation."""
    if request_id is not None:
        await asking.get_request(session, principal, request_id)  # 404 when not ours
    total, teams = await compliance.by_team(
        session, principal, group_by, request_id=request_id, document_id=document_id
    )
    return schemas.AcknowledgementCompliance(
        group_by=group_by,
        request_id=request_id,
        document_id=document_id,
        total=_counts(total),
        teams=[
            schemas.AcknowledgementTeamTally(team=t.group, **_counts(t).model_dump()) for t in teams
        ],
    )


@router.get(
    "/export.{file_format}",
    response_class=Response,
    responses=FILES,
    dependencies=[allowed(P.ACKNOWLEDGEMENTS_READ)],
)
async def export_acknowledgement_compliance(
    file_format: Format,
    session: Session,
    principal: CurrentPrincipal,
    view: View = "people",
    group_by: schemas.GroupBy = "service_area",
    request_id: uuid.UUID | None = None,
    document_id: uuid.UUID | None = None,
) -> Response:
    """`view=people`: one row per person asked (document, version, due date, name, email,
    team, status, when and how they confirmed, reminders, escalation, overdue); `view=teams`:
    one row per team with its counts and percent. The same scope as the JSON report (at most
    50,000 rows); cells never run as formulas."""
    if request_id is not None:
        await asking.get_request(session, principal, request_id)
    if view == "people":
        header: tuple[str, ...] = compliance.EXPORT_COLUMNS
        rows = await compliance.export_rows(
            session, principal, request_id=request_id, document_id=document_id
        )
    else:
        header = compliance.TALLY_COLUMNS
        total, teams = await compliance.by_team(
            session, principal, group_by, request_id=request_id, document_id=document_id
        )
        rows = compliance.tally_rows([*teams, total])
    name = f"acknowledgements-{view}.{file_format}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if file_format == "csv":
        text = compliance.to_csv(header, rows)
        return Response("\ufeff" + text, media_type="text/csv; charset=utf-8", headers=disposition)
    content = compliance.to_xlsx("Acknowledgements", header, rows)
    return Response(content, media_type=XLSX, headers=disposition)

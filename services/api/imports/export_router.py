"""The tracker as a spreadsheet (`/v1/tracker/export.csv`, `/v1/tracker/export.xlsx`), with the
columns `POST /v1/imports` reads, so an export imports again cleanly."""

from __future__ import annotations

from fastapi import Response

from services.api.deps import CurrentPrincipal, Session
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.authz.permissions import Permission as P
from services.domain.imports import export

router = Router(prefix="/v1/tracker", tags=["tracker"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/export.csv",
    response_class=Response,
    responses={
        200: {
            "description": "One row per document, by reference (UTF-8 with a BOM).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
    dependencies=[allowed(P.TRACKER_READ)],
)
async def export_tracker_csv(session: Session, principal: CurrentPrincipal) -> Response:
    """The register's review tracker as CSV: every document the caller may list."""
    text = await export.tracker_csv(session, principal)
    # The byte order mark makes Excel read the file as UTF-8.
    return Response(
        "\ufeff" + text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="tracker.csv"'},
    )


@router.get(
    "/export.xlsx",
    response_class=Response,
    responses={
        200: {
            "description": "One row per document, by reference, with date cells.",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
    dependencies=[allowed(P.TRACKER_READ)],
)
async def export_tracker_xlsx(session: Session, principal: CurrentPrincipal) -> Response:
    """The register's review tracker as an XLSX workbook."""
    content = await export.tracker_xlsx(session, principal)
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="tracker.xlsx"'},
    )

"""Tri.x amendment packs: for an update cycle or a calendar month, each changed document's
change summary and section-level redline, as a printable page (HTML) or a Word document."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import Query, Response

from services.api.deps import AppSettings, CurrentPrincipal, Session
from services.api.errors import declared_problem
from services.api.permissions import allowed
from services.api.routing import Router
from services.api.types import text_field
from services.domain.amendment_packs import service
from services.domain.amendment_packs.contents import PackLimits
from services.domain.authz.permissions import Permission as P
from services.domain.settings import Settings

router = Router(tags=["amendment-packs"])
# The page shows what authors wrote: nothing in it may load or run anything.
HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
Format = Annotated[
    Literal["html", "docx"],
    Query(description="`html`, a printable page (the default), or `docx`, a Word document."),
]
Month = Annotated[
    Annotated[str, text_field(7, 7, strip=False, pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$")],
    Query(description="The calendar month, `YYYY-MM` (London days).", examples=["2026-12"]),
]
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The pack: a self-contained HTML page, or a .docx.",
        "content": {
            "text/html": {"schema": {"type": "string"}},
            service.DOCX: {"schema": {"type": "string", "format": "binary"}},
        },
    },
    413: declared_problem(413, "Writing the pack needs more memory than it is allowed."),
}


def _limits(settings: Settings) -> PackLimits:
    return PackLimits(
        max_documents=settings.amendment_pack_max_documents,
        max_text_chars=settings.amendment_pack_max_text_chars,
    )


def _answer(pack: service.RenderedPack) -> Response:
    if pack.media_type.startswith("text/html"):
        headers = {
            "Content-Disposition": f'inline; filename="{pack.filename}"',
            "Content-Security-Policy": HTML_POLICY,
        }
    else:
        headers = {"Content-Disposition": f'attachment; filename="{pack.filename}"'}
    return Response(pack.content, media_type=pack.media_type, headers=headers)


@router.get(
    "/v1/update-cycles/{cycle_id}/amendment-pack",
    response_class=Response,
    responses=RESPONSES,
    dependencies=[allowed(P.DOCUMENTS_READ)],
)
async def get_cycle_amendment_pack(
    cycle_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
    format: Format = "html",
) -> Response:
    """The amendment pack of an update cycle (NCT 3.4 a): each document whose item the RO
    accepted or amended and that had a version issued from the day the cycle opened to the day
    it closed (or today), with its change summary and a redline of its changed sections; the
    front page also lists what was withdrawn and what was agreed but is not issued yet."""
    pack = await service.cycle_pack(
        session, principal, cycle_id, format, _limits(settings), settings.heavy_limits
    )
    return _answer(pack)


@router.get(
    "/v1/amendment-packs",
    response_class=Response,
    responses=RESPONSES,
    dependencies=[allowed(P.DOCUMENTS_READ)],
)
async def get_month_amendment_pack(
    month: Month,
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
    format: Format = "html",
) -> Response:
    """The amendment pack of a calendar month: every document with a version issued on a day of
    it, and every withdrawal made in it (London days); a month with none is an empty pack."""
    year, number = (int(part) for part in month.split("-"))
    pack = await service.month_pack(
        session, principal, year, number, format, _limits(settings), settings.heavy_limits
    )
    return _answer(pack)

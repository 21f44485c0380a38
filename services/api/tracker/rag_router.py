"""The tracker's RAG picture: counts by service area now, the weekly snapshots and their trend,
the charts (SVG) and the printable report that carries them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Response

from services.api.deps import AppSettings, CurrentPrincipal, Session
from services.api.permissions import allowed
from services.api.routing import Router
from services.api.tracker import schemas
from services.api.types import ShortText
from services.domain.authz.permissions import Permission as P
from services.domain.clock import london_today
from services.domain.documents.review_dates import ReviewRules
from services.domain.tracker import report, snapshots
from services.domain.tracker.snapshots import MAX_WEEKS, AreaRag, Week

router = Router(prefix="/v1/tracker", tags=["tracker"])

# Nothing in the report may load or run (it holds what people typed).
HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
SVG_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "An SVG image with a title, a description giving every number, and labels.",
        "content": {"image/svg+xml": {"schema": {"type": "string"}}},
    }
}
HTML_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A self-contained page to read or print, the charts inline.",
        "content": {"text/html": {"schema": {"type": "string"}}},
    }
}
Weeks = Annotated[
    int, Query(ge=1, le=MAX_WEEKS, description="How many weeks back, this one included.")
]
ServiceArea = Annotated[
    ShortText | None, Query(description="One service area's counts alone (any case).")
]


def _area(area: AreaRag) -> schemas.AreaRag:
    return schemas.AreaRag(service_area=area.service_area, total=area.total, **area.counts)


def _week(week: Week) -> schemas.WeekRag:
    return schemas.WeekRag(
        week_starting=week.week_starting,
        taken_on=week.taken_on,
        totals=schemas.RagNumbers(**week.totals),
        service_areas=[_area(a) for a in week.areas],
    )


def _svg(body: str) -> Response:
    return Response(
        body,
        media_type="image/svg+xml; charset=utf-8",
        headers={"Content-Security-Policy": HTML_POLICY, "Cache-Control": "no-store"},
    )


@router.get("/rag", response_model=schemas.RagSummary, dependencies=[allowed(P.TRACKER_READ)])
async def get_tracker_rag(
    session: Session, principal: CurrentPrincipal, settings: AppSettings
) -> schemas.RagSummary:
    """Red (overdue), amber (due within the reminder window, or under review) and green
    counts of tracked documents, for the organisation and per service area, today."""
    today = london_today()
    rules = ReviewRules.from_settings(settings)
    areas = await report.rag_now(session, principal, today=today, rules=rules)
    totals = {rag: sum(a.counts[rag] for a in areas) for rag in ("green", "amber", "red")}
    return schemas.RagSummary(
        today=today,
        organisation=schemas.RagNumbers(**totals),
        service_areas=[_area(a) for a in areas],
    )


@router.get("/trend", response_model=schemas.Trend, dependencies=[allowed(P.TRACKER_READ)])
async def get_tracker_trend(
    session: Session,
    principal: CurrentPrincipal,
    weeks: Weeks = 12,
    service_area: ServiceArea = None,
) -> schemas.Trend:
    """The weekly snapshots of the last `weeks` weeks, oldest first (weeks without one are
    left out): RAG counts per service area and in all."""
    today = london_today()
    found = await snapshots.trend(
        session, principal, today=today, weeks=weeks, service_area=service_area
    )
    return schemas.Trend(today=today, weeks=[_week(w) for w in found])


@router.post(
    "/snapshots",
    status_code=201,
    response_model=schemas.WeekRag,
    dependencies=[allowed(P.TRACKER_IMPORT)],
)
async def take_tracker_snapshot(
    session: Session, principal: CurrentPrincipal, settings: AppSettings
) -> schemas.WeekRag:
    """Take the current week's snapshot again, as of today (the policy team): it replaces the
    week's; earlier weeks are never rewritten. The notifier takes it on each Monday."""
    today = london_today()
    rules = ReviewRules.from_settings(settings)
    await snapshots.retake(session, principal, today, rules)
    [week] = await snapshots.trend(session, principal, today=today, weeks=1)
    return _week(week)


@router.get(
    "/charts/status-by-area.svg",
    response_class=Response,
    responses=SVG_RESPONSE,
    dependencies=[allowed(P.TRACKER_READ)],
)
async def get_tracker_status_chart(
    session: Session, principal: CurrentPrincipal, settings: AppSettings
) -> Response:
    """Today's red, amber and green per service area: stacked bars with the counts."""
    rules = ReviewRules.from_settings(settings)
    return _svg(await report.status_chart(session, principal, today=london_today(), rules=rules))


@router.get(
    "/charts/trend.svg",
    response_class=Response,
    responses=SVG_RESPONSE,
    dependencies=[allowed(P.TRACKER_READ)],
)
async def get_tracker_trend_chart(
    session: Session,
    principal: CurrentPrincipal,
    weeks: Weeks = 12,
    service_area: ServiceArea = None,
) -> Response:
    """The weekly snapshots as stacked bars, one per week, with the counts."""
    return _svg(
        await report.trend_chart(
            session, principal, today=london_today(), weeks=weeks, service_area=service_area
        )
    )


@router.get(
    "/report.html",
    response_class=Response,
    responses=HTML_RESPONSE,
    dependencies=[allowed(P.TRACKER_READ)],
)
async def get_tracker_report_html(
    session: Session, principal: CurrentPrincipal, settings: AppSettings
) -> Response:
    """The tracker report for a board: status by service area and the last 13 weeks' trend,
    each as a chart and a table."""
    rules = ReviewRules.from_settings(settings)
    body = await report.tracker_report(session, principal, today=london_today(), rules=rules)
    return Response(
        body,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": HTML_POLICY},
    )

"""The tracker's RAG picture for people: the counts by service area now, the charts, and the
printable report that carries both (charts.py draws them)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz import reviews as authz
from services.domain.authz.principal import Principal
from services.domain.documents.review_dates import ReviewRules
from services.domain.models.organisations import Organisation
from services.domain.tracker import charts, snapshots
from services.domain.tracker.snapshots import AreaRag

# The report's trend: a quarter of a year of weeks.
REPORT_WEEKS = 13


async def _organisation_name(session: AsyncSession, principal: Principal) -> str:
    organisation = await session.get(Organisation, principal.organisation_id)
    return organisation.name if organisation else ""


async def rag_now(
    session: AsyncSession, principal: Principal, *, today: date, rules: ReviewRules
) -> list[AreaRag]:
    """Red, amber and green counts per service area today."""
    authz.check_read_tracker(principal)
    return await snapshots.rag_by_area(session, principal.organisation_id, today, rules)


async def status_chart(
    session: AsyncSession, principal: Principal, *, today: date, rules: ReviewRules
) -> str:
    """The status-by-service-area chart of today, as SVG."""
    areas = await rag_now(session, principal, today=today, rules=rules)
    return charts.status_by_area_svg(areas, today, await _organisation_name(session, principal))


async def trend_chart(
    session: AsyncSession,
    principal: Principal,
    *,
    today: date,
    weeks: int,
    service_area: str | None = None,
) -> str:
    """The weekly trend chart, as SVG."""
    found = await snapshots.trend(
        session, principal, today=today, weeks=weeks, service_area=service_area
    )
    name = await _organisation_name(session, principal)
    return charts.trend_svg(found, name, service_area)


async def tracker_report(
    session: AsyncSession, principal: Principal, *, today: date, rules: ReviewRules
) -> str:
    """The printable tracker report: both charts inline, with their numbers as tables."""
    areas = await rag_now(session, principal, today=today, rules=rules)
    weeks = await snapshots.trend(session, principal, today=today, weeks=REPORT_WEEKS)
    report = charts.TrackerReport(
        organisation=await _organisation_name(session, principal),
        today=today,
        areas=areas,
        weeks=weeks,
        due_soon_days=rules.due_soon_days,
    )
    return charts.report_html(report)

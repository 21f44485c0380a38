"""The tracker's charts as SVG, for the report and for a board's papers: RAG status by service
area (stacked bars) and the weekly trend (stacked bars per week).

Geometry is worked out here; the templates (``templates/*.svg.j2``) only draw it, with every
name escaped. Each chart is accessible: a ``<title>`` and a ``<desc>`` that says every number,
text labels beside the bars (colour is never the only sign), and the numbers on the bars.
Bounded: at most ``MAX_AREAS`` rows (the rest summed as one) and ``MAX_WEEKS`` weeks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from jinja2 import Environment
from markupsafe import Markup

from services.domain.calendar.words import long_date
from services.domain.text import escaping_templates
from services.domain.tracker.rag import RAGS, Rag
from services.domain.tracker.snapshots import MAX_WEEKS, AreaRag, Week

TEMPLATES = Path(__file__).parent / "templates"
MAX_AREAS = 30
# GOV.UK's red, orange and green, with the text colour readable on each.
COLOURS: dict[Rag, tuple[str, str]] = {
    "red": ("#d4351c", "#ffffff"),
    "amber": ("#f47738", "#0b0c0c"),
    "green": ("#00703c", "#ffffff"),
}
WORDS: dict[Rag, str] = {
    "red": "Red: overdue",
    "amber": "Amber: due soon or under review",
    "green": "Green: on track",
}
# Drawn from the baseline: red first, so the part that matters most starts at zero.
STACK: tuple[Rag, ...] = ("red", "amber", "green")


@dataclass(frozen=True)
class Segment:
    rag: Rag
    count: int
    x: float
    y: float
    width: float
    height: float
    fill: str
    ink: str
    show_count: bool


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    segments: list[Segment]
    x: float
    y: float


@cache
def environment() -> Environment:
    """Built once per process; SVG templates are escaped like HTML."""
    env = escaping_templates(TEMPLATES, extension="svg.j2")
    env.filters["long_date"] = long_date
    return env


def _legend() -> list[dict[str, str]]:
    return [{"rag": r, "words": WORDS[r], "fill": COLOURS[r][0]} for r in STACK]


def _capped(areas: list[AreaRag]) -> list[AreaRag]:
    """At most MAX_AREAS rows: the largest by total, the rest summed as one."""
    if len(areas) <= MAX_AREAS:
        return areas
    ranked = sorted(areas, key=lambda a: -a.total)
    kept, rest = ranked[: MAX_AREAS - 1], ranked[MAX_AREAS - 1 :]
    other = AreaRag(f"{len(rest)} other areas", {r: sum(a.counts[r] for a in rest) for r in RAGS})
    return [a for a in areas if a in kept] + [other]


def status_by_area_svg(areas: list[AreaRag], today: date, organisation: str) -> str:
    """Horizontal stacked bars: one per service area, red, amber and green, with the counts."""
    rows = _capped(areas)
    label_width, bar_width, row, top = 220.0, 420.0, 30.0, 64.0
    most = max((a.total for a in rows), default=0) or 1
    bars = []
    for index, area in enumerate(rows):
        y, x = top + index * row, label_width
        segments = []
        for rag in STACK:
            width = bar_width * area.counts[rag] / most
            fill, ink = COLOURS[rag]
            segments.append(
                Segment(rag, area.counts[rag], x, y, width, row - 8, fill, ink, width >= 22)
            )
            x += width
        bars.append(Bar(area.service_area or "No service area", area.total, segments, x, y))
    height = top + max(len(rows), 1) * row + 16
    return (
        environment()
        .get_template("status_by_area.svg.j2")
        .render(
            bars=bars,
            today=today,
            organisation=organisation,
            legend=_legend(),
            width=label_width + bar_width + 60,
            height=height,
            label_width=label_width,
            empty=not rows,
        )
    )


def trend_svg(weeks: list[Week], organisation: str, service_area: str | None = None) -> str:
    """Vertical stacked bars: one per week with a snapshot, red from the baseline."""
    shown = weeks[-MAX_WEEKS:]
    left, column, top, plot = 56.0, 44.0, 64.0, 220.0
    most = max((sum(w.totals.values()) for w in shown), default=0) or 1
    base = top + plot
    bars = []
    for index, week in enumerate(shown):
        x, y = left + index * column + 8, base
        segments = []
        for rag in STACK:
            count = week.totals[rag]
            height = plot * count / most
            y -= height
            fill, ink = COLOURS[rag]
            segments.append(Segment(rag, count, x, y, column - 16, height, fill, ink, height >= 14))
        bars.append(
            Bar(week.week_starting.strftime("%d %b"), sum(week.totals.values()), segments, x, y)
        )
    return (
        environment()
        .get_template("trend.svg.j2")
        .render(
            bars=bars,
            weeks=shown,
            organisation=organisation,
            service_area=service_area,
            legend=_legend(),
            width=max(left + len(shown) * column + 24, 480),
            height=base + 40,
            base=base,
            left=left,
            top=top,
            most=most,
            column=column,
            empty=not shown,
        )
    )


@dataclass(frozen=True)
class TrackerReport:
    organisation: str
    today: date
    areas: list[AreaRag]
    weeks: list[Week]
    due_soon_days: int


def report_html(report: TrackerReport) -> str:
    """The tracker report: both charts inline, and their numbers as tables."""
    html_env = _html_environment()
    return html_env.get_template("report.html.j2").render(
        organisation=report.organisation,
        today=report.today,
        areas=report.areas,
        weeks=report.weeks,
        due_soon_days=report.due_soon_days,
        status_chart=Markup(status_by_area_svg(report.areas, report.today, report.organisation)),
        trend_chart=Markup(trend_svg(report.weeks, report.organisation)),
    )


@cache
def _html_environment() -> Environment:
    env = escaping_templates(TEMPLATES)
    env.filters["long_date"] = long_date
    return env

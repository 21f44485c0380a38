"""The implementation report as CSV (safe to open in Excel) and as a printable, self-contained
HTML page, from the JSON-safe dict ``report`` builds (a live report or one kept as tabled)."""

from __future__ import annotations

import csv
import io
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment

from services.domain.calendar.words import long_date
from services.domain.consultations.report_formats import safe_cell
from services.domain.text import escaping_templates

TEMPLATES = Path(__file__).parent / "templates"
ACTION_COLUMNS = (
    "Document",
    "Action",
    "Owner",
    "Due",
    "Status",
    "Overdue",
    "Outcome or reason",
    "Closed on",
    "Evidence",
    "Issued version",
)
DOCUMENT_COLUMNS = (
    "Document",
    "Title",
    "Status",
    "Version in force",
    "Open actions",
    "Overdue actions",
    "Done",
    "Cancelled",
    "Asked to acknowledge",
    "Confirmed",
    "Uptake %",
    "Dis-applications in force",
    "Open requests",
)


def _write(columns: tuple[str, ...], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def _uptake_cells(uptake: dict[str, Any] | None) -> list[Any]:
    if uptake is None:
        return ["not measured", "", ""]
    return [uptake["asked"], uptake["confirmed"], uptake["percent"]]


def report_csv(report: dict[str, Any]) -> str:
    """A document's report: one row per monitoring action. The organisation's: one row per
    document (its counts, uptake, dis-applications and requests)."""
    if report["scope"] == "organisation":
        rows = [
            [
                d["document"]["reference"],
                d["document"]["title"],
                d["document"]["status"],
                d["document"]["issued_version"],
                d["counts"]["open"],
                d["counts"]["overdue"],
                d["counts"]["done"],
                d["counts"]["cancelled"],
                *_uptake_cells(d["uptake"]),
                d["dis_applications_in_force"],
                d["open_requests"],
            ]
            for d in report["documents"]
        ]
        return _write(DOCUMENT_COLUMNS, rows)
    reference = report["document"]["reference"]
    rows = [
        [
            reference,
            a["title"],
            a["owner_name"],
            a["due_on"],
            a["status"],
            "Yes" if a["is_overdue"] else "No",
            a["outcome"],
            a["closed_on"],
            a["evidence_count"],
            a["issued_version"],
        ]
        for a in report["actions"]
    ]
    return _write(ACTION_COLUMNS, rows)


def _long_date(value: str | None) -> str:
    return long_date(value) if value else ""


@cache
def environment() -> Environment:
    """The report's Jinja2 environment, built once per process (it is not changed after)."""
    # Titles, outcomes and names are what people typed: everything is escaped.
    env = escaping_templates(TEMPLATES)
    env.filters["long_date"] = _long_date
    return env


def report_html(report: dict[str, Any], *, tabled: dict[str, Any] | None = None) -> str:
    """The report as a self-contained page to read on screen or print; ``tabled`` says where
    and when a kept report was put to a board."""
    return environment().get_template("report.html.j2").render(report=report, tabled=tabled)

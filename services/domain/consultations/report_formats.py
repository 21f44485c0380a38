"""The consultation report as CSV (one row per consultee, safe to open in Excel) and as a
printable, self-contained HTML page. The data comes from ``report.build_report``."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path

from jinja2 import Environment

from services.domain.calendar.words import london_time, long_date, long_datetime
from services.domain.consultations.report_contents import (
    ConsultationReport,
    ConsulteeEntry,
    Question,
)
from services.domain.models.consultations import (
    DEEMED_AGREEMENT,
)
from services.domain.text import escaping_templates, printable

TEMPLATES = Path(__file__).parent / "templates"
POSITION_LABELS = {
    "support": "Support",
    "support_with_comments": "Support with comments",
    "object": "Object",
    "no_view": "No view",
    DEEMED_AGREEMENT: "Deemed agreement",
}
HANDLING_LABELS = {
    "accepted": "Accepted",
    "partly_accepted": "Partly accepted",
    "not_accepted": "Not accepted",
    "no_change_needed": "No change needed",
}
KIND_LABELS = {
    "internal": "Internal circulation",
    "pre_meeting": "Pre-meeting circulation",
    "public": "Public consultation",
}
# What a spreadsheet would run as a formula (OWASP: CSV injection), tab and return included.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- formatting ------------------------------------------------------------------------------


def short_datetime(value: datetime | None) -> str:
    """'2026-12-08 10:00', London time: what a spreadsheet sorts and reads as a date."""
    return "" if value is None else f"{london_time(value):%Y-%m-%d %H:%M}"


def _answer_text(value: str | bool) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value


# --- CSV -------------------------------------------------------------------------------------


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (CSV injection), with no
    control character (services/domain/text.py)."""
    text = "" if value is None else printable(str(value))
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


CSV_COLUMNS = (
    "Consultee",
    "Email",
    "Consultee type",
    "Represents",
    "Via board",
    "Status",
    "Position",
    "Submitted (London time)",
    "Late",
    "Amendments",
    "Recorded by",
    "Comments",
    "Themes",
    "Handling",
    "Handling note",
    "Addressed in version",
)


def _csv_row(
    questions: Sequence[Question],
    consultee: ConsulteeEntry,
    cells: Mapping[str, object],
    answers: Mapping[str, object] | None = None,
) -> list[str]:
    known: dict[str, object] = {
        "Consultee": consultee.name,
        "Email": consultee.email,
        "Consultee type": "External" if consultee.kind == "external" else "Person",
        "Represents": consultee.represents,
        "Via board": consultee.via_board,
        **cells,
    }
    given = answers or {}
    return [safe_cell(known.get(column)) for column in CSV_COLUMNS] + [
        safe_cell(given.get(q.key)) for q in questions
    ]


def report_csv(report: ConsultationReport) -> str:
    """One row per consultee (responses, late ones, deemed agreement, no response), one column
    per question; every cell guarded against formula injection."""
    out = io.StringIO()
    writer = csv.writer(out)
    questions = report.questions
    writer.writerow([safe_cell(c) for c in (*CSV_COLUMNS, *(q.text for q in questions))])
    for r in report.responses:
        cells = {
            "Status": "Responded late" if r.is_late else "Responded",
            "Position": POSITION_LABELS[r.position],
            "Submitted (London time)": short_datetime(r.submitted_at),
            "Late": "Yes" if r.is_late else "No",
            "Amendments": r.amendments,
            "Recorded by": r.recorded_by,
            "Comments": r.comments,
            "Themes": "; ".join(r.themes),
            "Handling": HANDLING_LABELS.get(r.handling or ""),
            "Handling note": r.handling_note,
            "Addressed in version": r.addressed_in_version,
        }
        answers = {a.key: _answer_text(a.value) for a in r.answers}
        writer.writerow(_csv_row(questions, r.consultee, cells, answers))
    for d in report.deemed:
        cells = {
            "Status": "No response: deemed agreement",
            "Position": POSITION_LABELS[DEEMED_AGREEMENT],
            "Submitted (London time)": short_datetime(d.deemed_at),
            "Late": "No",
        }
        writer.writerow(_csv_row(questions, d.consultee, cells))
    for c in report.non_responders:
        writer.writerow(_csv_row(questions, c, {"Status": "No response"}))
    return out.getvalue()


# --- HTML ------------------------------------------------------------------------------------


@cache
def environment() -> Environment:
    """The report's Jinja2 environment, built once per process (it is not changed after)."""
    # Comments are whatever consultees typed: everything is escaped.
    env = escaping_templates(TEMPLATES)
    env.filters["long_date"] = long_date
    env.filters["long_datetime"] = long_datetime
    env.filters["answer"] = _answer_text
    env.globals.update(
        position_labels=POSITION_LABELS,
        handling_labels=HANDLING_LABELS,
        kind_labels=KIND_LABELS,
    )
    return env


def report_html(report: ConsultationReport) -> str:
    """The report as a self-contained page, to read on screen or print."""
    return environment().get_template("report.html.j2").render(report=report)

"""The consultation report, as data, CSV and a printable page.

Cafcass 4.7: at the close the policy author reviews all responses and compiles a report that
highlights the key themes, draws attention to important issues and lists a record of every
response received. Deemed agreement (Birmingham: silence by the deadline counts as agreement)
is shown apart from real responses, and late responses are flagged.

The report is for the document's team and the policy team: it names every consultee, with
their email address, and what each said.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.domain.boards.models import Board
from services.domain.consultations.closing import closing_day
from services.domain.consultations.models import (
    DEEMED_AGREEMENT,
    HANDLING,
    RECORDED_POSITIONS,
    Consultation,
    ConsultationResponse,
    Consultee,
)
from services.domain.db import utcnow
from services.domain.documents.models import Document, DocumentVersion
from services.domain.documents.numbering import format_number
from services.domain.documents.versions import LONDON
from services.domain.people.models import Person

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
# Spelled out so that the server's locale cannot change the language of a date.
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# --- the report as data ----------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    kind: str
    options: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class Answer:
    key: str
    question: str
    value: str | bool


@dataclass(frozen=True)
class ConsulteeEntry:
    """Who was asked: a person of the organisation (perhaps through a board) or external."""

    consultee_id: uuid.UUID
    kind: str
    name: str
    email: str
    represents: str
    via_board: str | None


@dataclass(frozen=True)
class ResponseEntry:
    """A response received, in full, with the author's analysis of it."""

    response_id: uuid.UUID
    consultee: ConsulteeEntry
    position: str
    comments: str
    answers: tuple[Answer, ...]
    submitted_at: datetime
    is_late: bool
    amendments: int
    # Someone other than the consultee typed it in (a response that came by email or post).
    recorded_by: str | None
    themes: tuple[str, ...]
    handling: str | None
    handling_note: str
    addressed_in_version: str | None


@dataclass(frozen=True)
class DeemedEntry:
    """A consultee who did not respond by the deadline, deemed to agree (Birmingham)."""

    response_id: uuid.UUID
    consultee: ConsulteeEntry
    deemed_at: datetime


@dataclass(frozen=True)
class Counts:
    consultees: int
    # Real responses, late ones included; deemed agreement is not a response.
    responded: int
    late: int
    deemed: int
    not_responded: int
    # Responses with comments whose handling in the next draft is not recorded yet.
    awaiting_handling: int


@dataclass(frozen=True)
class ThemeSummary:
    theme: str
    responses: int
    by_position: Mapping[str, int]


@dataclass(frozen=True)
class QuestionAnalysis:
    key: str
    text: str
    kind: str
    answered: int
    not_answered: int
    # Per option for a choice question, "yes"/"no" for yes_no; empty for a text question.
    counts: Mapping[str, int]


@dataclass(frozen=True)
class ConsultationReport:
    consultation_id: uuid.UUID
    title: str
    kind: str
    status: str
    document_id: uuid.UUID
    document_reference: str
    document_title: str
    version_id: uuid.UUID
    version_number: str
    opened_at: datetime | None
    closes_at: datetime
    closes_on: date
    closed_at: datetime | None
    deemed_agreement: bool
    questions: tuple[Question, ...]
    counts: Counts
    by_position: Mapping[str, int]
    by_handling: Mapping[str, int]
    themes: tuple[ThemeSummary, ...]
    question_analysis: tuple[QuestionAnalysis, ...]
    responses: tuple[ResponseEntry, ...]
    deemed: tuple[DeemedEntry, ...]
    non_responders: tuple[ConsulteeEntry, ...]
    generated_at: datetime


def _questions(consultation: Consultation) -> tuple[Question, ...]:
    return tuple(
        Question(
            key=q["key"],
            text=q["text"],
            kind=q.get("kind", "text"),
            options=tuple(q.get("options") or ()),
            required=bool(q.get("required", False)),
        )
        for q in consultation.questions
    )


def _answers(questions: Sequence[Question], answers: Mapping[str, Any]) -> tuple[Answer, ...]:
    """The answers given, in the order of the form."""
    return tuple(
        Answer(key=q.key, question=q.text, value=answers[q.key])
        for q in questions
        if answers.get(q.key) is not None and answers.get(q.key) != ""
    )


def _theme_summary(responses: Sequence[ResponseEntry]) -> tuple[ThemeSummary, ...]:
    """Each theme with how many responses raised it and their positions; most frequent first."""
    found: dict[str, Counter[str]] = {}
    for response in responses:
        for theme in response.themes:
            found.setdefault(theme, Counter())[response.position] += 1
    ordered = sorted(found.items(), key=lambda item: (-item[1].total(), item[0].casefold()))
    return tuple(
        ThemeSummary(
            theme=theme,
            responses=positions.total(),
            by_position={p: positions[p] for p in RECORDED_POSITIONS if positions[p]},
        )
        for theme, positions in ordered
    )


def _question_analysis(
    questions: Sequence[Question], responses: Sequence[ResponseEntry]
) -> tuple[QuestionAnalysis, ...]:
    analysed = []
    for question in questions:
        given = [a.value for r in responses for a in r.answers if a.key == question.key]
        counts: dict[str, int] = {}
        if question.kind == "yes_no":
            counts = {"yes": given.count(True), "no": given.count(False)}
        elif question.kind == "choice":
            counts = {option: given.count(option) for option in question.options}
        analysed.append(
            QuestionAnalysis(
                key=question.key,
                text=question.text,
                kind=question.kind,
                answered=len(given),
                not_answered=len(responses) - len(given),
                counts=counts,
            )
        )
    return tuple(analysed)


async def build_report(session: AsyncSession, consultation: Consultation) -> ConsultationReport:
    """Everything said in a consultation and what became of it (Cafcass 4.7); two queries.

    It names every consultee and their response: only for callers ``service.may_run`` allows.
    """
    document, version = (
        await session.execute(
            select(Document, DocumentVersion)
            .join(DocumentVersion, DocumentVersion.document_id == Document.id)
            .where(
                Document.id == consultation.document_id,
                DocumentVersion.id == consultation.version_id,
            )
        )
    ).one()
    recorder = aliased(Person)
    addressed = aliased(DocumentVersion)
    rows = (
        await session.execute(
            select(
                Consultee,
                ConsultationResponse,
                Board.name,
                recorder.name,
                addressed.major,
                addressed.minor,
            )
            .outerjoin(ConsultationResponse, ConsultationResponse.consultee_id == Consultee.id)
            .outerjoin(Board, Board.id == Consultee.via_board_id)
            .outerjoin(recorder, recorder.id == ConsultationResponse.recorded_by_id)
            .outerjoin(addressed, addressed.id == ConsultationResponse.addressed_in_version_id)
            .where(Consultee.consultation_id == consultation.id)
        )
    ).all()

    questions = _questions(consultation)
    responses: list[ResponseEntry] = []
    deemed: list[DeemedEntry] = []
    silent: list[ConsulteeEntry] = []
    for consultee, response, board_name, recorder_name, major, minor in rows:
        entry = ConsulteeEntry(
            consultee_id=consultee.id,
            kind=consultee.kind,
            name=consultee.name,
            email=consultee.email,
            represents=consultee.represents,
            via_board=board_name,
        )
        if response is None:
            silent.append(entry)
        elif response.position == DEEMED_AGREEMENT:
            deemed.append(
                DeemedEntry(
                    response_id=response.id, consultee=entry, deemed_at=response.submitted_at
                )
            )
        else:
            on_behalf = (
                response.recorded_by_id is not None
                and response.recorded_by_id != consultee.person_id
            )
            responses.append(
                ResponseEntry(
                    response_id=response.id,
                    consultee=entry,
                    position=response.position,
                    comments=response.comments,
                    answers=_answers(questions, response.answers or {}),
                    submitted_at=response.submitted_at,
                    is_late=response.is_late,
                    amendments=response.amendments,
                    recorded_by=recorder_name if on_behalf else None,
                    themes=tuple(response.themes or ()),
                    handling=response.handling,
                    handling_note=response.handling_note,
                    addressed_in_version=format_number((major, minor))
                    if major is not None
                    else None,
                )
            )
    responses.sort(key=lambda r: (r.submitted_at, r.consultee.name.casefold(), r.response_id))
    deemed.sort(key=lambda d: (d.consultee.name.casefold(), d.consultee.consultee_id))
    silent.sort(key=lambda c: (c.name.casefold(), c.consultee_id))

    positions = Counter(r.position for r in responses)
    handled = Counter(r.handling for r in responses if r.handling)
    return ConsultationReport(
        consultation_id=consultation.id,
        title=consultation.title,
        kind=consultation.kind,
        status=consultation.status,
        document_id=document.id,
        document_reference=document.reference,
        document_title=document.title,
        version_id=version.id,
        version_number=version.number,
        opened_at=consultation.opened_at,
        closes_at=consultation.closes_at,
        closes_on=closing_day(consultation.closes_at),
        closed_at=consultation.closed_at,
        deemed_agreement=consultation.deemed_agreement,
        questions=questions,
        counts=Counts(
            consultees=len(rows),
            responded=len(responses),
            late=sum(r.is_late for r in responses),
            deemed=len(deemed),
            not_responded=len(silent),
            awaiting_handling=sum(
                1 for r in responses if r.comments.strip() and r.handling is None
            ),
        ),
        by_position={
            p: len(deemed) if p == DEEMED_AGREEMENT else positions[p] for p in RECORDED_POSITIONS
        },
        by_handling={h: handled[h] for h in HANDLING},
        themes=_theme_summary(responses),
        question_analysis=_question_analysis(questions, responses),
        responses=tuple(responses),
        deemed=tuple(deemed),
        non_responders=tuple(silent),
        generated_at=utcnow(),
    )


# --- formatting ------------------------------------------------------------------------------


def _london(value: datetime) -> datetime:
    # The database stores every moment in UTC; a naive one is taken as UTC.
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(LONDON)


def long_date(value: date | datetime) -> str:
    """'Tuesday 8 December 2026'; a moment is shown as its London date."""
    day = _london(value).date() if isinstance(value, datetime) else value
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def long_datetime(value: datetime) -> str:
    """'Tuesday 8 December 2026, 10:00', London time."""
    local = _london(value)
    return f"{long_date(local.date())}, {local:%H:%M}"


def short_datetime(value: datetime | None) -> str:
    """'2026-12-08 10:00', London time: what a spreadsheet sorts and reads as a date."""
    return "" if value is None else f"{_london(value):%Y-%m-%d %H:%M}"


def _answer_text(value: str | bool) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value


# --- CSV -------------------------------------------------------------------------------------


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (CSV injection)."""
    text = "" if value is None else str(value)
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
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        # Comments are whatever consultees typed: everything is escaped.
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
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

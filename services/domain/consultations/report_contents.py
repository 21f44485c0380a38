"""What the consultation report holds, as data: ``report.build_report`` fills it in, and
``report_formats`` writes it as CSV and a printable page (Cafcass 4.7)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from services.domain.models.consultations import ConsultationStatus


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
class DocumentPerson:
    """Someone named on the document, with the title the organisation gives the role."""

    role: str  # owner, responsible_officer or author
    title: str  # in the organisation's words: "Policy Sponsor", "Policy Author"
    name: str


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
    status: ConsultationStatus
    document_id: uuid.UUID
    document_reference: str
    document_title: str
    version_id: uuid.UUID
    version_number: str
    # Cafcass 4.7: the report goes to the policy owner; named in the organisation's words.
    document_people: tuple[DocumentPerson, ...]
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

"""The consultation report, as data (``report_formats`` writes it as CSV and a printable page).

Cafcass 4.7: at the close the policy author reviews all responses and compiles a report that
highlights the key themes, draws attention to important issues and lists a record of every
response received. Deemed agreement (Birmingham: silence by the deadline counts as agreement)
is shown apart from real responses, and late responses are flagged.

The report is for the document's team and the policy team: it names every consultee, with
their email address, and what each said.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.domain.clock import closing_day, utcnow
from services.domain.documents.numbering import format_number
from services.domain.models.boards import Board
from services.domain.models.consultations import (
    DEEMED_AGREEMENT,
    HANDLING,
    RECORDED_POSITIONS,
    Consultation,
    ConsultationResponse,
    Consultee,
)
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.organisations import Organisation
from services.domain.models.people import Person
from services.domain.organisations.words import DOCUMENT_ROLES, words_of


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
    status: str
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

    It names every consultee and their response: only for callers
    ``authz.consultations.can_read_responses`` allows.
    """
    # The document's people come with it, named as the organisation calls their roles.
    named = {role: aliased(Person) for role in DOCUMENT_ROLES}
    found = (
        await session.execute(
            select(
                Document,
                DocumentVersion,
                Organisation,
                *(person.name for person in named.values()),
            )
            .join(DocumentVersion, DocumentVersion.document_id == Document.id)
            .join(Organisation, Organisation.id == Document.organisation_id)
            .outerjoin(named["owner"], named["owner"].id == Document.owner_id)
            .outerjoin(
                named["responsible_officer"],
                named["responsible_officer"].id == Document.responsible_officer_id,
            )
            .outerjoin(named["author"], named["author"].id == Document.author_id)
            .where(
                Document.id == consultation.document_id,
                DocumentVersion.id == consultation.version_id,
            )
        )
    ).one()
    document, version, organisation, *names = found
    words = words_of(organisation)
    document_people = tuple(
        DocumentPerson(role, words.title_of(role), name)
        for role, name in zip(DOCUMENT_ROLES, names, strict=True)
        if name is not None
    )
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
        document_people=document_people,
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

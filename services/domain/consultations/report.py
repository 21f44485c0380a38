"""Building the consultation report (what it holds: ``report_contents``; ``report_formats`` writes
it as CSV and a printable page).

Cafcass 4.7: at the close the policy author reviews all responses and compiles a report that
highlights the key themes, draws attention to important issues and lists a record of every
response received. Deemed agreement (Birmingham: silence by the deadline counts as agreement)
is shown apart from real responses, and late responses are flagged.

The report is for the document's team and the policy team: it names every consultee, with
their email address, and what each said.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.domain.clock import closing_day, utcnow
from services.domain.consultations.report_contents import (
    Answer,
    ConsultationReport,
    ConsulteeEntry,
    Counts,
    DeemedEntry,
    DocumentPerson,
    Question,
    QuestionAnalysis,
    ResponseEntry,
    ThemeSummary,
)
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


async def _document_people(
    session: AsyncSession, consultation: Consultation
) -> tuple[Document, DocumentVersion, tuple[DocumentPerson, ...]]:
    """The document, the draft consulted on, and the document's people named as the
    organisation calls their roles (one query)."""
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
    return document, version, document_people


@dataclass
class _Entries:
    """Every consultee, sorted into those who responded, those deemed to agree and the
    silent, each in the report's order."""

    responses: list[ResponseEntry]
    deemed: list[DeemedEntry]
    silent: list[ConsulteeEntry]


async def _entries(
    session: AsyncSession, consultation: Consultation, questions: Sequence[Question]
) -> _Entries:
    """Every consultee with their response, if any (one query)."""
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
    found = _Entries([], [], [])
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
            found.silent.append(entry)
        elif response.position == DEEMED_AGREEMENT:
            found.deemed.append(
                DeemedEntry(
                    response_id=response.id, consultee=entry, deemed_at=response.submitted_at
                )
            )
        else:
            on_behalf = (
                response.recorded_by_id is not None
                and response.recorded_by_id != consultee.person_id
            )
            addressed_in = format_number((major, minor)) if major is not None else None
            found.responses.append(
                _response_entry(
                    response,
                    entry,
                    questions,
                    recorded_by=recorder_name if on_behalf else None,
                    addressed_in_version=addressed_in,
                )
            )
    found.responses.sort(key=lambda r: (r.submitted_at, r.consultee.name.casefold(), r.response_id))
    found.deemed.sort(key=lambda d: (d.consultee.name.casefold(), d.consultee.consultee_id))
    found.silent.sort(key=lambda c: (c.name.casefold(), c.consultee_id))
    return found


def _response_entry(
    response: ConsultationResponse,
    consultee: ConsulteeEntry,
    questions: Sequence[Question],
    *,
    recorded_by: str | None,
    addressed_in_version: str | None,
) -> ResponseEntry:
    return ResponseEntry(
        response_id=response.id,
        consultee=consultee,
        position=response.position,
        comments=response.comments,
        answers=_answers(questions, response.answers or {}),
        submitted_at=response.submitted_at,
        is_late=response.is_late,
        amendments=response.amendments,
        recorded_by=recorded_by,
        themes=tuple(response.themes or ()),
        handling=response.handling,
        handling_note=response.handling_note,
        addressed_in_version=addressed_in_version,
    )


async def build_report(session: AsyncSession, consultation: Consultation) -> ConsultationReport:
    """Everything said in a consultation and what became of it (Cafcass 4.7); two queries.

    It names every consultee and their response: only for callers
    ``authz.consultations.can_read_responses`` allows.
    """
    document, version, document_people = await _document_people(session, consultation)
    questions = _questions(consultation)
    found = await _entries(session, consultation, questions)
    responses, deemed, silent = found.responses, found.deemed, found.silent
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
            consultees=len(responses) + len(deemed) + len(silent),
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

"""Responses: one per consultee, amendable until the close, late ones kept and flagged.

A consultee responds for themselves (signed in, or through their link); the author may also
record a response that came by email or post (Cafcass 4.7: keep a record of every response).
The author's analysis of a response, its themes and how it was handled in the next draft,
is kept on the response but is the author's, not the consultee's.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import consultations as authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.commands import UNSET
from services.domain.consultations.commands import ConsulteeResponse, ResponseAnalysis
from services.domain.consultations.service import (
    consultee_of,
    document_of,
    is_past_deadline,
)
from services.domain.db import new_id
from services.domain.errors import Conflict, Invalid, NotFound
from services.domain.models.consultations import (
    DEEMED_AGREEMENT,
    HANDLING,
    POSITIONS,
    Consultation,
    ConsultationResponse,
    ConsultationStatus,
    Consultee,
)
from services.domain.models.documents import DocumentVersion

MAX_THEMES = 20
THEME_LENGTH = 80


def check_answers(
    questions: Sequence[Mapping[str, Any]], answers: Mapping[str, str | bool | None]
) -> dict[str, str | bool]:
    """Answers to the response form (``questions`` as the consultation stores them): known
    keys, the right kind, required ones given."""
    by_key = {q["key"]: q for q in questions}
    unknown = sorted(set(answers) - set(by_key))
    if unknown:
        raise Invalid(f"No such question: {', '.join(unknown)}.", field="answers")
    checked: dict[str, str | bool] = {}
    for key, question in by_key.items():
        value = answers.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if question["required"]:
                raise Invalid(f"Answer the question {question['text']!r}.", field="answers")
            continue
        kind = question["kind"]
        if kind == "yes_no" and not isinstance(value, bool):
            raise Invalid(f"The answer to {key!r} is true or false.", field="answers")
        if kind == "choice" and value not in question["options"]:
            raise Invalid(
                f"The answer to {key!r} is one of: {', '.join(question['options'])}.",
                field="answers",
            )
        if kind == "text" and not isinstance(value, str):
            raise Invalid(f"The answer to {key!r} is text.", field="answers")
        checked[key] = value
    return checked


def _check_takes_responses(consultation: Consultation) -> None:
    """Responses come once it has opened, and after the close too (flagged late), but never
    to a consultation that was cancelled."""
    if consultation.status == ConsultationStatus.SCHEDULED:
        raise Conflict("This consultation has not opened yet.")
    if consultation.status == ConsultationStatus.CANCELLED:
        raise Conflict("This consultation was cancelled.")


def check_said(position: str, comments: str) -> None:
    """A position the form offers, and the comments it needs (Invalid naming the field)."""
    if position not in POSITIONS:
        raise Invalid(f"The position is one of: {', '.join(POSITIONS)}.", field="position")
    if position in ("support_with_comments", "object") and not comments.strip():
        raise Invalid(
            "Say what your comments are."
            if position == "support_with_comments"
            else "Say why you object.",
            field="comments",
        )


def takes_change(
    consultation: Consultation, response: ConsultationResponse | None, now: datetime
) -> bool:
    """Whether the consultee may respond now, or change what they said: until the close; after
    it only a first word (none yet, or deemed agreement), which is kept flagged late, and a
    late response itself."""
    if not is_past_deadline(consultation, now):
        return True
    return response is None or response.position == DEEMED_AGREEMENT or response.is_late


async def response_of(session: AsyncSession, consultee: Consultee) -> ConsultationResponse | None:
    return (
        await session.execute(
            select(ConsultationResponse)
            .where(ConsultationResponse.consultee_id == consultee.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


async def respond(
    session: AsyncSession,
    actor: Principal,
    consultation: Consultation,
    consultee: Consultee,
    said: ConsulteeResponse,
    *,
    recorded_by_id: uuid.UUID | None = None,
) -> tuple[ConsultationResponse, bool]:
    """Record or amend a consultee's response; (response, created).

    Before the close a response may be changed as often as needed. After it, a consultee
    with no response (or only deemed agreement) is still heard: the response is kept and
    flagged late. A response given in time stands once the consultation has closed.
    """
    _check_takes_responses(consultation)
    check_said(said.position, said.comments)
    checked = check_answers(consultation.questions, said.answers or {})
    now = utcnow()
    late = is_past_deadline(consultation, now)
    response = await response_of(session, consultee)
    before = audit.snapshot(response) if response is not None else None
    created = response is None
    # A late response that replaces deemed agreement is the consultee's first word, not a change.
    replaces_deemed = response is not None and response.position == DEEMED_AGREEMENT
    if response is None:
        response = ConsultationResponse(
            id=new_id(),
            organisation_id=consultation.organisation_id,
            consultation_id=consultation.id,
            consultee_id=consultee.id,
        )
        session.add(response)
    elif not takes_change(consultation, response, now):
        raise Conflict(
            "The consultation has closed: the response given in time stands. Contact the "
            "author to add anything."
        )
    elif not created and response.position != DEEMED_AGREEMENT:
        response.amendments += 1
    response.position = said.position
    response.comments = said.comments
    response.answers = checked
    response.submitted_at = now
    response.is_late = late
    response.recorded_by_id = recorded_by_id
    await session.flush()
    await audit_changes.record_change(
        session,
        actor,
        response,
        "consultation_response.recorded" if created else "consultation_response.amended",
        before=before,
    )
    await emit_recorded(
        session, consultation, response, is_amendment=not (created or replaces_deemed)
    )
    return response, created


async def emit_recorded(
    session: AsyncSession,
    consultation: Consultation,
    response: ConsultationResponse,
    *,
    is_amendment: bool,
) -> None:
    from services.domain.outbox.service import emit

    await emit(
        session,
        events.ConsultationResponseRecorded(
            organisation_id=consultation.organisation_id,
            consultation_id=consultation.id,
            document_id=consultation.document_id,
            response_id=response.id,
            position=response.position,
            is_late=response.is_late,
            is_amendment=is_amendment,
        ),
    )


async def respond_as_consultee(
    session: AsyncSession, principal: Principal, consultation: Consultation, said: ConsulteeResponse
) -> tuple[ConsultationResponse, bool]:
    """The signed-in caller's own response."""
    consultee = authz.check_respond(
        principal, await consultee_of(session, consultation, principal.person_id)
    )
    return await respond(
        session, principal, consultation, consultee, said, recorded_by_id=principal.person_id
    )


async def record_for(
    session: AsyncSession,
    principal: Principal,
    consultation: Consultation,
    consultee: Consultee,
    said: ConsulteeResponse,
) -> tuple[ConsultationResponse, bool]:
    """The author records a response that came by email or post, on the consultee's behalf."""
    authz.check_run(principal, await document_of(session, consultation))
    return await respond(
        session, principal, consultation, consultee, said, recorded_by_id=principal.person_id
    )


def external_principal(consultee: Consultee) -> Principal:
    """Who the audit trail says acted when an external consultee uses their link."""
    return Principal(
        organisation_id=consultee.organisation_id,
        person_id=None,
        roles=frozenset(),
        label=f"external consultee {consultee.email}",
    )


async def responses_to(
    session: AsyncSession, principal: Principal, consultation: Consultation
) -> list[tuple[ConsultationResponse, Consultee]]:
    """Every response for the document's team; a consultee sees only their own."""
    query = (
        select(ConsultationResponse, Consultee)
        .join(Consultee, Consultee.id == ConsultationResponse.consultee_id)
        .where(ConsultationResponse.consultation_id == consultation.id)
        .order_by(ConsultationResponse.submitted_at, ConsultationResponse.id)
    )
    if not authz.can_read_responses(principal, await document_of(session, consultation)):
        query = query.where(Consultee.person_id == principal.person_id)
    return [(r, c) for r, c in (await session.execute(query)).all()]


async def responded_ids(session: AsyncSession, consultation: Consultation) -> set[uuid.UUID]:
    """The consultees with a response (real, late or deemed)."""
    rows = await session.execute(
        select(ConsultationResponse.consultee_id).where(
            ConsultationResponse.consultation_id == consultation.id
        )
    )
    return set(rows.scalars())


async def get_response(
    session: AsyncSession, consultation: Consultation, response_id: uuid.UUID
) -> ConsultationResponse:
    response = (
        await session.execute(
            select(ConsultationResponse)
            .where(
                ConsultationResponse.id == response_id,
                ConsultationResponse.consultation_id == consultation.id,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if response is None:
        raise NotFound("No such response to this consultation.")
    return response


def _themes(themes: Sequence[str]) -> list[str]:
    cleaned = list(dict.fromkeys(" ".join(t.split()) for t in themes if t.strip()))
    if len(cleaned) > MAX_THEMES or any(len(t) > THEME_LENGTH for t in cleaned):
        raise Invalid(
            f"Give at most {MAX_THEMES} themes of up to {THEME_LENGTH} characters.", field="themes"
        )
    return cleaned


async def analyse_response(
    session: AsyncSession,
    principal: Principal,
    consultation: Consultation,
    response: ConsultationResponse,
    analysis: ResponseAnalysis,
) -> ConsultationResponse:
    """The author tags a response with themes and says how it was handled in the next draft."""
    authz.check_run(principal, await document_of(session, consultation))
    before = audit.snapshot(response)
    if analysis.themes is not UNSET:
        response.themes = _themes(analysis.themes or [])
    if analysis.handling is not UNSET:
        if analysis.handling is not None and analysis.handling not in HANDLING:
            raise Invalid(f"Handling is one of: {', '.join(HANDLING)}.", field="handling")
        response.handling = analysis.handling
    if analysis.handling_note is not UNSET:
        response.handling_note = analysis.handling_note or ""
    if analysis.addressed_in_version_id is not UNSET:
        version_id = analysis.addressed_in_version_id
        if version_id is not None:
            await _later_version(session, consultation, version_id)
        response.addressed_in_version_id = version_id
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        response,
        "consultation_response.analysed",
        before=before,
    )
    return response


async def _later_version(
    session: AsyncSession, consultation: Consultation, version_id: uuid.UUID
) -> DocumentVersion:
    """The draft a comment was handled in: a version after the consulted one."""
    version = await session.get(DocumentVersion, version_id)
    consulted = await session.get(DocumentVersion, consultation.version_id)
    assert consulted is not None
    if version is None or version.document_id != consultation.document_id:
        raise Invalid("That is not a version of the document.", field="addressed_in_version_id")
    if (version.major, version.minor) <= (consulted.major, consulted.minor):
        raise Invalid(
            f"Comments on version {consulted.number} are handled in a later version, not "
            f"{version.number}.",
            field="addressed_in_version_id",
        )
    return version

"""Consultations: open one on a draft, widen its audience, close or cancel it.

Responses and their analysis are in ``responses_router``; external consultees use
`/v1/consultation-links/{token}` instead (``links_router``).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query
from fastapi import Response as HttpResponse

from services.api.consultations import schemas
from services.api.deps import AppSettings, CurrentPrincipal, Session
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.files import file_responses, version_file
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.authz import consultations as authz
from services.domain.authz.permissions import Permission as P
from services.domain.clock import closing_day
from services.domain.consultations import audience, commands, lifecycle, opening, responses, service
from services.domain.consultations.closing import ClosingRule
from services.domain.documents.versions import read_file
from services.domain.errors import PreconditionFailed
from services.domain.models.consultations import Consultation, ConsultationStatus

router = Router(prefix="/v1/consultations", tags=["consultations"])
# Served with the media type the draft was stored as (a text draft is text/plain).
FILE_RESPONSES = file_responses("The consulted draft, byte for byte as uploaded.")


def consultation_out(consultation: Consultation) -> schemas.Consultation:
    return schemas.Consultation.model_validate(
        {
            **{
                c: getattr(consultation, c)
                for c in schemas.Consultation.model_fields
                if c != "closes_on" and hasattr(consultation, c)
            },
            "closes_on": closing_day(consultation.closes_at),
        }
    )


def _out(consultation: Consultation, response: HttpResponse) -> schemas.Consultation:
    set_etag(response, consultation.row_version)
    return consultation_out(consultation)


def _audience(body: schemas.Audience) -> commands.Audience:
    return commands.Audience(
        people=body.people,
        boards=body.boards,
        external=[
            commands.External(name=e.name, email=str(e.email), represents=e.represents)
            for e in body.external
        ],
    )


def _questions(body: list[schemas.ConsultationQuestion]) -> list[commands.Question]:
    return [commands.Question.of(q.model_dump()) for q in body]


def _check(consultation: Consultation, if_match: str | None) -> None:
    if consultation.row_version != expected_version(if_match):
        raise PreconditionFailed("The consultation changed since you read it: read it again.")


@router.get(
    "", response_model=schemas.ConsultationPage, dependencies=[allowed(P.CONSULTATIONS_RESPOND)]
)
async def list_consultations(
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
    document_id: uuid.UUID | None = None,
    status: schemas.Status | None = None,
    consulted: Annotated[
        bool | None,
        Query(description="true: the consultations you are asked to respond to."),
    ] = None,
) -> schemas.ConsultationPage:
    """The consultations you run or are consulted on, oldest first."""
    scope = {
        "document_id": str(document_id) if document_id else None,
        "status": status,
        "consulted": consulted,
    }
    after = page.after_time(scope)
    found = await service.list_consultations(
        session,
        principal,
        document_id=document_id,
        status=ConsultationStatus(status) if status else None,
        consulted=consulted,
        after=after,
        limit=page.fetch,
    )
    found, next_cursor = page.time_page(found, scope, lambda row: row.created_at)
    return schemas.ConsultationPage(
        items=[consultation_out(c) for c in found], next_cursor=next_cursor
    )


@router.post(
    "",
    status_code=201,
    response_model=schemas.Consultation,
    dependencies=[allowed(P.CONSULTATIONS_RUN)],
)
async def open_consultation(
    body: schemas.ConsultationCreate,
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
    response: HttpResponse,
) -> schemas.Consultation:
    """Put a draft out for comment to people, boards and external consultees. It opens now
    (invitations go out) or at `opens_at`; it closes at `closes_at`, at the end of
    `closes_on`, or by a rule relative to the meeting or the opening in working days."""
    rule = body.closing_rule
    command = commands.NewConsultation(
        document_id=body.document_id,
        version_id=body.version_id,
        kind=body.kind,
        audience=_audience(body.audience),
        title=body.title,
        description=body.description,
        questions=_questions(body.questions),
        meeting_id=body.meeting_id,
        opens_at=body.opens_at,
        closes_at=body.closes_at,
        closes_on=body.closes_on,
        closing_rule=ClosingRule(rule.relative_to, rule.amount, rule.unit) if rule else None,
        deemed_agreement=body.deemed_agreement,
        reminder_days=body.reminder_days,
    )
    consultation = await opening.open_consultation(
        session,
        principal,
        command,
        default_reminder_days=settings.consultation_reminder_days,
    )
    response.headers["Location"] = f"/v1/consultations/{consultation.id}"
    return _out(consultation, response)


@router.get(
    "/{consultation_id}",
    response_model=schemas.Consultation,
    dependencies=[allowed(P.CONSULTATIONS_RESPOND)],
)
async def get_consultation(
    consultation_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    response: HttpResponse,
) -> schemas.Consultation:
    """A consultation you run, or one you are consulted on once it has opened."""
    return _out(await service.get_consultation(session, principal, consultation_id), response)


@router.patch(
    "/{consultation_id}",
    response_model=schemas.Consultation,
    dependencies=[allowed(P.CONSULTATIONS_RUN)],
)
async def update_consultation(
    consultation_id: uuid.UUID,
    body: schemas.ConsultationUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: HttpResponse,
    if_match: IfMatchHeader = None,
) -> schemas.Consultation:
    """Change the title, letter, reminders or closing time (e.g. extend it); the response
    form only before it opens. Needs `If-Match`."""
    consultation = await service.get_consultation(
        session, principal, consultation_id, for_update=True
    )
    _check(consultation, if_match)
    fields = body.model_dump(exclude_unset=True)
    if body.questions is not None:
        fields["questions"] = _questions(body.questions)
    change = commands.ConsultationChange.of(fields)
    consultation = await lifecycle.update_consultation(session, principal, consultation, change)
    return _out(consultation, response)


@router.post(
    "/{consultation_id}/close",
    response_model=schemas.Consultation,
    dependencies=[allowed(P.CONSULTATIONS_RUN)],
)
async def close_consultation(
    consultation_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    response: HttpResponse,
) -> schemas.Consultation:
    """Close it before its deadline. Silence is not deemed agreement then: nobody had the
    time promised. At the deadline the notifier closes it by itself."""
    consultation = await service.get_consultation(
        session, principal, consultation_id, for_update=True
    )
    return _out(await lifecycle.close_consultation(session, principal, consultation), response)


@router.post(
    "/{consultation_id}/cancel",
    response_model=schemas.Consultation,
    dependencies=[allowed(P.CONSULTATIONS_RUN)],
)
async def cancel_consultation(
    consultation_id: uuid.UUID,
    body: schemas.ConsultationCancellation,
    session: Session,
    principal: CurrentPrincipal,
    response: HttpResponse,
) -> schemas.Consultation:
    """Withdraw it (the wrong draft, say): consultees are told and it satisfies no gate."""
    consultation = await service.get_consultation(
        session, principal, consultation_id, for_update=True
    )
    consultation = await lifecycle.cancel_consultation(
        session, principal, consultation, body.reason
    )
    return _out(consultation, response)


async def _consultees_out(session: Session, consultation: Consultation) -> list[schemas.Consultee]:
    answered = await responses.responded_ids(session, consultation)
    return [
        schemas.Consultee.model_validate(c).model_copy(update={"has_responded": c.id in answered})
        for c in await service.consultees_of(session, consultation)
    ]


@router.get(
    "/{consultation_id}/consultees",
    response_model=list[schemas.Consultee],
    dependencies=[allowed(P.DRAFTS_READ)],
)
async def list_consultees(
    consultation_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> list[schemas.Consultee]:
    """Everyone asked, and whether they have responded (for the document's team)."""
    consultation = await service.get_consultation(session, principal, consultation_id)
    authz.check_read_responses(principal, await service.document_of(session, consultation))
    return await _consultees_out(session, consultation)


@router.post(
    "/{consultation_id}/consultees",
    status_code=201,
    response_model=list[schemas.Consultee],
    dependencies=[allowed(P.CONSULTATIONS_RUN)],
)
async def add_consultees(
    consultation_id: uuid.UUID,
    body: schemas.Audience,
    session: Session,
    principal: CurrentPrincipal,
) -> list[schemas.Consultee]:
    """Widen the audience; those added to an open consultation are invited at once. Answers
    the consultees added (someone already asked is not added twice)."""
    consultation = await service.get_consultation(
        session, principal, consultation_id, for_update=True
    )
    added = await audience.add_consultees(session, principal, consultation, _audience(body))
    return [schemas.Consultee.model_validate(c) for c in added]


@router.post(
    "/{consultation_id}/consultees/{consultee_id}/revoke-link",
    response_model=schemas.Consultee,
    dependencies=[allowed(P.CONSULTATIONS_RUN)],
)
async def revoke_link(
    consultation_id: uuid.UUID,
    consultee_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
) -> schemas.Consultee:
    """Withdraw an external consultee's link: it opens nothing from now on."""
    consultation = await service.get_consultation(session, principal, consultation_id)
    consultee = await service.get_consultee(session, consultation, consultee_id)
    return schemas.Consultee.model_validate(
        await audience.revoke_link(session, principal, consultation, consultee)
    )


@router.post(
    "/{consultation_id}/consultees/{consultee_id}/send-link",
    response_model=schemas.Consultee,
    dependencies=[allowed(P.CONSULTATIONS_RUN)],
)
async def send_link(
    consultation_id: uuid.UUID,
    consultee_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
) -> schemas.Consultee:
    """Email an external consultee a new link; any earlier link stops working."""
    consultation = await service.get_consultation(session, principal, consultation_id)
    consultee = await service.get_consultee(session, consultation, consultee_id)
    return schemas.Consultee.model_validate(
        await audience.send_link(session, principal, consultation, consultee)
    )


@router.get(
    "/{consultation_id}/draft",
    response_class=HttpResponse,
    responses=FILE_RESPONSES,
    dependencies=[allowed(P.CONSULTATIONS_RESPOND)],
)
async def download_draft(
    consultation_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> HttpResponse:
    """The draft consulted on: consultees may read this draft, and no other."""
    consultation = await service.get_consultation(session, principal, consultation_id)
    _, version = await service.draft_of(session, principal, consultation)
    return version_file(version, await read_file(session, version))

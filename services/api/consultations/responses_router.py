"""Consultation responses: a consultee's own, those recorded on their behalf, and the
author's analysis of each. External consultees respond through ``links_router``."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Response as HttpResponse

from services.api.consultations import schemas
from services.api.deps import CurrentPrincipal, Session
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.authz.permissions import Permission as P
from services.domain.consultations import responses, service
from services.domain.consultations.commands import ConsulteeResponse, ResponseAnalysis
from services.domain.errors import NotFound, PreconditionFailed
from services.domain.models.consultations import DEEMED_AGREEMENT
from services.domain.models.consultations import ConsultationResponse as ResponseRow
from services.domain.models.consultations import Consultee as ConsulteeRow

router = Router(prefix="/v1/consultations", tags=["consultations"])
# A consultee's PUT answers 201 for their first response and 200 for a change to it.
FIRST_RESPONSE: dict[int | str, dict[str, Any]] = {
    201: {"model": schemas.ConsultationResponse, "description": "Recorded your first response."}
}


def response_out(row: ResponseRow, consultee: ConsulteeRow) -> schemas.ConsultationResponse:
    return schemas.ConsultationResponse.model_validate(
        {
            **{
                c: getattr(row, c)
                for c in schemas.ConsultationResponse.model_fields
                if hasattr(row, c)
            },
            "consultee_name": consultee.name,
            "is_deemed_agreement": row.position == DEEMED_AGREEMENT,
        }
    )


def said(body: schemas.ResponseBody) -> ConsulteeResponse:
    """What the consultee says, from a response body (a recorded one names its consultee)."""
    return ConsulteeResponse(position=body.position, comments=body.comments, answers=body.answers)


@router.get(
    "/{consultation_id}/responses",
    response_model=list[schemas.ConsultationResponse],
    dependencies=[allowed(P.CONSULTATIONS_RESPOND)],
)
async def list_responses(
    consultation_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> list[schemas.ConsultationResponse]:
    """Every response (for the document's team); a consultee sees only their own."""
    consultation = await service.get_consultation(session, principal, consultation_id)
    return [
        response_out(r, c)
        for r, c in await responses.responses_to(session, principal, consultation)
    ]


@router.post(
    "/{consultation_id}/responses",
    status_code=201,
    response_model=schemas.ConsultationResponse,
    responses={
        200: {
            "model": schemas.ConsultationResponse,
            "description": "Amended the response already recorded.",
        }
    },
    dependencies=[allowed(P.CONSULTATIONS_RUN)],
)
async def record_response(
    consultation_id: uuid.UUID,
    body: schemas.RecordedResponse,
    session: Session,
    principal: CurrentPrincipal,
    response: HttpResponse,
) -> schemas.ConsultationResponse:
    """Record a response that came by email or post, on the consultee's behalf (the
    document's team). Answers 200 when it amends one already recorded."""
    consultation = await service.get_consultation(
        session, principal, consultation_id, for_update=True
    )
    consultee = await service.get_consultee(session, consultation, body.consultee_id)
    row, created = await responses.record_for(
        session, principal, consultation, consultee, said(body)
    )
    response.status_code = 201 if created else 200
    return response_out(row, consultee)


@router.get(
    "/{consultation_id}/response",
    response_model=schemas.ConsultationResponse,
    dependencies=[allowed(P.CONSULTATIONS_RESPOND)],
)
async def get_my_response(
    consultation_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.ConsultationResponse:
    """Your own response to a consultation you are asked about (404 until you respond)."""
    consultation = await service.get_consultation(session, principal, consultation_id)
    consultee = await service.consultee_of(session, consultation, principal.person_id)
    found = await responses.response_of(session, consultee) if consultee else None
    if consultee is None or found is None:
        raise NotFound("You have not responded to this consultation.")
    return response_out(found, consultee)


@router.put(
    "/{consultation_id}/response",
    response_model=schemas.ConsultationResponse,
    responses=FIRST_RESPONSE,
    dependencies=[allowed(P.CONSULTATIONS_RESPOND)],
)
async def respond(
    consultation_id: uuid.UUID,
    body: schemas.ResponseBody,
    session: Session,
    principal: CurrentPrincipal,
    response: HttpResponse,
) -> schemas.ConsultationResponse:
    """Respond, or change your response until the close (201 the first time, then 200).
    After the close a first response is still recorded, flagged late."""
    consultation = await service.get_consultation(
        session, principal, consultation_id, for_update=True
    )
    row, created = await responses.respond_as_consultee(
        session, principal, consultation, said(body)
    )
    response.status_code = 201 if created else 200
    consultee = await service.get_consultee(session, consultation, row.consultee_id)
    return response_out(row, consultee)


@router.get(
    "/{consultation_id}/responses/{response_id}",
    response_model=schemas.ConsultationResponse,
    dependencies=[allowed(P.CONSULTATIONS_RESPOND)],
)
async def get_response(
    consultation_id: uuid.UUID,
    response_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    response: HttpResponse,
) -> schemas.ConsultationResponse:
    """One response, with its ETag (for the analysis): the team's, or your own."""
    consultation = await service.get_consultation(session, principal, consultation_id)
    for row, consultee in await responses.responses_to(session, principal, consultation):
        if row.id == response_id:
            set_etag(response, row.row_version)
            return response_out(row, consultee)
    raise NotFound("No such response to this consultation.")


@router.patch(
    "/{consultation_id}/responses/{response_id}",
    response_model=schemas.ConsultationResponse,
    dependencies=[allowed(P.CONSULTATIONS_RUN)],
)
async def analyse_response(
    consultation_id: uuid.UUID,
    response_id: uuid.UUID,
    body: schemas.Analysis,
    session: Session,
    principal: CurrentPrincipal,
    response: HttpResponse,
    if_match: IfMatchHeader = None,
) -> schemas.ConsultationResponse:
    """Tag a response with themes and say how it was handled in the next draft (the
    document's team). Needs `If-Match` (the response's ETag)."""
    consultation = await service.get_consultation(session, principal, consultation_id)
    row = await responses.get_response(session, consultation, response_id)
    if row.row_version != expected_version(if_match):
        raise PreconditionFailed("The response changed since you read it: read it again.")
    analysis = ResponseAnalysis.of(body.model_dump(exclude_unset=True))
    row = await responses.analyse_response(session, principal, consultation, row, analysis)
    set_etag(response, row.row_version)
    consultee = await service.get_consultee(session, consultation, row.consultee_id)
    return response_out(row, consultee)

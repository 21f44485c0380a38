"""What an external consultee's link opens: one consultation, its draft, their own response.

No API key: the token in the address is the credential, and it opens these three things and
nothing else. It is signed, expires a while after the close, and can be revoked.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import Path
from fastapi import Response as HttpResponse

from services.api.consultations import schemas
from services.api.consultations.responses_router import FIRST_RESPONSE, response_out, said
from services.api.consultations.router import FILE_RESPONSES
from services.api.deps import AppSettings, Session
from services.api.files import version_file
from services.api.permissions import PUBLIC
from services.api.routing import Router
from services.domain.clock import closing_day
from services.domain.consultations import links, responses, service
from services.domain.documents.versions import read_file
from services.domain.models.consultations import Consultation, Consultee
from services.domain.settings import Settings

router = Router(prefix="/v1/consultation-links", tags=["consultation-links"])
Token = Annotated[str, Path(max_length=200, description="The token from the invitation email.")]


async def _open(session: Session, settings: Settings, token: str) -> tuple[Consultee, Consultation]:
    return await links.consultee_for_link(
        session, settings.keyring, token, timedelta(days=settings.consultation_link_grace_days)
    )


@router.get("/{token}", response_model=schemas.LinkView, dependencies=[PUBLIC])
async def open_link(token: Token, session: Session, settings: AppSettings) -> schemas.LinkView:
    """The consultation the link is for, its response form and your response so far."""
    consultee, consultation = await _open(session, settings, token)
    document = await service.document_of(session, consultation)
    _, version = await service.draft_of(
        session, responses.external_principal(consultee), consultation
    )
    found = await responses.response_of(session, consultee)
    return schemas.LinkView(
        consultation_id=consultation.id,
        title=consultation.title,
        description=consultation.description,
        status=consultation.status,
        document_reference=document.reference,
        document_title=document.title,
        version=version.number,
        opens_at=consultation.opens_at,
        closes_at=consultation.closes_at,
        closes_on=closing_day(consultation.closes_at),
        deemed_agreement=consultation.deemed_agreement,
        questions=consultation.questions,
        consultee_name=consultee.name,
        draft_path=f"/v1/consultation-links/{token}/draft",
        response=response_out(found, consultee) if found else None,
    )


@router.get(
    "/{token}/draft", response_class=HttpResponse, responses=FILE_RESPONSES, dependencies=[PUBLIC]
)
async def download_linked_draft(
    token: Token, session: Session, settings: AppSettings
) -> HttpResponse:
    """The draft consulted on."""
    consultee, consultation = await _open(session, settings, token)
    _, version = await service.draft_of(
        session, responses.external_principal(consultee), consultation
    )
    return version_file(version, await read_file(session, version))


@router.put(
    "/{token}/response",
    response_model=schemas.ConsultationResponse,
    responses=FIRST_RESPONSE,
    dependencies=[PUBLIC],
)
async def respond_by_link(
    token: Token,
    body: schemas.ResponseBody,
    session: Session,
    settings: AppSettings,
    response: HttpResponse,
) -> schemas.ConsultationResponse:
    """Respond, or change your response until the close (201 the first time, then 200).
    After the close a first response is still recorded, flagged late."""
    consultee, consultation = await _open(session, settings, token)
    await service.lock(session, consultation)
    row, created = await responses.respond(
        session,
        responses.external_principal(consultee),
        consultation,
        consultee,
        said(body),
    )
    response.status_code = 201 if created else 200
    return response_out(row, consultee)

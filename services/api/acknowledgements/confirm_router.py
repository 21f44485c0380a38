"""Confirming: what the signed-in person is asked to read and acknowledge and their
confirmation; the emailed link for people with no account (the token is the credential, and
opens that one acknowledgement and the version it is of, nothing else); board members
confirming they have read a meeting's papers, and who has, for the chair (Dorset 7.4)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Path
from fastapi import Response as HttpResponse

from services.api.acknowledgements import schemas
from services.api.deps import AppSettings, CurrentPrincipal, Session
from services.api.files import file_responses, version_file
from services.api.paging import Page
from services.api.permissions import PUBLIC, allowed
from services.api.routing import Router
from services.domain.acknowledgements import confirming, papers
from services.domain.acknowledgements.confirming import AcknowledgementView
from services.domain.authz.permissions import Permission as P
from services.domain.documents.versions import read_file
from services.domain.models.acknowledgements import AcknowledgementStatus

router = Router(prefix="/v1/acknowledgements", tags=["acknowledgements"])
links_router = Router(prefix="/v1/acknowledgement-links", tags=["acknowledgement-links"])
meetings_router = Router(prefix="/v1/meetings", tags=["acknowledgements"])
Token = Annotated[str, Path(max_length=200, description="The token from the email.")]


def _mine(view: AcknowledgementView) -> dict[str, object]:
    ack, request, document = view.acknowledgement, view.request, view.document
    return {
        "id": ack.id,
        "request_id": request.id,
        "document_id": document.id,
        "reference": document.reference,
        "title": document.title,
        "version": request.version_number,
        "due_on": request.due_on,
        "message": request.message,
        "status": ack.status.value,
        "acknowledged_at": ack.acknowledged_at,
        "is_open": view.is_open,
    }


@router.get(
    "/mine",
    response_model=schemas.MyAcknowledgementPage,
    dependencies=[allowed(P.ACKNOWLEDGEMENTS_CONFIRM)],
)
async def list_my_acknowledgements(
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
    status: schemas.Status | None = "pending",
) -> schemas.MyAcknowledgementPage:
    """What you are asked to read and acknowledge (pending by default), soonest due first."""
    scope = {"status": status}
    after = page.after(scope, (date, uuid.UUID))
    found = await confirming.mine(
        session,
        principal,
        status=AcknowledgementStatus(status) if status else None,
        after=(after[0], after[1]) if after else None,
        limit=page.fetch,
    )
    rows, next_cursor = page.page(found, scope, lambda r: [r[1].due_on.isoformat(), str(r[0].id)])
    items = [
        schemas.MyAcknowledgement.model_validate(_mine(AcknowledgementView(a, r, d, "")))
        for a, r, d in rows
    ]
    return schemas.MyAcknowledgementPage(items=items, next_cursor=next_cursor)


@router.post(
    "/{acknowledgement_id}/confirm",
    response_model=schemas.MyAcknowledgement,
    dependencies=[allowed(P.ACKNOWLEDGEMENTS_CONFIRM)],
)
async def confirm_acknowledgement(
    acknowledgement_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.MyAcknowledgement:
    """Confirm you have read and understood the version (your own only; again changes
    nothing). 409 once the ask has ended (a newer version was asked for, or it was cancelled)."""
    view = await confirming.confirm(session, principal, acknowledgement_id)
    return schemas.MyAcknowledgement.model_validate(_mine(view))


def _link_view(token: str, view: AcknowledgementView) -> schemas.AcknowledgementLinkView:
    return schemas.AcknowledgementLinkView.model_validate(
        {
            **_mine(view),
            "person_name": view.person_name,
            "document_path": f"/v1/acknowledgement-links/{token}/document",
        }
    )


@links_router.get("/{token}", response_model=schemas.AcknowledgementLinkView, dependencies=[PUBLIC])
async def open_acknowledgement_link(
    token: Token, session: Session, settings: AppSettings
) -> schemas.AcknowledgementLinkView:
    """What the emailed link is for: the document, the version and the date to confirm by,
    and whether you have. 404 for a token that is not ours."""
    return _link_view(token, await confirming.open_by_token(session, settings.keyring, token))


@links_router.get(
    "/{token}/document",
    response_class=HttpResponse,
    responses=file_responses("The version to read, byte for byte as issued."),
    dependencies=[PUBLIC],
)
async def download_acknowledgement_document(
    token: Token, session: Session, settings: AppSettings
) -> HttpResponse:
    """The version the link asks you to read."""
    version = await confirming.version_by_token(session, settings.keyring, token)
    return version_file(version, await read_file(session, version))


@links_router.post(
    "/{token}/confirm", response_model=schemas.AcknowledgementLinkView, dependencies=[PUBLIC]
)
async def confirm_by_acknowledgement_link(
    token: Token, session: Session, settings: AppSettings
) -> schemas.AcknowledgementLinkView:
    """Confirm you have read and understood it, with no account (again changes nothing).
    409 once the ask has ended."""
    view = await confirming.confirm_by_token(session, settings.keyring, token)
    return _link_view(token, view)


@meetings_router.put(
    "/{meeting_id}/papers-read",
    response_model=schemas.PapersReadOut,
    dependencies=[allowed(P.ACKNOWLEDGEMENTS_CONFIRM)],
)
async def confirm_papers_read(
    meeting_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.PapersReadOut:
    """Dorset 7.4: a member of the meeting's board (or a member's delegate) confirms they have
    read its papers before the meeting; again changes nothing. 409 once it was held or
    cancelled."""
    meeting, read_at = await papers.confirm_papers_read(session, principal, meeting_id)
    assert principal.person_id is not None
    return schemas.PapersReadOut(
        meeting_id=meeting.id, person_id=principal.person_id, read_at=read_at
    )


@meetings_router.get(
    "/{meeting_id}/papers-read",
    response_model=schemas.MeetingPapersReadList,
    dependencies=[allowed(P.BOARDS_READ)],
)
async def list_papers_read(
    meeting_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.MeetingPapersReadList:
    """Which members have read the papers (themselves or by their delegate) and which have
    not, for the chair, a vice-chair or the policy team before the meeting."""
    meeting, members = await papers.papers_read(session, principal, meeting_id)
    out = [
        schemas.PapersReadMember(
            **{**m.__dict__, "has_read": m.read_at is not None or m.delegate_read_at is not None}
        )
        for m in members
    ]
    read = sum(1 for m in out if m.has_read)
    return schemas.MeetingPapersReadList(
        meeting_id=meeting.id,
        starts_at=meeting.starts_at,
        papers_circulated_at=meeting.papers_circulated_at,
        read=read,
        not_read=len(out) - read,
        members=out,
    )

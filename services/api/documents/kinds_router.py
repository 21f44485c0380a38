"""Document kinds of the caller's organisation."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import File, Form, Response, UploadFile

from services.api.deps import AppSettings, CurrentPrincipal, Session
from services.api.documents import schemas
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.files import file_responses, version_file
from services.api.permissions import allowed
from services.api.routing import Router
from services.api.types import LongText, ShortText
from services.domain.authz.permissions import Permission as P
from services.domain.documents import kinds, templates
from services.domain.documents.commands import KindChange, NewKind
from services.domain.documents.templates import MAX_HEADINGS

router = Router(prefix="/v1/document-kinds", tags=["document-kinds"])


@router.get("", response_model=list[schemas.DocumentKind], dependencies=[allowed(P.DOCUMENTS_READ)])
async def list_document_kinds(
    session: Session, principal: CurrentPrincipal
) -> list[schemas.DocumentKind]:
    return [
        schemas.DocumentKind.model_validate(k) for k in await kinds.list_kinds(session, principal)
    ]


@router.post(
    "",
    status_code=201,
    response_model=schemas.DocumentKind,
    dependencies=[allowed(P.DOCUMENT_KINDS_MANAGE)],
)
async def create_document_kind(
    body: schemas.DocumentKindCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.DocumentKind:
    """Add a kind of document (admins)."""
    kind = await kinds.create_kind(session, principal, NewKind.of(body.model_dump()))
    set_etag(response, kind.row_version)
    response.headers["Location"] = f"/v1/document-kinds/{kind.id}"
    return schemas.DocumentKind.model_validate(kind)


@router.get(
    "/{kind_id}", response_model=schemas.DocumentKind, dependencies=[allowed(P.DOCUMENTS_READ)]
)
async def get_document_kind(
    kind_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.DocumentKind:
    kind = await kinds.get_kind(session, principal, kind_id)
    set_etag(response, kind.row_version)
    return schemas.DocumentKind.model_validate(kind)


@router.patch(
    "/{kind_id}",
    response_model=schemas.DocumentKind,
    dependencies=[allowed(P.DOCUMENT_KINDS_MANAGE)],
)
async def update_document_kind(
    kind_id: uuid.UUID,
    body: schemas.DocumentKindUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.DocumentKind:
    """Relabel, change the rules of, or retire a kind (admins). Needs `If-Match`."""
    expected = expected_version(if_match)
    kind = await kinds.get_kind(session, principal, kind_id)
    kind = await kinds.update_kind(
        session,
        principal,
        kind,
        KindChange.of(body.model_dump(exclude_unset=True)),
        expected_version=expected,
    )
    set_etag(response, kind.row_version)
    return schemas.DocumentKind.model_validate(kind)


@router.put(
    "/{kind_id}/template",
    response_model=schemas.KindTemplate,
    dependencies=[allowed(P.DOCUMENTS_MANAGE)],
)
async def set_kind_template(
    kind_id: uuid.UUID,
    file: Annotated[UploadFile, File(description="docx, pdf, markdown, html or plain text.")],
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
    guidelines: Annotated[LongText, Form()] = "",
    required_headings: Annotated[
        list[ShortText],
        Form(description=f"Headings every draft of the kind has (at most {MAX_HEADINGS})."),
    ] = [],  # noqa: B006 - FastAPI copies a form default
) -> schemas.KindTemplate:
    """Set or replace the kind's template (Dorset aim v: "Develop guidelines and templates for
    the distinct types of governance document"): the file to start a draft from, the
    guidelines, and the headings the `template_followed` gate looks for (the policy team)."""
    content = await file.read(settings.max_upload_bytes + 1)
    found = await templates.set_template(
        session,
        principal,
        kind_id,
        filename=file.filename or "template",
        content=content,
        declared_media_type=file.content_type,
        guidelines=guidelines,
        required_headings=required_headings,
        max_bytes=settings.max_upload_bytes,
    )
    return schemas.KindTemplate.model_validate(found)


@router.get(
    "/{kind_id}/template",
    response_model=schemas.KindTemplate,
    dependencies=[allowed(P.DOCUMENTS_READ)],
)
async def get_kind_template(
    kind_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.KindTemplate:
    """The kind's template: its file's name and type, guidelines and required headings."""
    return schemas.KindTemplate.model_validate(
        await templates.get_template(session, principal, kind_id)
    )


@router.get(
    "/{kind_id}/template/file",
    response_class=Response,
    responses=file_responses("The template's file, byte for byte as uploaded."),
    dependencies=[allowed(P.DOCUMENTS_READ)],
)
async def download_kind_template(
    kind_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> Response:
    """Download the template to start a draft from."""
    found = await templates.get_template(session, principal, kind_id, with_file=True)
    return version_file(found, found.content)


@router.delete("/{kind_id}/template", status_code=204, dependencies=[allowed(P.DOCUMENTS_MANAGE)])
async def remove_kind_template(
    kind_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> Response:
    """Remove the kind's template: its drafts no longer need its headings."""
    await templates.remove_template(session, principal, kind_id)
    return Response(status_code=204)

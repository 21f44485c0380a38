"""Document kinds of the caller's organisation."""

from __future__ import annotations

import uuid

from fastapi import Response

from services.api.deps import CurrentPrincipal, Session
from services.api.documents import schemas
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.authz.permissions import Permission as P
from services.domain.documents import kinds
from services.domain.documents.commands import KindChange, NewKind

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

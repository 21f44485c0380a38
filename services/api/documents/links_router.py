"""Links between documents (governs, implements, form_for, supersedes, relates_to)."""

from __future__ import annotations

import uuid

from fastapi import Response

from services.api.deps import CurrentPrincipal, Session
from services.api.documents import schemas
from services.api.etag import IfMatchHeader, expected_version
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.authz.permissions import Permission as P
from services.domain.documents import links as links_service
from services.domain.documents import service
from services.domain.errors import PreconditionFailed

router = Router(prefix="/v1/documents", tags=["documents"])


def _link_schema(view: links_service.LinkView) -> schemas.Link:
    return schemas.Link(
        id=view.link.id,
        kind=view.link.kind,
        direction=view.direction,
        source_id=view.link.source_id,
        target_id=view.link.target_id,
        created_at=view.link.created_at,
        other=schemas.LinkedDocument(
            id=view.other.id,
            reference=view.other.reference,
            title=view.other.title,
            kind=view.other.kind,
            status=view.other.status,
        ),
    )


@router.get(
    "/{document_id}/links",
    response_model=list[schemas.Link],
    dependencies=[allowed(P.DOCUMENTS_READ)],
)
async def list_links(
    document_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    kind: schemas.LinkKind | None = None,
) -> list[schemas.Link]:
    """Links in both directions: what this document governs and what governs it, and so on."""
    document = await service.get_document(session, principal, document_id)
    found = await links_service.list_links(session, principal, document, kind)
    return [_link_schema(v) for v in found]


@router.post(
    "/{document_id}/links",
    status_code=201,
    response_model=schemas.Link,
    dependencies=[allowed(P.DOCUMENTS_EDIT)],
)
async def create_link(
    document_id: uuid.UUID,
    body: schemas.LinkCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.Link:
    """Link this document (the source) to another."""
    document = await service.get_document(session, principal, document_id)
    link = await links_service.create_link(
        session, principal, document, target_id=body.target_id, kind=body.kind
    )
    target = await service.get_document(session, principal, link.target_id)
    response.headers["ETag"] = '"r1"'
    return _link_schema(links_service.LinkView(link, "outgoing", target))


@router.delete(
    "/{document_id}/links/{link_id}",
    status_code=204,
    response_class=Response,
    dependencies=[allowed(P.DOCUMENTS_EDIT)],
)
async def delete_link(
    document_id: uuid.UUID,
    link_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> Response:
    """Remove a link. Needs `If-Match` (links never change, so their ETag is always "r1")."""
    expected = expected_version(if_match)
    document = await service.get_document(session, principal, document_id)
    link = await links_service.get_link(session, principal, document, link_id)
    if expected != 1:
        raise PreconditionFailed("If-Match does not match the current ETag.")
    await links_service.delete_link(session, principal, document, link)
    return Response(status_code=204)

"""The Trix publication queue: the upload scripts poll it and report what they did."""

from __future__ import annotations

import uuid

from services.api.deps import CurrentPrincipal, PublicUrl, Session
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.publications import schemas
from services.api.routing import Router
from services.domain.authz.permissions import Permission as P
from services.domain.models.publications import PublicationStatus
from services.domain.publications import service
from services.domain.publications.service import QueuedPublication

router = Router(prefix="/v1/publications", tags=["publications"])


def publication_out(queued: QueuedPublication, public_url: str) -> schemas.Publication:
    publication, document, version = queued.publication, queued.document, queued.version
    return schemas.Publication(
        id=publication.id,
        document_id=document.id,
        reference=document.reference,
        title=document.title,
        version_id=publication.version_id,
        version_number=version.number if version is not None else None,
        issued_on=version.issued_on if version is not None else None,
        effective_on=version.effective_on if version is not None else None,
        action=publication.action,
        reason=publication.reason,
        status=publication.status,
        trix_url=queued.page_url,
        created_at=publication.created_at,
        completed_at=publication.completed_at,
        completed_by_id=publication.completed_by_id,
        completed_by_label=publication.completed_by_label,
        cancelled_at=publication.cancelled_at,
        cancelled_reason=publication.cancelled_reason,
        file_url=(
            f"{public_url}/v1/documents/{document.id}/versions/{version.id}/file"
            if version is not None
            else None
        ),
    )


@router.get("", response_model=schemas.PublicationPage, dependencies=[allowed(P.PUBLICATIONS_WORK)])
async def list_publications(
    session: Session,
    principal: CurrentPrincipal,
    public_url: PublicUrl,
    page: Page,
    status: schemas.PublicationStatus | None = None,
    action: schemas.Action | None = None,
    document_id: uuid.UUID | None = None,
) -> schemas.PublicationPage:
    """The queue oldest first; the scripts poll `status=pending`. Admins, policy officers and
    integration keys."""
    scope = {
        "status": status,
        "action": action,
        "document_id": str(document_id) if document_id else None,
    }
    after = page.after_time(scope)
    found = await service.list_publications(
        session,
        principal,
        status=PublicationStatus(status) if status else None,
        action=action,
        document_id=document_id,
        after=after,
        limit=page.fetch,
    )
    found, next_cursor = page.time_page(found, scope, lambda row: row.publication.created_at)
    return schemas.PublicationPage(
        items=[publication_out(q, public_url) for q in found], next_cursor=next_cursor
    )


@router.get(
    "/{publication_id}",
    response_model=schemas.Publication,
    dependencies=[allowed(P.PUBLICATIONS_WORK)],
)
async def get_publication(
    publication_id: uuid.UUID, session: Session, principal: CurrentPrincipal, public_url: PublicUrl
) -> schemas.Publication:
    queued = await service.get_publication(session, principal, publication_id)
    return publication_out(queued, public_url)


@router.post(
    "/{publication_id}/uploaded",
    response_model=schemas.Publication,
    dependencies=[allowed(P.PUBLICATIONS_WORK)],
)
async def mark_uploaded(
    publication_id: uuid.UUID,
    body: schemas.Uploaded,
    session: Session,
    principal: CurrentPrincipal,
    public_url: PublicUrl,
) -> schemas.Publication:
    """Report an upload done, with the Trix page. Repeating it with the same URL changes
    nothing; another URL is a 409 naming the one recorded. A cancelled upload (its version
    superseded or withdrawn) is a 409 saying why, every time."""
    queued = await service.get_publication(session, principal, publication_id, for_update=True)
    queued = await service.mark_uploaded(session, principal, queued, str(body.trix_url))
    return publication_out(queued, public_url)


@router.post(
    "/{publication_id}/removed",
    response_model=schemas.Publication,
    dependencies=[allowed(P.PUBLICATIONS_WORK)],
)
async def mark_removed(
    publication_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    public_url: PublicUrl,
    body: schemas.Removed | None = None,
) -> schemas.Publication:
    """Report a removal done; the document forgets its Trix page. Repeating it changes
    nothing."""
    queued = await service.get_publication(session, principal, publication_id, for_update=True)
    queued = await service.mark_removed(
        session, principal, queued, note=body.note if body is not None else ""
    )
    return publication_out(queued, public_url)

"""Statutory sources (NCT 3.2: changes in legislation or statutory guidance): the register of
sources, the documents linked to each, the changes recorded (by hand or from the source's Atom
feed) and the impact report of each change."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Response

from services.api.deps import AppSettings, CurrentPrincipal, ReadSession, Session
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.routing import Router
from services.api.statutory_sources import schemas
from services.domain.authz.permissions import Permission as P
from services.domain.models.statutory_sources import StatutorySource, StatutorySourceChange
from services.domain.source_feeds.service import check_feed
from services.domain.statutory_sources import changes, impact, service
from services.domain.statutory_sources.commands import NewChange, NewLink, NewSource, SourceChange

router = Router(prefix="/v1/statutory-sources", tags=["statutory-sources"])
changes_router = Router(prefix="/v1/statutory-source-changes", tags=["statutory-sources"])
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "UTF-8 with a BOM: one row per linked document.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


def _source(source: StatutorySource, response: Response | None = None) -> schemas.StatutorySource:
    if response is not None:
        set_etag(response, source.row_version)
    return schemas.StatutorySource.model_validate(source)


def _change(change: StatutorySourceChange) -> schemas.SourceChange:
    return schemas.SourceChange.model_validate(change)


@router.get(
    "", response_model=schemas.StatutorySourcePage, dependencies=[allowed(P.DOCUMENTS_READ)]
)
async def list_statutory_sources(
    session: ReadSession,
    principal: CurrentPrincipal,
    page: Page,
    kind: schemas.SourceKind | None = None,
    document_id: uuid.UUID | None = None,
) -> schemas.StatutorySourcePage:
    """The organisation's sources, oldest first: of a kind, or those a document depends on."""
    scope = {"kind": kind, "document_id": str(document_id) if document_id else None}
    found = await service.list_sources(
        session,
        principal,
        kind=kind,
        document_id=document_id,
        after=page.after_time(scope),
        limit=page.fetch,
    )
    found, next_cursor = page.time_page(found, scope, lambda row: row.created_at)
    return schemas.StatutorySourcePage(items=[_source(s) for s in found], next_cursor=next_cursor)


@router.post(
    "",
    status_code=201,
    response_model=schemas.StatutorySource,
    dependencies=[allowed(P.DOCUMENTS_MANAGE)],
)
async def create_statutory_source(
    body: schemas.StatutorySourceCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.StatutorySource:
    """Add a source (the policy team); its title is unique in the organisation."""
    command = NewSource.of(body.model_dump(mode="json"))
    source = await service.create_source(session, principal, command)
    response.headers["Location"] = f"/v1/statutory-sources/{source.id}"
    return _source(source, response)


@router.get(
    "/{source_id}",
    response_model=schemas.StatutorySource,
    dependencies=[allowed(P.DOCUMENTS_READ)],
)
async def get_statutory_source(
    source_id: uuid.UUID, session: ReadSession, principal: CurrentPrincipal, response: Response
) -> schemas.StatutorySource:
    """One source, with its ETag and the state of its feed."""
    return _source(await service.get_source(session, principal, source_id), response)


@router.patch(
    "/{source_id}",
    response_model=schemas.StatutorySource,
    dependencies=[allowed(P.DOCUMENTS_MANAGE)],
)
async def update_statutory_source(
    source_id: uuid.UUID,
    body: schemas.StatutorySourceUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.StatutorySource:
    """Change a source. Needs `If-Match`; `feed_url` null stops the daily poll."""
    expected = expected_version(if_match)
    change = SourceChange.of(body.model_dump(mode="json", exclude_unset=True))
    source = await service.change_source(
        session, principal, source_id, change, expected_version=expected
    )
    return _source(source, response)


@router.delete("/{source_id}", status_code=204, dependencies=[allowed(P.DOCUMENTS_MANAGE)])
async def delete_statutory_source(
    source_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> Response:
    """Remove a source no change was recorded to (409 otherwise: clear its feed instead)."""
    await service.delete_source(session, principal, source_id)
    return Response(status_code=204)


@router.get(
    "/{source_id}/documents",
    response_model=schemas.SourceDocumentPage,
    dependencies=[allowed(P.DOCUMENTS_READ)],
)
async def list_statutory_source_documents(
    source_id: uuid.UUID, session: ReadSession, principal: CurrentPrincipal, page: Page
) -> schemas.SourceDocumentPage:
    """The documents that depend on the source, in the order they were linked."""
    scope = {"source_id": str(source_id)}
    found = await service.list_links(
        session, principal, source_id, after=page.after_time(scope), limit=page.fetch
    )
    found, next_cursor = page.page(
        found, scope, lambda row: [row[0].created_at.isoformat(), str(row[0].id)]
    )
    items = [
        schemas.SourceDocument(
            document_id=document.id,
            reference=document.reference,
            title=document.title,
            status=document.status,
            reason=link.reason,
            linked_by_id=link.linked_by_id,
            created_at=link.created_at,
        )
        for link, document in found
    ]
    return schemas.SourceDocumentPage(items=items, next_cursor=next_cursor)


@router.post(
    "/{source_id}/documents",
    status_code=201,
    response_model=schemas.SourceDocument,
    dependencies=[allowed(P.DOCUMENTS_MANAGE)],
)
async def link_statutory_source_document(
    source_id: uuid.UUID,
    body: schemas.SourceLinkCreate,
    session: Session,
    principal: CurrentPrincipal,
) -> schemas.SourceDocument:
    """Say a document depends on the source: a change to it will review the document."""
    link, document = await service.link_document(
        session, principal, source_id, NewLink.of(body.model_dump())
    )
    return schemas.SourceDocument(
        document_id=document.id,
        reference=document.reference,
        title=document.title,
        status=document.status,
        reason=link.reason,
        linked_by_id=link.linked_by_id,
        created_at=link.created_at,
    )


@router.delete(
    "/{source_id}/documents/{document_id}",
    status_code=204,
    dependencies=[allowed(P.DOCUMENTS_MANAGE)],
)
async def unlink_statutory_source_document(
    source_id: uuid.UUID, document_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> Response:
    """The document no longer depends on the source; changes already recorded stand."""
    await service.unlink_document(session, principal, source_id, document_id)
    return Response(status_code=204)


@router.post(
    "/{source_id}/changes",
    status_code=201,
    response_model=schemas.ImpactReport,
    dependencies=[allowed(P.DOCUMENTS_MANAGE)],
)
async def record_statutory_source_change(
    source_id: uuid.UUID,
    body: schemas.ChangeCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.ImpactReport:
    """Record a change (the policy team): in one batch, an unscheduled review (trigger
    `legislation_or_guidance_change`) of every linked published document; a document already
    under review has the change added to its review. Answers the impact report; each owner and
    RO is emailed once with their documents."""
    command = NewChange.of(body.model_dump(mode="json"))
    change = await changes.record_source_change(session, principal, source_id, command)
    response.headers["Location"] = f"/v1/statutory-source-changes/{change.id}/impact"
    return _report(await impact.impact_report(session, principal, change.id))


@router.get(
    "/{source_id}/changes",
    response_model=schemas.SourceChangePage,
    dependencies=[allowed(P.DOCUMENTS_READ)],
)
async def list_statutory_source_changes(
    source_id: uuid.UUID, session: ReadSession, principal: CurrentPrincipal, page: Page
) -> schemas.SourceChangePage:
    """The changes recorded to the source, newest first."""
    scope = {"source_id": str(source_id)}
    found = await changes.list_changes(
        session, principal, source_id, after=page.after_time(scope), limit=page.fetch
    )
    found, next_cursor = page.time_page(found, scope, lambda row: row.created_at)
    return schemas.SourceChangePage(items=[_change(c) for c in found], next_cursor=next_cursor)


@router.post(
    "/{source_id}/feed-check",
    response_model=schemas.FeedCheck,
    dependencies=[allowed(P.DOCUMENTS_MANAGE)],
)
async def check_statutory_source_feed(
    source_id: uuid.UUID, session: Session, principal: CurrentPrincipal, settings: AppSettings
) -> schemas.FeedCheck:
    """Poll the source's Atom feed now: each entry not seen before becomes a change, with its
    batch of reviews; polling again records nothing new. A feed that cannot be read (refused
    address, unreachable, too large, too slow, not Atom) is a 502 `feed-unavailable` problem,
    and nothing is recorded."""
    found = await check_feed(session, principal, source_id, settings)
    return schemas.FeedCheck(
        source=_source(found.source),
        entries=found.entries,
        changes=[_change(c) for c in found.changes],
    )


def _report(report: impact.ImpactReport) -> schemas.ImpactReport:
    return schemas.ImpactReport(
        source=_source(report.source),
        change=_change(report.change),
        counts=schemas.ImpactCounts(**report.counts),
        documents=[
            schemas.ImpactDocument(
                document_id=line.impact.document_id,
                reference=line.impact.reference,
                title=line.impact.title,
                document_status=line.impact.document_status,
                outcome=line.impact.outcome,
                review_id=line.impact.review_id,
                owner_id=line.impact.owner_id,
                owner_name=line.owner_name,
                responsible_officer_id=line.impact.responsible_officer_id,
                responsible_officer_name=line.responsible_officer_name,
            )
            for line in report.lines
        ],
    )


@changes_router.get(
    "/{change_id}/impact",
    response_model=schemas.ImpactReport,
    dependencies=[allowed(P.DOCUMENTS_READ)],
)
async def get_statutory_source_change_impact(
    change_id: uuid.UUID, session: ReadSession, principal: CurrentPrincipal
) -> schemas.ImpactReport:
    """What the change did to each linked document (review opened, already under review,
    being amended, not in force), with each one's owner and RO, and the counts."""
    return _report(await impact.impact_report(session, principal, change_id))


@changes_router.get(
    "/{change_id}/impact.csv",
    response_class=Response,
    responses=CSV_RESPONSE,
    dependencies=[allowed(P.DOCUMENTS_READ)],
)
async def get_statutory_source_change_impact_csv(
    change_id: uuid.UUID, session: ReadSession, principal: CurrentPrincipal
) -> Response:
    """The impact report as CSV, one row per document."""
    report = await impact.impact_report(session, principal, change_id)
    return Response(
        "\ufeff" + impact.impact_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="impact-{change_id}.csv"'},
    )

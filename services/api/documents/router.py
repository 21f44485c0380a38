"""The register: documents and their versions (history_router: timeline and paper trail;
links_router: links)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import File, Form, Query, Request, Response, UploadFile

from services.api.deps import (
    AppSettings,
    CurrentPrincipal,
    LagTolerantSession,
    Pages,
    ReadSession,
    Session,
)
from services.api.documents import schemas
from services.api.errors import declared_problem
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.files import file_responses, version_file
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.routing import Router
from services.api.types import IsoDate, ShortText, Tag
from services.domain.authz import documents as authz
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal
from services.domain.documents import diff as diffing
from services.domain.documents import search, service, versions
from services.domain.documents.commands import DocumentChange, NewDocument
from services.domain.documents.register_fields import RegisterFacts, register_facts
from services.domain.models.documents import Document, DocumentStatus

router = Router(prefix="/v1/documents", tags=["documents"])


# The schema's fields the model has, found once: a page of 50 documents asked for each field
# of each document twice (hasattr, getattr), a fifth of the list's CPU.
_MODEL_FIELDS = tuple(k for k in schemas.Document.model_fields if hasattr(Document, k))


def to_schema(
    document: Document, principal: Principal, facts: RegisterFacts | None = None
) -> schemas.Document:
    loaded = document.__dict__  # the columns the ORM loaded, read without its descriptors
    fields = {k: loaded[k] if k in loaded else getattr(document, k) for k in _MODEL_FIELDS}
    fields["acting_responsible_officer_id"] = service.acting_responsible_officer_id(document)
    if facts is not None:
        fields["governing_reference"] = facts.governing_reference
        fields["forms_aligned"] = facts.forms_aligned
    if not authz.can_read_drafts(principal, document):
        fields["latest_version"] = document.issued_version
    return schemas.Document.model_validate(fields)


@router.get("", response_model=schemas.DocumentPage, dependencies=[allowed(P.DOCUMENTS_READ)])
async def list_documents(
    request: Request,
    session: LagTolerantSession,
    principal: CurrentPrincipal,
    pages: Pages,
    page: Page,
    kind: Annotated[ShortText | None, Query(max_length=40)] = None,
    status: schemas.Status | None = None,
    owner_id: uuid.UUID | None = None,
    responsible_officer_id: uuid.UUID | None = None,
    author_id: uuid.UUID | None = None,
    service_area: ShortText | None = None,
    tag: Tag | None = None,
    review_due_before: IsoDate | None = None,
    review_due_after: IsoDate | None = None,
    q: Annotated[
        ShortText | None,
        Query(description="Full-text search of title, summary and the current version's text."),
    ] = None,
) -> Response:
    """List and search the register, ordered by reference. With `q`, by relevance: documents
    whose title or reference has the words, then whose summary has them, then whose text has
    them as a phrase, then apart; within each, issued documents before drafts, then by
    reference."""
    kept = await pages.find(request, principal, session)
    if kept.found is not None:
        return kept.found
    filters = search.DocumentFilters(
        kind=kind,
        status=DocumentStatus(status) if status else None,
        owner_id=owner_id,
        responsible_officer_id=responsible_officer_id,
        author_id=author_id,
        service_area=service_area,
        tag=tag,
        review_due_before=review_due_before,
        review_due_after=review_due_after,
        q=q or None,
    )
    scope = filters.as_dict()
    # With a text query the position is (tier, draft only, reference, id), else (reference, id).
    shape = (int, int, str, uuid.UUID) if filters.q else (str, uuid.UUID)
    documents, last = await search.list_documents(
        session, principal, filters, after=page.after(scope, shape), limit=page.limit
    )
    facts = await register_facts(session, [d.id for d in documents])
    return kept.keep(
        schemas.DocumentPage(
            items=[to_schema(d, principal, facts.get(d.id)) for d in documents],
            next_cursor=page.cursor_after(last, scope) if last else None,
        )
    )


@router.post(
    "", status_code=201, response_model=schemas.Document, dependencies=[allowed(P.DOCUMENTS_CREATE)]
)
async def create_document(
    body: schemas.DocumentCreate, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.Document:
    """Add a document to the register."""
    fields = body.model_dump()
    fields["trix_url"] = str(body.trix_url) if body.trix_url else None
    document = await service.create_document(session, principal, NewDocument.of(fields))
    response.headers["Location"] = f"/v1/documents/{document.id}"
    set_etag(response, document.row_version)
    return to_schema(document, principal)


@router.get(
    "/{document_id}", response_model=schemas.Document, dependencies=[allowed(P.DOCUMENTS_READ)]
)
async def get_document(
    document_id: uuid.UUID, session: ReadSession, principal: CurrentPrincipal, response: Response
) -> schemas.Document:
    document = await service.get_document(session, principal, document_id)
    set_etag(response, document.row_version)
    facts = await register_facts(session, [document.id])
    return to_schema(document, principal, facts.get(document.id))


@router.patch(
    "/{document_id}",
    response_model=schemas.Document,
    dependencies=[allowed(P.DOCUMENTS_EDIT, P.TRIX_URL_SET)],
)
async def update_document(
    document_id: uuid.UUID,
    body: schemas.DocumentUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.Document:
    """Change the register entry. Needs `If-Match`."""
    expected = expected_version(if_match)
    document = await service.get_document(session, principal, document_id, for_update=True)
    changes = body.model_dump(exclude_unset=True)
    if "trix_url" in changes:
        changes["trix_url"] = str(body.trix_url) if body.trix_url else None
    document = await service.update_document(
        session, principal, document, DocumentChange.of(changes), expected_version=expected
    )
    set_etag(response, document.row_version)
    facts = await register_facts(session, [document.id])
    return to_schema(document, principal, facts.get(document.id))


@router.get(
    "/{document_id}/versions",
    response_model=list[schemas.Version],
    dependencies=[allowed(P.DOCUMENTS_READ)],
)
async def list_versions(
    document_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> list[schemas.Version]:
    """Versions newest first; drafts only for those who may see them."""
    document = await service.get_document(session, principal, document_id)
    found = await versions.list_versions(session, principal, document)
    return [schemas.Version.model_validate(v) for v in found]


@router.post(
    "/{document_id}/versions",
    status_code=201,
    response_model=schemas.Version,
    dependencies=[allowed(P.DOCUMENTS_EDIT, P.VERSIONS_REGISTER_ISSUED)],
)
async def add_version(
    document_id: uuid.UUID,
    file: Annotated[UploadFile, File(description="docx, pdf, markdown, html or plain text.")],
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
    response: Response,
    change_summary: Annotated[ShortText, Form()] = "",
    issued: Annotated[
        bool,
        Form(description="Register an already issued version (admins and policy officers)."),
    ] = False,
    issued_on: Annotated[
        IsoDate | None,
        Form(
            description="With `issued`: the day the version was issued (not in the future; "
            "default today). Its next review is counted from it."
        ),
    ] = None,
    next_review_due: Annotated[
        IsoDate | None,
        Form(
            description="With `issued`: the document's next review date, when it is already "
            "known; otherwise the review-date rule counts it from `issued_on`."
        ),
    ] = None,
) -> schemas.Version:
    """Upload a new version: drafts are numbered 0.1, 0.2, ...; issued versions 1.0, 2.0.

    On a document already scheduled for review, an issued version needs `issued_on` or
    `next_review_due` (422 otherwise): its review date never moves to a year from today."""
    document = await service.get_document(session, principal, document_id)
    content = await file.read(settings.max_upload_bytes + 1)
    version = await versions.add_version(
        session,
        principal,
        document,
        filename=file.filename or "upload",
        content=content,
        declared_media_type=file.content_type,
        change_summary=change_summary,
        issue=issued,
        max_bytes=settings.max_upload_bytes,
        issued_on=issued_on,
        next_review_due=next_review_due,
        limits=settings.heavy_limits,
    )
    response.headers["Location"] = f"/v1/documents/{document_id}/versions/{version.id}"
    return schemas.Version.model_validate(version)


@router.get(
    "/{document_id}/versions/{version}",
    response_model=schemas.Version,
    dependencies=[allowed(P.DOCUMENTS_READ)],
)
async def get_version(
    document_id: uuid.UUID,
    version: str,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.Version:
    """One version, by id or by number (`0.2`)."""
    document = await service.get_document(session, principal, document_id)
    found = await versions.get_version(session, principal, document, version)
    response.headers["ETag"] = f'"{found.sha256}"'
    return schemas.Version.model_validate(found)


@router.get(
    "/{document_id}/versions/{version}/file",
    response_class=Response,
    responses=file_responses("The file as uploaded, with the media type it was stored as."),
    dependencies=[allowed(P.DOCUMENTS_READ)],
)
async def download_version(
    document_id: uuid.UUID, version: str, session: Session, principal: CurrentPrincipal
) -> Response:
    """Download the file of a version, byte for byte as uploaded."""
    document = await service.get_document(session, principal, document_id)
    found = await versions.get_version(session, principal, document, version)
    return version_file(found, await versions.read_file(session, found))


@router.get(
    "/{document_id}/versions/{version}/diff/{other}",
    response_model=schemas.VersionDiff,
    dependencies=[allowed(P.DOCUMENTS_READ)],
    responses={413: declared_problem(413, "The comparison needs more memory than it is allowed.")},
)
async def diff_versions(
    document_id: uuid.UUID,
    version: str,
    other: str,
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
) -> schemas.VersionDiff:
    """What changed from `version` to `other`, paragraph by paragraph."""
    document = await service.get_document(session, principal, document_id)
    before = await versions.get_version(session, principal, document, version, with_text=True)
    after = await versions.get_version(session, principal, document, other, with_text=True)
    changes = await versions.compare(before, after, settings.heavy_limits)
    return schemas.VersionDiff(
        document_id=document.id,
        from_version=before.number,
        to_version=after.number,
        summary=schemas.DiffSummary(**diffing.summarise(changes)),
        changes=[schemas.Change.model_validate(c, from_attributes=True) for c in changes],
    )

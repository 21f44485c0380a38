"""Handing over what a leaver held (issue 20): what a person holds, moving it to someone else,
the staff list that marks leavers, and the documents with no active owner."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import File, Query, UploadFile

from services.api.deps import AppSettings, CurrentPrincipal, Session
from services.api.handover import schemas
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.routing import Router
from services.api.types import ShortText
from services.domain.authz import handover as authz
from services.domain.authz.permissions import Permission as P
from services.domain.errors import PayloadTooLarge
from services.domain.handover import holdings, orphaned, reassign, staff_list
from services.domain.handover.commands import Move, Reassignment

router = Router(tags=["handover"])


def _holding(held: holdings.Holding) -> schemas.Holding:
    return schemas.Holding(
        kind=held.kind,
        id=held.id,
        role=held.role,
        title=held.title,
        document_id=held.document_id,
        reference=held.reference,
        within_id=held.within_id,
        reassignable=held.reassignable,
        how=held.how,
    )


@router.get(
    "/v1/people/{person_id}/holdings",
    response_model=schemas.Holdings,
    dependencies=[allowed(P.PEOPLE_MANAGE)],
)
async def get_holdings(
    person_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.Holdings:
    """Everything open the person holds, by kind, at most 500 of each (admins and policy
    officers): documents they own, are the RO or author of, sign-off stages waiting for their
    decision, open monitoring actions, pending update cycle items, posts, board seats and open
    requests to acknowledge they asked."""
    person, held = await holdings.read_holdings(session, principal, person_id)
    return schemas.Holdings(
        person_id=person.id,
        name=person.name,
        is_active=person.is_active,
        counts=held.counts(),
        more=held.more,
        items=[_holding(h) for h in held.items],
    )


@router.post(
    "/v1/people/{person_id}/reassignments",
    response_model=schemas.Reassignment,
    dependencies=[allowed(P.PEOPLE_MANAGE)],
)
async def reassign_holdings(
    person_id: uuid.UUID,
    body: schemas.ReassignmentCreate,
    session: Session,
    principal: CurrentPrincipal,
) -> schemas.Reassignment:
    """Move what the person holds to another active person, all or nothing (admins and policy
    officers). Each item names a record, or (no id) everything of a kind in a role. Each move
    is checked as its own package checks it (a sign-off stage never goes to someone who wrote,
    uploaded or submitted the draft, unless the route allows self-approval) and audited; when
    any cannot move, nothing moves and the 409 problem's `unmoved` lists each with its reason."""
    command = Reassignment(
        to_person_id=body.to_person_id,
        items=[Move(kind=m.kind, role=m.role, id=m.id) for m in body.items],
    )
    done = await reassign.reassign(session, principal, person_id, command)
    return schemas.Reassignment(
        from_person_id=done.from_person.id,
        to_person_id=done.to_person.id,
        moved=[_holding(h) for h in done.moved],
    )


StaffListFile = Annotated[
    UploadFile,
    File(
        description="A CSV (UTF-8) with a header row naming an email column and a status "
        "(left, leaver, inactive) or leaving date column (YYYY-MM-DD or DD/MM/YYYY); name and "
        "service area are read and ignored."
    ),
]


@router.post(
    "/v1/staff-lists",
    response_model=schemas.StaffListReport,
    dependencies=[allowed(P.PEOPLE_MANAGE)],
)
async def import_staff_list(
    file: StaffListFile,
    session: Session,
    principal: CurrentPrincipal,
    settings: AppSettings,
    dry_run: Annotated[
        bool, Query(description="Report who would be marked as left, and what they hold.")
    ] = True,
) -> schemas.StaffListReport:
    """Mark the people a staff list says have left as inactive (admins and policy officers).

    A dry run (the default) reports who would be marked as left and what each holds, and
    changes nothing. Applied (`dry_run=false`), it marks them inactive (an audit record each)
    and tells the policy team once what they held; a row that cannot be read refuses the whole
    list (422, `problems`). Emails the directory does not know are listed and left alone."""
    authz.check_import_staff_list(principal)  # before reading a stranger's file
    content = await file.read(staff_list.MAX_BYTES + 1)
    if len(content) > staff_list.MAX_BYTES:
        raise PayloadTooLarge(f"A staff list is at most {staff_list.MAX_BYTES} bytes.")
    rows, problems = await staff_list.read(content, settings.heavy_limits)
    report = await staff_list.import_staff_list(
        session,
        principal,
        rows,
        problems,
        dry_run=dry_run,
        filename=(file.filename or "staff list.csv")[:200],
    )
    return schemas.StaffListReport(
        dry_run=report.dry_run,
        rows=report.rows,
        leavers=[schemas.Leaver.model_validate(leaver.__dict__) for leaver in report.leavers],
        unknown=[schemas.RowNote(row=u.row, message=u.message) for u in report.unknown],
        problems=[schemas.RowNote(row=p.row, message=p.message) for p in report.problems],
        marked=report.marked,
    )


@router.get(
    "/v1/orphaned-documents",
    response_model=schemas.OrphanedDocumentPage,
    dependencies=[allowed(P.PEOPLE_MANAGE)],
)
async def list_orphaned_documents(
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
    service_area: Annotated[ShortText | None, Query(description="In any case.")] = None,
) -> schemas.OrphanedDocumentPage:
    """Documents not retired or superseded whose owner is missing or no longer active, or whose
    named responsible officer is no longer active, by reference (admins and policy officers)."""
    scope = {"service_area": service_area} if service_area else {}
    found = await orphaned.list_orphaned(
        session,
        principal,
        service_area=service_area,
        after=page.after(scope, (str, uuid.UUID)),
        limit=page.fetch,
    )
    found, next_cursor = page.page(
        found, scope, lambda o: [o.document.reference, str(o.document.id)]
    )
    return schemas.OrphanedDocumentPage(
        items=[
            schemas.OrphanedDocument(
                document_id=o.document.id,
                reference=o.document.reference,
                title=o.document.title,
                status=o.document.status,
                service_area=o.document.service_area,
                owner_id=o.document.owner_id,
                owner_name=o.owner.name if o.owner else None,
                responsible_officer_id=o.document.responsible_officer_id,
                responsible_officer_name=o.officer.name if o.officer else None,
                vacant_roles=o.vacant,
            )
            for o in found
        ],
        next_cursor=next_cursor,
    )

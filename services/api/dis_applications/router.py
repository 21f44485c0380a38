"""Dis-applications (Cafcass 6.1): asking to set aside part of a document in force for a team or
area, the decision, ending one early, and the register of those in force."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import Response

from services.api.deps import CurrentPrincipal, Session
from services.api.dis_applications import schemas
from services.api.etag import set_etag
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.routing import Router
from services.api.types import IsoDate, ShortText
from services.domain.authz.permissions import Permission as P
from services.domain.clock import london_today
from services.domain.dis_applications import ending, rules, service
from services.domain.dis_applications.commands import DisApplicationDecision, NewDisApplication
from services.domain.imports.dis_application_register import register_csv
from services.domain.models.dis_applications import DisApplication, DisApplicationStatus

router = Router(prefix="/v1/dis-applications", tags=["dis-applications"])
document_router = Router(prefix="/v1/documents", tags=["dis-applications"])


def _view(dis_application: DisApplication, today: date) -> schemas.DisApplication:
    found = schemas.DisApplication.model_validate(
        {
            **{
                name: getattr(dis_application, name)
                for name in schemas.DisApplication.model_fields
                if name != "is_in_force"
            },
            "is_in_force": rules.is_in_force(dis_application, today),
        }
    )
    return found


def _out(dis_application: DisApplication, response: Response) -> schemas.DisApplication:
    set_etag(response, dis_application.row_version)
    return _view(dis_application, london_today())


@document_router.post(
    "/{document_id}/dis-applications",
    status_code=201,
    response_model=schemas.DisApplication,
    dependencies=[allowed(P.DIS_APPLICATIONS_REQUEST)],
)
async def request_dis_application(
    document_id: uuid.UUID,
    body: schemas.DisApplicationCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.DisApplication:
    """Ask for part of a document in force not to be applied to a team or area, from a start
    date to an end date at most 12 months later, with reasons, risks and mitigation (any
    member of staff). The decider the organisation names is emailed (Cafcass 6.1: the
    Policy Sponsor). 409 when the document is not in force."""
    command = NewDisApplication.of(body.model_dump(exclude_unset=True))
    created = await service.request_dis_application(session, principal, document_id, command)
    response.headers["Location"] = f"/v1/dis-applications/{created.id}"
    return _out(created, response)


@document_router.get(
    "/{document_id}/dis-applications",
    response_model=schemas.DocumentDisApplications,
    dependencies=[allowed(P.DIS_APPLICATIONS_READ)],
)
async def list_document_dis_applications(
    document_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.DocumentDisApplications:
    """A document's dis-applications, every status, soonest end first, and those in force
    today: what of the document does not apply to whom."""
    document, found = await service.list_for_document(session, principal, document_id)
    today = london_today()
    items = [_view(d, today) for d in found]
    return schemas.DocumentDisApplications(
        document_id=document.id,
        reference=document.reference,
        title=document.title,
        in_force=[d for d in items if d.is_in_force],
        items=items,
    )


@router.get(
    "", response_model=schemas.DisApplicationPage, dependencies=[allowed(P.DIS_APPLICATIONS_READ)]
)
async def list_dis_applications(
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
    document_id: uuid.UUID | None = None,
    applies_to: ShortText | None = None,
    status: schemas.DisApplicationStatus | None = None,
    in_force: bool = False,
    ending_by: IsoDate | None = None,
) -> schemas.DisApplicationPage:
    """The register, soonest end date first: `in_force=true` for those in force today,
    `ending_by` for those ending on or before a date, by `document_id`, `applies_to` (a team
    or area, any case) or `status`."""
    scope = {
        "document_id": str(document_id) if document_id else None,
        "applies_to": applies_to,
        "status": status,
        "in_force": in_force,
        "ending_by": ending_by.isoformat() if ending_by else None,
    }
    after = page.after(scope, (date, uuid.UUID))
    found = await service.list_dis_applications(
        session,
        principal,
        document_id=document_id,
        applies_to=applies_to,
        status=DisApplicationStatus(status) if status else None,
        in_force=in_force,
        ending_by=ending_by,
        after=(after[0], after[1]) if after else None,
        limit=page.fetch,
    )
    rows, next_cursor = page.page(found, scope, lambda d: [d.ends_on.isoformat(), str(d.id)])
    today = london_today()
    return schemas.DisApplicationPage(
        items=[_view(d, today) for d in rows], next_cursor=next_cursor
    )


@router.get(
    "/export.csv",
    response_class=Response,
    responses={
        200: {
            "description": "One row per dis-application, soonest end first (UTF-8 with a BOM).",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
    dependencies=[allowed(P.DIS_APPLICATIONS_READ)],
)
async def export_dis_applications_csv(
    session: Session,
    principal: CurrentPrincipal,
    document_id: uuid.UUID | None = None,
    applies_to: ShortText | None = None,
    status: schemas.DisApplicationStatus | None = None,
    in_force: bool = False,
    ending_by: IsoDate | None = None,
) -> Response:
    """The register as CSV, with the list's filters (at most 10,000 rows): the document, the
    part, for whom, the dates, who asked, whom they discussed it with, the reasons, risks and
    mitigation, the decision and its note, and how it ended."""
    text = await register_csv(
        session,
        principal,
        document_id=document_id,
        applies_to=applies_to,
        status=DisApplicationStatus(status) if status else None,
        in_force=in_force,
        ending_by=ending_by,
    )
    # The byte order mark makes Excel read the file as UTF-8.
    return Response(
        "\ufeff" + text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="dis-applications.csv"'},
    )


@router.get(
    "/{dis_application_id}",
    response_model=schemas.DisApplication,
    dependencies=[allowed(P.DIS_APPLICATIONS_READ)],
)
async def get_dis_application(
    dis_application_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.DisApplication:
    found = await service.get_dis_application(session, principal, dis_application_id)
    return _out(found, response)


@router.post(
    "/{dis_application_id}/decision",
    response_model=schemas.DisApplication,
    dependencies=[allowed(P.DIS_APPLICATIONS_DECIDE)],
)
async def decide_dis_application(
    dis_application_id: uuid.UUID,
    body: schemas.DisApplicationDecision,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.DisApplication:
    """Approve or refuse, with a note: only whom the organisation names
    (`dis_application_decider`; by default the document's owner, Cafcass's Policy Sponsor),
    never the requester. Approving confirms `circumstances_exceptional` and
    `variation_justified`. 409 once decided."""
    decision = DisApplicationDecision.of(body.model_dump(exclude_unset=True))
    found = await service.get_dis_application(
        session, principal, dis_application_id, for_update=True
    )
    decided = await service.decide_dis_application(session, principal, found, decision)
    return _out(decided, response)


@router.post(
    "/{dis_application_id}/withdrawal",
    response_model=schemas.DisApplication,
    dependencies=[allowed(P.DIS_APPLICATIONS_REQUEST)],
)
async def withdraw_dis_application(
    dis_application_id: uuid.UUID,
    body: schemas.DisApplicationEnd,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.DisApplication:
    """Withdraw a request not yet decided (its requester or the policy team). 409 once
    decided."""
    found = await service.get_dis_application(
        session, principal, dis_application_id, for_update=True
    )
    ended = await ending.withdraw_dis_application(session, principal, found, body.reason)
    return _out(ended, response)


@router.post(
    "/{dis_application_id}/revocation",
    response_model=schemas.DisApplication,
    dependencies=[allowed(P.DIS_APPLICATIONS_REQUEST)],
)
async def revoke_dis_application(
    dis_application_id: uuid.UUID,
    body: schemas.DisApplicationEnd,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.DisApplication:
    """End an approved dis-application early, with a reason (the decider the organisation
    names, or the policy team): the whole document applies again. 409 unless approved."""
    found = await service.get_dis_application(
        session, principal, dis_application_id, for_update=True
    )
    ended = await ending.revoke_dis_application(session, principal, found, body.reason)
    return _out(ended, response)

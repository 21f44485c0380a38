"""Read and acknowledge, for the policy team and managers: a document's audience, asking,
the asks of a document and their people, cancelling, and a document's uptake."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Response

from services.api.acknowledgements import schemas
from services.api.deps import CurrentPrincipal, Session
from services.api.etag import set_etag
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.acknowledgements import asking, audience, compliance, counts
from services.domain.acknowledgements.commands import (
    Audience,
    AudienceSetting,
    NewAcknowledgementRequest,
)
from services.domain.authz.permissions import Permission as P
from services.domain.clock import london_today
from services.domain.errors import NotFound
from services.domain.models.acknowledgements import AcknowledgementRequest, AcknowledgementStatus

router = Router(prefix="/v1/acknowledgement-requests", tags=["acknowledgements"])
document_router = Router(prefix="/v1/documents", tags=["acknowledgements"])


async def request_out(
    session: Session, request: AcknowledgementRequest
) -> schemas.AcknowledgementRequest:
    """An ask with its counts."""
    asked, confirmed = await counts.request_counts(session, request.id)
    pending = asked - confirmed
    overdue = pending if request.due_on < london_today() else 0
    fields: dict[str, Any] = {
        name: getattr(request, name)
        for name in schemas.AcknowledgementRequest.model_fields
        if name != "counts"
    }
    fields["counts"] = schemas.AcknowledgementCounts(
        asked=asked,
        confirmed=confirmed,
        pending=pending,
        overdue=overdue,
        percent=counts.percent(confirmed, asked),
    )
    return schemas.AcknowledgementRequest.model_validate(fields)


@document_router.get(
    "/{document_id}/acknowledgement-audience",
    response_model=schemas.AcknowledgementAudience,
    dependencies=[allowed(P.ACKNOWLEDGEMENTS_CONFIRM)],
)
async def get_acknowledgement_audience(
    document_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.AcknowledgementAudience:
    """Who the document asks to read and acknowledge each version it issues (its people,
    managers and the policy team)."""
    row = await audience.get_audience(session, principal, document_id)
    if row is None:
        return schemas.AcknowledgementAudience(
            document_id=document_id, is_set=False, updated_at=None
        )
    set_etag(response, row.row_version)
    return _audience_out(row)


def _audience_out(row: Any) -> schemas.AcknowledgementAudience:
    return schemas.AcknowledgementAudience(
        document_id=row.document_id,
        person_ids=row.person_ids,
        board_ids=row.board_ids,
        service_areas=row.service_areas,
        job_titles=row.job_titles,
        due_working_days=row.due_working_days,
        ask_on_minor=row.ask_on_minor,
        is_set=bool(row.person_ids or row.board_ids or row.service_areas or row.job_titles),
        updated_at=row.updated_at,
    )


@document_router.put(
    "/{document_id}/acknowledgement-audience",
    response_model=schemas.AcknowledgementAudience,
    dependencies=[allowed(P.ACKNOWLEDGEMENTS_MANAGE)],
)
async def set_acknowledgement_audience(
    document_id: uuid.UUID,
    body: schemas.AcknowledgementAudienceSetting,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.AcknowledgementAudience:
    """Set who is asked to read and acknowledge each new whole version of the document (the
    policy team): people, boards, service areas, job titles; its working days to confirm;
    whether minor versions ask again too. All empty: nobody is asked by itself."""
    setting = AudienceSetting.of(body.model_dump())
    row = await audience.set_audience(session, principal, document_id, setting)
    set_etag(response, row.row_version)
    return _audience_out(row)


@document_router.post(
    "/{document_id}/acknowledgement-requests",
    status_code=201,
    response_model=schemas.AcknowledgementRequest,
    dependencies=[allowed(P.ACKNOWLEDGEMENTS_MANAGE)],
)
async def ask_to_acknowledge(
    document_id: uuid.UUID,
    body: schemas.AcknowledgementRequestCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.AcknowledgementRequest:
    """Ask people to read and acknowledge the version in force by a date (the policy team):
    for a minor version (which does not ask by itself), a new audience, or again. The ask
    before it is superseded; who already confirmed this version is not asked twice. Each
    person is emailed their own link. 409 when nothing is in force."""
    data = body.model_dump(exclude_unset=True)
    if data.get("audience") is not None:
        data["audience"] = Audience.of(data["audience"])
    created = await asking.ask(session, principal, document_id, NewAcknowledgementRequest.of(data))
    response.headers["Location"] = f"/v1/acknowledgement-requests/{created.id}"
    set_etag(response, created.row_version)
    return await request_out(session, created)


@document_router.get(
    "/{document_id}/acknowledgement-requests",
    response_model=schemas.AcknowledgementRequestPage,
    dependencies=[allowed(P.ACKNOWLEDGEMENTS_READ)],
)
async def list_acknowledgement_requests(
    document_id: uuid.UUID, session: Session, principal: CurrentPrincipal, page: Page
) -> schemas.AcknowledgementRequestPage:
    """A document's asks, newest first, every status, with their counts."""
    scope = {"document_id": str(document_id)}
    found = await asking.list_requests(
        session, principal, document_id, before=page.after_time(scope), limit=page.fetch
    )
    rows, next_cursor = page.time_page(found, scope, lambda r: r.created_at)
    return schemas.AcknowledgementRequestPage(
        items=[await request_out(session, r) for r in rows], next_cursor=next_cursor
    )


@document_router.get(
    "/{document_id}/acknowledgement-uptake",
    response_model=schemas.AcknowledgementUptake,
    dependencies=[allowed(P.ACKNOWLEDGEMENTS_CONFIRM)],
)
async def get_acknowledgement_uptake(
    document_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.AcknowledgementUptake:
    """How many of those asked have confirmed the version in force (the latest ask of its
    whole version), how many are pending and overdue (its people, managers, policy team)."""
    await audience.get_audience(session, principal, document_id)  # 404 and who may read
    found = await counts.uptake(session, principal.organisation_id, document_id)
    if found is None:
        raise NotFound("No such document.")
    return schemas.AcknowledgementUptake.model_validate(found, from_attributes=True)


@router.get(
    "/{request_id}",
    response_model=schemas.AcknowledgementRequest,
    dependencies=[allowed(P.ACKNOWLEDGEMENTS_READ)],
)
async def get_acknowledgement_request(
    request_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.AcknowledgementRequest:
    found = await asking.get_request(session, principal, request_id)
    set_etag(response, found.row_version)
    return await request_out(session, found)


@router.post(
    "/{request_id}/cancel",
    response_model=schemas.AcknowledgementRequest,
    dependencies=[allowed(P.ACKNOWLEDGEMENTS_MANAGE)],
)
async def cancel_acknowledgement_request(
    request_id: uuid.UUID,
    body: schemas.AcknowledgementRequestCancel,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.AcknowledgementRequest:
    """Take an open ask back, saying why (the policy team): those pending are no longer asked
    and their reminders stop; confirmations stay on the record."""
    found = await asking.cancel(session, principal, request_id, body.reason)
    set_etag(response, found.row_version)
    return await request_out(session, found)


@router.get(
    "/{request_id}/acknowledgements",
    response_model=schemas.PersonAcknowledgementPage,
    dependencies=[allowed(P.ACKNOWLEDGEMENTS_READ)],
)
async def list_request_people(
    request_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
    status: schemas.Status | None = None,
) -> schemas.PersonAcknowledgementPage:
    """The people an ask named, by name, with whether and when each confirmed, the reminders
    sent and whether their name went to the owner."""
    request = await asking.get_request(session, principal, request_id)
    scope = {"request_id": str(request_id), "status": status}
    after = page.after(scope, (str, uuid.UUID))
    found = await compliance.people_of(
        session,
        principal,
        request.id,
        status=AcknowledgementStatus(status) if status else None,
        after=(after[0], after[1]) if after else None,
        limit=page.fetch,
    )
    rows, next_cursor = page.page(found, scope, lambda r: [r[1].name, str(r[0].id)])
    late = request.due_on < london_today()
    return schemas.PersonAcknowledgementPage(
        items=[_person_out(ack, person, late) for ack, person in rows], next_cursor=next_cursor
    )


def _person_out(ack: Any, person: Any, late: bool) -> schemas.PersonAcknowledgement:
    return schemas.PersonAcknowledgement(
        id=ack.id,
        person_id=person.id,
        name=person.name,
        email=person.email,
        service_area=ack.service_area,
        job_title=ack.job_title,
        status=ack.status.value,
        acknowledged_at=ack.acknowledged_at,
        via=ack.via,
        reminders_sent=ack.reminders_sent,
        escalated_at=ack.escalated_at,
        is_overdue=late and ack.status == AcknowledgementStatus.PENDING,
    )

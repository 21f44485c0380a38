"""Communication plans (LBBD 10, Cafcass 4.15 and 7.1): for each version of a document, who is
told, how and when, and whether it went."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Response

from services.api.deps import CurrentPrincipal, Session
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.launch import schemas
from services.api.permissions import allowed
from services.api.routing import Router
from services.api.types import text_field
from services.domain.authz.permissions import Permission as P
from services.domain.clock import london_today
from services.domain.launch import plans
from services.domain.launch.commands import NewPlanItem, PlanItemChange, PlanItemSent
from services.domain.models.launch import CommunicationPlanItem

router = Router(prefix="/v1/communication-plan-items", tags=["communication-plans"])
document_router = Router(prefix="/v1/documents", tags=["communication-plans"])
VersionRef = Annotated[str, text_field(40, 1)]


def _view(item: CommunicationPlanItem) -> schemas.CommunicationPlanItem:
    fields = {
        n: getattr(item, n) for n in schemas.CommunicationPlanItem.model_fields if n != "is_overdue"
    }
    return schemas.CommunicationPlanItem.model_validate(
        {**fields, "is_overdue": plans.is_overdue(item, london_today())}
    )


def _out(item: CommunicationPlanItem, response: Response) -> schemas.CommunicationPlanItem:
    set_etag(response, item.row_version)
    return _view(item)


@document_router.get(
    "/{document_id}/versions/{version}/communication-plan",
    response_model=schemas.CommunicationPlan,
    dependencies=[allowed(P.DOCUMENTS_READ)],
)
async def get_communication_plan(
    document_id: uuid.UUID, version: VersionRef, session: Session, principal: CurrentPrincipal
) -> schemas.CommunicationPlan:
    """The communication plan of a version (by id or number, e.g. `1.0`), soonest first: the
    plan written with the final draft is carried to the issue it became. A draft's plan is
    seen by those who may read its drafts."""
    document, found, items = await plans.plan_of(session, principal, document_id, version)
    views = [_view(i) for i in items]
    return schemas.CommunicationPlan(
        document_id=document.id,
        reference=document.reference,
        version_id=found.id,
        version=found.number,
        items=views,
        sent=sum(1 for v in views if v.sent_at is not None),
        overdue=sum(1 for v in views if v.is_overdue),
    )


@document_router.post(
    "/{document_id}/versions/{version}/communication-plan",
    status_code=201,
    response_model=schemas.CommunicationPlanItem,
    dependencies=[allowed(P.COMMUNICATIONS_PLAN)],
)
async def add_communication_plan_item(
    document_id: uuid.UUID,
    version: VersionRef,
    body: schemas.CommunicationPlanItemCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.CommunicationPlanItem:
    """Add a line to the plan: audience, channel, planned day, who sends it (the document's
    author, responsible officer, owner, or the policy team). At most 50 per version."""
    command = NewPlanItem.of(body.model_dump(exclude_unset=True))
    item = await plans.add_item(session, principal, document_id, version, command)
    response.headers["Location"] = f"/v1/communication-plan-items/{item.id}"
    return _out(item, response)


@router.get(
    "/{item_id}",
    response_model=schemas.CommunicationPlanItem,
    dependencies=[allowed(P.DOCUMENTS_READ)],
)
async def get_communication_plan_item(
    item_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.CommunicationPlanItem:
    """One item, with its ETag."""
    _, item = await plans.get_item(session, principal, item_id)
    return _out(item, response)


@router.patch(
    "/{item_id}",
    response_model=schemas.CommunicationPlanItem,
    dependencies=[allowed(P.COMMUNICATIONS_PLAN)],
)
async def update_communication_plan_item(
    item_id: uuid.UUID,
    body: schemas.CommunicationPlanItemUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.CommunicationPlanItem:
    """Change an item not yet sent. Needs `If-Match`; 409 once it is marked sent."""
    expected = expected_version(if_match)
    change = PlanItemChange.of(body.model_dump(exclude_unset=True))
    document, item = await plans.get_item(session, principal, item_id, for_update=True)
    changed = await plans.change_item(
        session, principal, document, item, change, expected_version=expected
    )
    return _out(changed, response)


@router.delete("/{item_id}", status_code=204, dependencies=[allowed(P.COMMUNICATIONS_PLAN)])
async def delete_communication_plan_item(
    item_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> Response:
    """Remove an item not yet sent. Needs `If-Match`; 409 once it is marked sent (it stays on
    the record)."""
    expected = expected_version(if_match)
    document, item = await plans.get_item(session, principal, item_id, for_update=True)
    await plans.remove_item(session, principal, document, item, expected_version=expected)
    return Response(status_code=204)


@router.post(
    "/{item_id}/sent",
    response_model=schemas.CommunicationPlanItem,
    dependencies=[allowed(P.COMMUNICATIONS_PLAN)],
)
async def mark_communication_plan_item_sent(
    item_id: uuid.UUID,
    body: schemas.CommunicationPlanItemSent,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.CommunicationPlanItem:
    """Say the item went, on a day up to today, with a note (the newsletter's issue, the
    meetings it was discussed at): whoever it names to send it, the document's people or the
    policy team. 409 if it is already marked sent."""
    sent = PlanItemSent.of(body.model_dump(exclude_unset=True))
    document, item = await plans.get_item(session, principal, item_id, for_update=True)
    done = await plans.mark_sent(session, principal, document, item, sent, expected_version=None)
    return _out(done, response)

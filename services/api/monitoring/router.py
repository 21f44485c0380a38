"""Monitoring actions (Cafcass 7.4, Dorset xi): set on a document in force, given to a person
by a date, worked with evidence, closed with an outcome; the organisation's list."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import Response
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.deps import CurrentPrincipal, Session
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.monitoring import schemas
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.authz.permissions import Permission as P
from services.domain.clock import london_today
from services.domain.models.monitoring import MonitoringAction, MonitoringActionStatus
from services.domain.monitoring import rules, service, work
from services.domain.monitoring.commands import (
    MonitoringActionChange,
    NewEvidence,
    NewMonitoringAction,
)

router = Router(prefix="/v1/monitoring-actions", tags=["monitoring"])
document_router = Router(prefix="/v1/documents", tags=["monitoring"])


async def _views(
    session: AsyncSession, actions: list[MonitoringAction]
) -> list[schemas.MonitoringAction]:
    evidence = await service.evidence_of(session, [a.id for a in actions])
    today = london_today()
    return [
        schemas.MonitoringAction.model_validate(
            {
                **{
                    name: getattr(action, name)
                    for name in schemas.MonitoringAction.model_fields
                    if name not in ("is_overdue", "evidence")
                },
                "is_overdue": rules.is_overdue(action, today),
                "evidence": [schemas.Evidence.model_validate(e) for e in evidence[action.id]],
            }
        )
        for action in actions
    ]


async def _out(
    session: AsyncSession, action: MonitoringAction, response: Response
) -> schemas.MonitoringAction:
    set_etag(response, action.row_version)
    return (await _views(session, [action]))[0]


@document_router.post(
    "/{document_id}/monitoring-actions",
    status_code=201,
    response_model=schemas.MonitoringAction,
    dependencies=[allowed(P.MONITORING_MANAGE)],
)
async def create_monitoring_action(
    document_id: uuid.UUID,
    body: schemas.MonitoringActionCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.MonitoringAction:
    """Set a monitoring action on a document in force (its author, responsible officer or
    owner, or the policy team): a title, an owner, a due date. The owner is emailed, reminded
    7 and 1 days before the due date, and the document's owner is told once if it is overdue.
    409 when the document is not in force."""
    command = NewMonitoringAction.of(body.model_dump(exclude_unset=True))
    created = await service.create_action(session, principal, document_id, command)
    response.headers["Location"] = f"/v1/monitoring-actions/{created.id}"
    return await _out(session, created, response)


@document_router.get(
    "/{document_id}/monitoring-actions",
    response_model=schemas.DocumentMonitoringActions,
    dependencies=[allowed(P.MONITORING_READ)],
)
async def list_document_monitoring_actions(
    document_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.DocumentMonitoringActions:
    """A document's monitoring actions, every status, soonest due first, with their evidence
    (at most 200 actions a document)."""
    document, found = await service.list_for_document(session, principal, document_id)
    return schemas.DocumentMonitoringActions(
        document_id=document.id,
        reference=document.reference,
        title=document.title,
        items=await _views(session, found),
    )


@router.get(
    "", response_model=schemas.MonitoringActionPage, dependencies=[allowed(P.MONITORING_READ)]
)
async def list_monitoring_actions(
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
    document_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    status: schemas.MonitoringActionStatus | None = None,
    overdue: bool = False,
) -> schemas.MonitoringActionPage:
    """The organisation's monitoring actions, soonest due first: of a document, of an owner
    (`owner_id`: someone's own list), by `status`, or `overdue=true` (open past their due
    date)."""
    scope = {
        "document_id": str(document_id) if document_id else None,
        "owner_id": str(owner_id) if owner_id else None,
        "status": status,
        "overdue": overdue,
    }
    after = page.after(scope, (date, uuid.UUID))
    found = await service.list_actions(
        session,
        principal,
        document_id=document_id,
        owner_id=owner_id,
        status=MonitoringActionStatus(status) if status else None,
        overdue=overdue,
        after=(after[0], after[1]) if after else None,
        limit=page.fetch,
    )
    rows, next_cursor = page.page(found, scope, lambda a: [a.due_on.isoformat(), str(a.id)])
    return schemas.MonitoringActionPage(items=await _views(session, rows), next_cursor=next_cursor)


@router.get(
    "/{action_id}",
    response_model=schemas.MonitoringAction,
    dependencies=[allowed(P.MONITORING_READ)],
)
async def get_monitoring_action(
    action_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.MonitoringAction:
    return await _out(session, await service.get_action(session, principal, action_id), response)


@router.patch(
    "/{action_id}",
    response_model=schemas.MonitoringAction,
    dependencies=[allowed(P.MONITORING_MANAGE)],
)
async def update_monitoring_action(
    action_id: uuid.UUID,
    body: schemas.MonitoringActionUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.MonitoringAction:
    """Change an open action: title, description, owner or due date (those who set actions).
    A new owner or date emails the owner. Needs `If-Match`."""
    expected = expected_version(if_match)
    change = MonitoringActionChange.of(body.model_dump(exclude_unset=True))
    found = await service.get_action(session, principal, action_id, for_update=True)
    changed = await service.update_action(session, principal, found, change, expected)
    return await _out(session, changed, response)


@router.post(
    "/{action_id}/evidence",
    status_code=201,
    response_model=schemas.MonitoringAction,
    dependencies=[allowed(P.MONITORING_RECORD)],
)
async def add_monitoring_evidence(
    action_id: uuid.UUID,
    body: schemas.EvidenceCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.MonitoringAction:
    """Record a note, and optionally a link, on an open action (its owner, the document's
    author, responsible officer or owner, or the policy team); at most 50 an action."""
    command = NewEvidence.of(body.model_dump(exclude_unset=True))
    found = await service.get_action(session, principal, action_id, for_update=True)
    await work.add_evidence(session, principal, found, command)
    return await _out(session, found, response)


@router.post(
    "/{action_id}/completion",
    response_model=schemas.MonitoringAction,
    dependencies=[allowed(P.MONITORING_RECORD)],
)
async def complete_monitoring_action(
    action_id: uuid.UUID,
    body: schemas.MonitoringActionCompletion,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.MonitoringAction:
    """Say an open action is done, with its outcome (its owner, the document's people or the
    policy team). The document's owner and whoever set it are emailed. 409 once closed."""
    found = await service.get_action(session, principal, action_id, for_update=True)
    done = await work.complete_action(session, principal, found, body.outcome)
    return await _out(session, done, response)


@router.post(
    "/{action_id}/cancellation",
    response_model=schemas.MonitoringAction,
    dependencies=[allowed(P.MONITORING_MANAGE)],
)
async def cancel_monitoring_action(
    action_id: uuid.UUID,
    body: schemas.MonitoringActionCancellation,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.MonitoringAction:
    """Cancel an open action no longer needed, with the reason (the document's author,
    responsible officer or owner, or the policy team). 409 once closed."""
    found = await service.get_action(session, principal, action_id, for_update=True)
    cancelled = await work.cancel_action(session, principal, found, body.reason)
    return await _out(session, cancelled, response)

"""Monitoring actions (Cafcass 7.4, Dorset xi): setting one on a document in force, reading,
listing and changing them.

Cafcass 7.4: "The Policy Author should monitor the rate of policy implementation through OPC
and identify any potential delays or issues." Dorset 1.1: the group will "identify any
practice changes required as a result [...] ensuring our casework recording systems support
any policy and guidance changes". Each such change, check or audit is an action: a title, who
does it, by when, and (services/domain/monitoring/work.py) the evidence and the outcome.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import monitoring as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today
from services.domain.db import new_id
from services.domain.documents.service import get_document
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.models.documents import IN_FORCE, Document
from services.domain.models.monitoring import (
    MonitoringAction,
    MonitoringActionStatus,
    MonitoringEvidence,
)
from services.domain.monitoring import rules
from services.domain.monitoring.commands import MonitoringActionChange, NewMonitoringAction
from services.domain.outbox.service import emit
from services.domain.pagination import after_row
from services.domain.people.service import require_active_person


def _title(title: str) -> str:
    if not title.strip():
        raise Invalid("Give the action a title.", field="title")
    return title.strip()


async def _assigned(session: AsyncSession, principal: Principal, action: MonitoringAction) -> None:
    await emit(
        session,
        events.MonitoringActionAssigned(
            organisation_id=action.organisation_id,
            monitoring_action_id=action.id,
            document_id=action.document_id,
            owner_id=action.owner_id,
            due_on=action.due_on,
            assigned_by_id=principal.person_id,
        ),
    )


async def create_action(
    session: AsyncSession,
    principal: Principal,
    document_id: uuid.UUID,
    command: NewMonitoringAction,
) -> MonitoringAction:
    """Set a monitoring action on a document in force (its issued version is recorded), given
    to an active person of the organisation, due today or later; its owner is emailed."""
    document = await get_document(session, principal, document_id, for_update=True)
    authz.check_manage(principal, document)
    if document.status not in IN_FORCE:
        raise Conflict(
            f"{document.reference} is {document.status}: implementation is monitored once a "
            "document is issued and in force."
        )
    title = _title(command.title)
    rules.check_due_on(command.due_on, london_today())
    await require_active_person(session, document.organisation_id, command.owner_id, "owner_id")
    count = await session.scalar(
        select(func.count()).where(MonitoringAction.document_id == document.id)
    )
    if (count or 0) >= rules.MAX_ACTIONS_PER_DOCUMENT:
        raise Conflict(
            f"{document.reference} already has {rules.MAX_ACTIONS_PER_DOCUMENT} monitoring "
            "actions: close or cancel some, or review the document."
        )
    action = MonitoringAction(
        id=new_id(),
        organisation_id=document.organisation_id,
        document_id=document.id,
        issued_version=document.issued_version,
        title=title,
        description=command.description.strip(),
        owner_id=command.owner_id,
        due_on=command.due_on,
        status=MonitoringActionStatus.OPEN,
        created_by_id=principal.person_id,
    )
    session.add(action)
    await session.flush()
    await audit_changes.record_change(session, principal, action, "monitoring_action.created")
    await _assigned(session, principal, action)
    return action


async def get_action(
    session: AsyncSession,
    principal: Principal,
    action_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> MonitoringAction:
    """A monitoring action of the caller's organisation; any other id is NotFound."""
    authz.check_read(principal)
    query = select(MonitoringAction).where(
        MonitoringAction.id == action_id,
        MonitoringAction.organisation_id == principal.organisation_id,
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise NotFound("No such monitoring action.")
    return found


async def document_of(session: AsyncSession, action: MonitoringAction) -> Document:
    document = await session.get(Document, action.document_id)
    assert document is not None  # the foreign key holds it
    return document


async def evidence_of(
    session: AsyncSession, action_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[MonitoringEvidence]]:
    """Each action's evidence, oldest first, read in one query."""
    found: dict[uuid.UUID, list[MonitoringEvidence]] = {i: [] for i in action_ids}
    if not action_ids:
        return found
    rows = await session.execute(
        select(MonitoringEvidence)
        .where(MonitoringEvidence.action_id.in_(action_ids))
        .order_by(MonitoringEvidence.recorded_at, MonitoringEvidence.id)
    )
    for evidence in rows.scalars():
        found[evidence.action_id].append(evidence)
    return found


async def list_for_document(
    session: AsyncSession, principal: Principal, document_id: uuid.UUID
) -> tuple[Document, list[MonitoringAction]]:
    """A document's monitoring actions, every status, soonest due first (at most
    ``rules.MAX_ACTIONS_PER_DOCUMENT``); 404 for a foreign or missing document."""
    authz.check_read(principal)
    document = await get_document(session, principal, document_id)
    rows = await session.execute(
        select(MonitoringAction)
        .where(
            MonitoringAction.organisation_id == principal.organisation_id,
            MonitoringAction.document_id == document.id,
        )
        .order_by(MonitoringAction.due_on, MonitoringAction.id)
    )
    return document, list(rows.scalars())


def _filtered(
    principal: Principal,
    *,
    document_id: uuid.UUID | None,
    owner_id: uuid.UUID | None,
    status: MonitoringActionStatus | None,
    overdue: bool,
    today: date,
) -> Select[Any]:
    query = select(MonitoringAction).where(
        MonitoringAction.organisation_id == principal.organisation_id
    )
    if document_id is not None:
        query = query.where(MonitoringAction.document_id == document_id)
    if owner_id is not None:
        query = query.where(MonitoringAction.owner_id == owner_id)
    if status is not None:
        query = query.where(MonitoringAction.status == status)
    if overdue:
        query = query.where(
            MonitoringAction.status == MonitoringActionStatus.OPEN,
            MonitoringAction.due_on < today,
        )
    return query


async def list_actions(
    session: AsyncSession,
    principal: Principal,
    *,
    document_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    status: MonitoringActionStatus | None = None,
    overdue: bool = False,
    after: tuple[date, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[MonitoringAction]:
    """The organisation's monitoring actions, soonest due first: of a document, of an owner,
    by status, or only those overdue (open past their due date, Europe/London)."""
    authz.check_read(principal)
    query = _filtered(
        principal,
        document_id=document_id,
        owner_id=owner_id,
        status=status,
        overdue=overdue,
        today=london_today(),
    )
    if after is not None:
        query = query.where(after_row(MonitoringAction.due_on, MonitoringAction.id, after))
    query = query.order_by(MonitoringAction.due_on, MonitoringAction.id).limit(limit)
    return list((await session.execute(query)).scalars())


async def update_action(
    session: AsyncSession,
    principal: Principal,
    action: MonitoringAction,
    change: MonitoringActionChange,
    expected_version: int | None,
) -> MonitoringAction:
    """Change an open action (those who set actions); a new owner or date tells the owner."""
    authz.check_manage(principal, await document_of(session, action))
    if action.status != MonitoringActionStatus.OPEN:
        raise Conflict(f"This monitoring action is {action.status}: only an open one changes.")
    if expected_version is not None and expected_version != action.row_version:
        raise PreconditionFailed("The action changed since you read it: read it again.")
    given = change.given()
    if "title" in given:
        given["title"] = _title(given["title"])
    if "description" in given:
        given["description"] = given["description"].strip()
    if "due_on" in given and given["due_on"] != action.due_on:
        rules.check_due_on(given["due_on"], london_today())
    if "owner_id" in given:
        await require_active_person(session, action.organisation_id, given["owner_id"], "owner_id")
    reassigned = any(
        name in given and given[name] != getattr(action, name) for name in ("owner_id", "due_on")
    )
    before = audit.snapshot(action)
    for name, value in given.items():
        setattr(action, name, value)
    await session.flush()
    await audit_changes.record_change(
        session, principal, action, "monitoring_action.updated", before=before
    )
    if reassigned:
        await _assigned(session, principal, action)
    return action

"""Who is told about monitoring actions, and what their email says (Cafcass 7.4, Dorset xi).

- ``monitoring_action.assigned``: to the action's owner when it is set or given to them (or
  its date moves), unless they did it themselves; void once closed or given to someone else.
- ``monitoring_action.due``: planned by the notifier's sweep (``reminders_due``) at each of
  ``rules.REMINDER_DAYS`` before the due date, once per threshold, to the owner; void once
  the action is closed.
- ``monitoring_action.overdue``: planned by the same sweep once, the first day the action is
  ``rules.ESCALATE_AFTER_DAYS`` late, to the document's owner (Cafcass 7.4: delays "should be
  referred to the Policy Sponsor") and the action's owner; void once closed.
- ``monitoring_action.closed``: done (with its outcome) or cancelled, to the document's owner
  and whoever set the action, but not whoever closed it.

Context keys (besides those every email has): ``monitoring_action_id``,
``monitoring_action_path``, ``action_title``, ``description``, ``due_on`` (ISO date),
``owner_name``, ``issued_version``; the reminder adds ``days_left``; the escalation
``days_overdue``; the close ``status`` (done or cancelled), ``outcome`` and ``closed_by_name``.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.models.documents import Document
from services.domain.models.monitoring import MonitoringAction, MonitoringActionStatus
from services.domain.monitoring import rules
from services.domain.notices.notice import Handler, Notice, Reminder
from services.domain.notices.recipients import active_people, person_name

ASSIGNED = "monitoring_action.assigned"
DUE = "monitoring_action.due"
OVERDUE = "monitoring_action.overdue"
CLOSED = "monitoring_action.closed"


async def still_applies(session: AsyncSession, kind: str, context: dict[str, Any]) -> bool:
    """A request, reminder or escalation is void once the action is closed (and a request
    once the action went to someone else); a close reports what happened and stays true."""
    if kind == CLOSED:
        return True
    found = await session.get(MonitoringAction, uuid.UUID(context["monitoring_action_id"]))
    if found is None or found.status != MonitoringActionStatus.OPEN:
        return False
    return kind != ASSIGNED or str(found.owner_id) == context.get("owner_id")


async def _about(session: AsyncSession, action: MonitoringAction) -> dict[str, Any]:
    return {
        "monitoring_action_id": str(action.id),
        "monitoring_action_path": f"/v1/monitoring-actions/{action.id}",
        "action_title": action.title,
        "description": action.description,
        "due_on": action.due_on.isoformat(),
        "owner_id": str(action.owner_id),
        "owner_name": await person_name(session, action.owner_id),
        "issued_version": action.issued_version or "",
    }


async def _load(
    session: AsyncSession, action_id: uuid.UUID
) -> tuple[MonitoringAction, Document] | None:
    found = await session.get(MonitoringAction, action_id)
    document = await session.get(Document, found.document_id) if found is not None else None
    if found is None or document is None:
        return None
    return found, document


async def _assigned(session: AsyncSession, event: events.MonitoringActionAssigned) -> list[Notice]:
    loaded = await _load(session, event.monitoring_action_id)
    if loaded is None:
        return []
    action, document = loaded
    context = await _about(session, action)
    people = await active_people(
        session, event.organisation_id, [event.owner_id], but=event.assigned_by_id
    )
    return [Notice(ASSIGNED, person, context, document) for person in people]


async def _closed(session: AsyncSession, event: events.MonitoringActionClosed) -> list[Notice]:
    loaded = await _load(session, event.monitoring_action_id)
    if loaded is None:
        return []
    action, document = loaded
    context = {
        **await _about(session, action),
        "status": event.status,
        "outcome": action.outcome,
        "closed_by_name": await person_name(session, event.closed_by_id),
    }
    ids = (document.owner_id, action.created_by_id)
    people = await active_people(session, event.organisation_id, ids, but=event.closed_by_id)
    return [Notice(CLOSED, person, context, document) for person in people]


async def reminders_due(session: AsyncSession, today: date) -> list[Reminder]:
    """The reminders and escalations due ``today``: to the owner of each open action at each
    threshold before its due date, and once to the document's owner and the action's owner
    when it is overdue (each once per due date: the key names it, so an action given a new
    date is reminded, and escalated, again for that date)."""
    horizon = today + timedelta(days=max(rules.REMINDER_DAYS))
    rows = await session.execute(
        select(MonitoringAction, Document)
        .join(Document, Document.id == MonitoringAction.document_id)
        .where(
            MonitoringAction.status == MonitoringActionStatus.OPEN,
            MonitoringAction.due_on <= horizon,
        )
        .order_by(MonitoringAction.due_on, MonitoringAction.id)
    )
    due: list[Reminder] = []
    for action, document in rows.all():
        org = action.organisation_id
        threshold = rules.reminder_due(action.due_on, today)
        if threshold is not None:
            context = {**await _about(session, action), "days_left": (action.due_on - today).days}
            for person in await active_people(session, org, [action.owner_id]):
                key = f"monitoring_action:{action.id}:{action.due_on}:due:{threshold}:{person.id}"
                due.append(Reminder(org, key, Notice(DUE, person, context, document)))
        elif rules.escalation_due(action.due_on, today):
            context = {
                **await _about(session, action),
                "days_overdue": (today - action.due_on).days,
            }
            for person in await active_people(session, org, [document.owner_id, action.owner_id]):
                key = f"monitoring_action:{action.id}:{action.due_on}:overdue:{person.id}"
                due.append(Reminder(org, key, Notice(OVERDUE, person, context, document)))
    return due


# The events whose notices this module decides (notifications/handlers.py).
HANDLERS: dict[type, Handler] = {
    events.MonitoringActionAssigned: _assigned,
    events.MonitoringActionClosed: _closed,
}

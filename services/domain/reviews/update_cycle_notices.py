"""Who is told about Trix update cycles, and what their email says (NCT 3.4 a ii).

- ``update_cycle.opened``: to each active assignee, their items and the submission deadline
  (a cycle of carried-over items says so); and to each document's owner (NCT 6.1: "Responsible
  Strategic Managers will be notified"), the items on their documents and who has them. One
  email each: an owner who is also an assignee reads both lists in it.
- ``update_cycle.item_assigned``: an item given to someone after the cycle opened (the policy
  team matched it to a document, or moved it): to the new assignee and the document's owner,
  one email each; void once the item has gone to someone else.
- ``update_cycle.reminder``: planned by the notifier's sweep (``reminders_due``) at each lead
  time before the deadline, once per threshold, to assignees with items still pending.
- ``update_cycle.closed``: to the policy officers (the admins if there are none), the counts,
  the items carried over to the next cycle and the chapters that matched no document.

Context keys (besides those every email has): ``cycle_id``, ``cycle_name``,
``submission_deadline`` (ISO date), ``is_carried_over``; ``items`` (the recipient's, in plan
order: ``{chapter, reference, title, recommendation}``, reference and title null for an item
matched to no document); the opening adds ``overseen`` (items on documents the recipient
owns, assigned to someone else: the item's keys and ``assignee_name``, null when nobody has
it); the assignment adds ``item`` (the item's keys and ``assignee_name``), ``assignee_id`` and
``is_assignee``; the reminder adds ``days_left`` (0 on the deadline day) and
``reminder_days`` (the threshold reached). The closed report has ``counts`` (per status),
``carried`` (``{chapter, reference, title, assignee_name, recommendation}``),
``next_cycle_id``, ``next_cycle_name`` and ``next_submission_deadline`` (null with nothing
carried), ``unmatched`` (chapters) and ``report_path``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.clock import london_day, london_today
from services.domain.models.documents import Document
from services.domain.models.people import Person
from services.domain.models.reviews import (
    UpdateCycle,
    UpdateCycleItem,
    UpdateCycleItemStatus,
    UpdateCycleStatus,
)
from services.domain.notices.kinds import of_family
from services.domain.notices.notice import Handler, Notice, Reminder
from services.domain.notices.recipients import active_people_by_id
from services.domain.people.policy_team import policy_team
from services.domain.reviews import update_cycle_report, update_cycles

OPENED = "update_cycle.opened"
ASSIGNED = "update_cycle.item_assigned"
REMINDER = "update_cycle.reminder"
CLOSED = "update_cycle.closed"
KINDS = of_family("update_cycle")


async def still_applies(session: AsyncSession, kind: str, context: dict[str, Any]) -> bool:
    """A reminder is void once the cycle is closed or past its deadline, or once the recipient
    has nothing pending in it; an assignment once the item went to someone else or the cycle
    closed. Other notices report what happened and stay true."""
    if kind == ASSIGNED:
        item = await session.get(UpdateCycleItem, uuid.UUID(context["item_id"]))
        return (
            item is not None
            and item.status == UpdateCycleItemStatus.PENDING
            and str(item.assigned_to_id) == context["assignee_id"]
        )
    if kind != REMINDER:
        return True
    cycle = await session.get(UpdateCycle, uuid.UUID(context["cycle_id"]))
    if cycle is None or cycle.status != UpdateCycleStatus.OPEN:
        return False
    if update_cycles.is_past_deadline(cycle, london_today()):
        return False
    pending = await session.execute(
        select(
            exists().where(
                UpdateCycleItem.cycle_id == cycle.id,
                UpdateCycleItem.status == UpdateCycleItemStatus.PENDING,
                UpdateCycleItem.assigned_to_id == uuid.UUID(context["person_id"]),
            )
        )
    )
    return bool(pending.scalar())


# --- loading ---------------------------------------------------------------------------------


async def _documents(
    session: AsyncSession, items: Sequence[UpdateCycleItem]
) -> dict[uuid.UUID, Document]:
    ids = {i.document_id for i in items if i.document_id is not None}
    if not ids:
        return {}
    rows = await session.execute(select(Document).where(Document.id.in_(ids)))
    return {d.id: d for d in rows.scalars()}


def _item(item: UpdateCycleItem, documents: dict[uuid.UUID, Document]) -> dict[str, Any]:
    document = documents.get(item.document_id) if item.document_id else None
    return {
        "chapter": item.chapter,
        "reference": document.reference if document else None,
        "title": document.title if document else None,
        "recommendation": item.recommendation,
    }


def _about(cycle: UpdateCycle) -> dict[str, Any]:
    return {
        "cycle_id": str(cycle.id),
        "cycle_name": cycle.name,
        "submission_deadline": cycle.submission_deadline.isoformat(),
        "is_carried_over": cycle.carried_from_id is not None,
    }


async def _per_assignee(
    session: AsyncSession, cycle: UpdateCycle, items: Sequence[UpdateCycleItem]
) -> list[tuple[Person, list[dict[str, Any]]]]:
    """Each active assignee with their items, in plan order."""
    documents = await _documents(session, items)
    people = await active_people_by_id(
        session, cycle.organisation_id, (i.assigned_to_id for i in items)
    )
    grouped: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for item in items:
        if item.assigned_to_id in people:
            grouped.setdefault(item.assigned_to_id, []).append(_item(item, documents))
    return [(people[pid], rows) for pid, rows in grouped.items()]


# --- opening and reminders -------------------------------------------------------------------


async def _owners(
    session: AsyncSession, cycle: UpdateCycle, items: Sequence[UpdateCycleItem]
) -> dict[uuid.UUID, tuple[Person, list[dict[str, Any]]]]:
    """Each active document owner with the items on their documents that someone else has."""
    documents = await _documents(session, items)
    owner_of = {d.id: d.owner_id for d in documents.values() if d.owner_id is not None}
    people = await active_people_by_id(
        session,
        cycle.organisation_id,
        [*owner_of.values(), *(i.assigned_to_id for i in items)],
    )
    found: dict[uuid.UUID, tuple[Person, list[dict[str, Any]]]] = {}
    for item in items:
        owner_id = owner_of.get(item.document_id) if item.document_id else None
        if owner_id is None or owner_id not in people or owner_id == item.assigned_to_id:
            continue
        assignee = people.get(item.assigned_to_id) if item.assigned_to_id else None
        row = {**_item(item, documents), "assignee_name": assignee.name if assignee else None}
        found.setdefault(owner_id, (people[owner_id], []))[1].append(row)
    return found


async def _opened(session: AsyncSession, event: events.UpdateCycleOpened) -> list[Notice]:
    cycle = await session.get(UpdateCycle, event.cycle_id)
    if cycle is None:
        return []
    items = await update_cycles.list_items(session, cycle, status=UpdateCycleItemStatus.PENDING)
    about = _about(cycle)
    mine = {
        person.id: (person, rows) for person, rows in await _per_assignee(session, cycle, items)
    }
    # NCT 6.1: ROs are instructed to review the amendments; RSMs are notified.
    overseen = await _owners(session, cycle, items)
    notices = []
    for person_id in dict.fromkeys([*mine, *overseen]):
        person = (mine.get(person_id) or overseen[person_id])[0]
        context = {
            **about,
            "person_id": str(person_id),
            "items": mine[person_id][1] if person_id in mine else [],
            "overseen": overseen[person_id][1] if person_id in overseen else [],
        }
        notices.append(Notice(OPENED, person, context))
    return notices


async def _item_assigned(
    session: AsyncSession, event: events.UpdateCycleItemAssigned
) -> list[Notice]:
    cycle = await session.get(UpdateCycle, event.cycle_id)
    item = await session.get(UpdateCycleItem, event.item_id)
    if cycle is None or item is None:
        return []
    # Who this event gave it to (it may have moved on since: that email is then void).
    assignee_id = event.assigned_to_id
    documents = await _documents(session, [item])
    document = documents.get(item.document_id) if item.document_id else None
    owner_id = document.owner_id if document else None
    people = await active_people_by_id(session, cycle.organisation_id, (assignee_id, owner_id))
    assignee = people.get(assignee_id)
    context = {
        **_about(cycle),
        "item_id": str(item.id),
        "item": {**_item(item, documents), "assignee_name": assignee.name if assignee else None},
        "assignee_id": str(assignee_id),
    }
    # One email each: an owner who is given the item reads it as its assignee.
    return [
        Notice(ASSIGNED, people[pid], {**context, "is_assignee": pid == assignee_id})
        for pid in dict.fromkeys((assignee_id, owner_id))
        if pid is not None and pid in people
    ]


async def reminders_due(
    session: AsyncSession,
    today: date,
    reminder_days: Sequence[int] = update_cycles.REMINDER_DAYS,
) -> list[Reminder]:
    """The reminders due ``today``: to each assignee with pending items in an open cycle, for
    the nearest threshold reached since the cycle opened."""
    horizon = today + timedelta(days=max(reminder_days, default=0))
    rows = await session.execute(
        select(UpdateCycle)
        .where(
            UpdateCycle.status == UpdateCycleStatus.OPEN,
            UpdateCycle.submission_deadline >= today,
            UpdateCycle.submission_deadline <= horizon,
        )
        .order_by(UpdateCycle.submission_deadline, UpdateCycle.id)
    )
    due: list[Reminder] = []
    for cycle in rows.scalars().all():
        opened_on = london_day(cycle.created_at)
        threshold = update_cycles.reminder_due(
            cycle.submission_deadline, opened_on, today, reminder_days
        )
        if threshold is None:
            continue
        items = await update_cycles.list_items(session, cycle, status=UpdateCycleItemStatus.PENDING)
        context = {
            **_about(cycle),
            "days_left": (cycle.submission_deadline - today).days,
            "reminder_days": threshold,
        }
        for person, mine in await _per_assignee(session, cycle, items):
            due.append(
                Reminder(
                    cycle.organisation_id,
                    f"update_cycle:{cycle.id}:reminder:{threshold}:{person.id}",
                    Notice(
                        REMINDER, person, {**context, "person_id": str(person.id), "items": mine}
                    ),
                )
            )
    return due


# --- closing ---------------------------------------------------------------------------------


async def _closed(session: AsyncSession, event: events.UpdateCycleClosed) -> list[Notice]:
    cycle = await session.get(UpdateCycle, event.cycle_id)
    if cycle is None:
        return []
    report = await update_cycle_report.cycle_report(session, cycle)
    carried_items = [c.item for c in report.carried]
    documents = await _documents(session, carried_items)
    names = {a.person_id: a.name for a in report.assignees}
    next_id = event.next_cycle_id
    next_cycle = await session.get(UpdateCycle, next_id) if next_id else None
    context = {
        **_about(cycle),
        "counts": report.counts,
        "carried": [
            {**_item(item, documents), "assignee_name": names.get(item.assigned_to_id)}
            for item in carried_items
        ],
        "next_cycle_id": str(next_cycle.id) if next_cycle else None,
        "next_cycle_name": next_cycle.name if next_cycle else None,
        "next_submission_deadline": (
            next_cycle.submission_deadline.isoformat() if next_cycle else None
        ),
        "unmatched": [i.chapter for i in report.unmatched],
        "report_path": f"/v1/update-cycles/{cycle.id}/report",
    }
    return [
        Notice(CLOSED, person, context)
        for person in await policy_team(session, cycle.organisation_id)
    ]


# The events whose notices this module decides (notifications/handlers.py).
HANDLERS: dict[type, Handler] = {
    events.UpdateCycleOpened: _opened,
    events.UpdateCycleItemAssigned: _item_assigned,
    events.UpdateCycleClosed: _closed,
}

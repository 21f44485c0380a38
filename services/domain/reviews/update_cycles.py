"""Trix update cycles (NCT 3.4 a): an Update Plan's recommended amendments, each with the RO of
its chapter, a submission deadline, the RO's outcome, and what was not done carried on.

- NCT 3.4 a iii: about six weeks to review and approve (or reject) the amendments before the
  Trust's response is due to Tri.x; a missed deadline waits for the next scheduled update. So a
  cycle still open after its deadline day is closed by the notifier's sweep (``close_due``):
  its pending items are carried over to the next cycle and reported.
- NCT 3.4 a ii: ROs are told of the amendments to the procedures they are responsible for;
  each item goes to the acting RO of the document its chapter names.

Lock order, everywhere: the cycle, then its items. Closing locks the cycle FOR UPDATE; changing
an item locks its cycle FOR SHARE first, so an item never changes under a close.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import service as audit
from services.domain.authz import reviews as authz
from services.domain.authz.directory import holding
from services.domain.authz.permissions import Permission as P
from services.domain.authz.principal import Principal
from services.domain.clock import london_today, utcnow
from services.domain.db import new_id
from services.domain.documents.service import acting_responsible_officer_id
from services.domain.errors import Conflict, Invalid, NotFound
from services.domain.models.documents import NO_LONGER_IN_FORCE, Document
from services.domain.models.people import Person
from services.domain.models.reviews import (
    UpdateCycle,
    UpdateCycleItem,
    UpdateCycleItemStatus,
    UpdateCycleStatus,
)
from services.domain.outbox.service import emit
from services.domain.pagination import after_position
from services.domain.reviews.update_plan import PlanItem, check_items
from services.domain.sweeps import each_in_savepoint

# NCT 3.4 a iii: a six-week period (approx.) to review and approve or reject the amendments.
SUBMISSION_PERIOD = timedelta(weeks=6)
# As NCT 3.4 b i reminds ROs before a review's deadline: a fortnight and three days before.
REMINDER_DAYS = (14, 3)
OUTCOMES = (
    UpdateCycleItemStatus.ACCEPTED,
    UpdateCycleItemStatus.REJECTED,
    UpdateCycleItemStatus.AMENDED,
)
NAME_MAX = 200
CARRIED_SUFFIX = " (carried over)"
# Documents no longer in force are matched by reference only, never by a shared title.


def default_submission_deadline(opened_on: date) -> date:
    """Six weeks after the London day the Update Plan was opened."""
    return opened_on + SUBMISSION_PERIOD


def is_past_deadline(cycle: UpdateCycle, today: date) -> bool:
    """Whether the deadline day has ended: amendments are due by the end of it."""
    return today > cycle.submission_deadline


def reminder_due(
    deadline: date, opened_on: date, today: date, reminder_days: Sequence[int]
) -> int | None:
    """The reminder (days before the deadline day) an assignee with pending items gets today.

    Only the nearest threshold reached counts, and only one that came after the cycle opened
    (a cycle opened ten days before its deadline gets no fourteen-day reminder, and a sweep
    that missed a day sends one reminder, not two). None after the deadline day.
    """
    if today > deadline:
        return None
    reached = [
        days
        for days in sorted(set(reminder_days))
        if deadline - timedelta(days=days) <= today and opened_on < deadline - timedelta(days=days)
    ]
    return reached[0] if reached else None


# --- reading ---------------------------------------------------------------------------------


async def get_cycle(
    session: AsyncSession, principal: Principal, cycle_id: uuid.UUID, *, for_update: bool = False
) -> UpdateCycle:
    """A cycle of the caller's organisation (anyone there may read it); others' are NotFound."""
    query = select(UpdateCycle).where(
        UpdateCycle.id == cycle_id, UpdateCycle.organisation_id == principal.organisation_id
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    cycle = (await session.execute(query)).scalar_one_or_none()
    if cycle is None:
        raise NotFound("No such update cycle.")
    return cycle


async def get_item(
    session: AsyncSession, principal: Principal, item_id: uuid.UUID, *, for_update: bool = False
) -> UpdateCycleItem:
    """An item of the caller's organisation; for an update, its cycle is locked first."""
    item = (
        await session.execute(
            select(UpdateCycleItem).where(
                UpdateCycleItem.id == item_id,
                UpdateCycleItem.organisation_id == principal.organisation_id,
            )
        )
    ).scalar_one_or_none()
    if item is None:
        raise NotFound("No such update cycle item.")
    if for_update:
        await session.execute(
            select(UpdateCycle.id).where(UpdateCycle.id == item.cycle_id).with_for_update(read=True)
        )
        item = (
            await session.execute(
                select(UpdateCycleItem)
                .where(UpdateCycleItem.id == item_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).scalar_one()
    return item


async def list_cycles(
    session: AsyncSession,
    principal: Principal,
    *,
    status: UpdateCycleStatus | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[UpdateCycle]:
    """The organisation's cycles, oldest first."""
    query = select(UpdateCycle).where(UpdateCycle.organisation_id == principal.organisation_id)
    if status:
        query = query.where(UpdateCycle.status == status)
    query = after_position(query, UpdateCycle.created_at, UpdateCycle.id, after).limit(limit)
    return list((await session.execute(query)).scalars())


async def list_items(
    session: AsyncSession,
    cycle: UpdateCycle,
    *,
    status: UpdateCycleItemStatus | None = None,
    assigned_to_id: uuid.UUID | None = None,
    unassigned: bool = False,
) -> list[UpdateCycleItem]:
    """A cycle's items in the order of the Update Plan."""
    query = select(UpdateCycleItem).where(UpdateCycleItem.cycle_id == cycle.id)
    if status:
        query = query.where(UpdateCycleItem.status == status)
    if assigned_to_id:
        query = query.where(UpdateCycleItem.assigned_to_id == assigned_to_id)
    if unassigned:
        query = query.where(UpdateCycleItem.assigned_to_id.is_(None))
    query = query.order_by(UpdateCycleItem.created_at, UpdateCycleItem.id)
    return list((await session.execute(query)).scalars())


# --- opening ---------------------------------------------------------------------------------


async def match_chapters(
    session: AsyncSession, organisation_id: uuid.UUID, chapters: Sequence[str]
) -> dict[str, Document]:
    """The document each chapter names: by reference (any case), else by exact title.

    A title shared by two documents in force matches neither: the policy team chooses.
    """
    lowered = {c.lower() for c in chapters}
    rows = await session.execute(
        select(Document).where(
            Document.organisation_id == organisation_id,
            or_(func.lower(Document.reference).in_(lowered), Document.title.in_(set(chapters))),
        )
    )
    by_reference: dict[str, Document] = {}
    by_title: dict[str, list[Document]] = {}
    for document in rows.scalars():
        by_reference[document.reference.lower()] = document
        if document.status not in NO_LONGER_IN_FORCE:
            by_title.setdefault(document.title, []).append(document)
    found: dict[str, Document] = {}
    for chapter in chapters:
        if chapter.lower() in by_reference:
            found[chapter] = by_reference[chapter.lower()]
        elif len(by_title.get(chapter, [])) == 1:
            found[chapter] = by_title[chapter][0]
    return found


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise Invalid(f"A cycle's name has 1 to {NAME_MAX} characters.", field="name")
    return name


async def open_cycle(
    session: AsyncSession,
    principal: Principal,
    *,
    name: str,
    items: Sequence[PlanItem],
    submission_deadline: date | None = None,
    today: date | None = None,
) -> UpdateCycle:
    """Open a cycle from an Update Plan: each item to the acting RO of its chapter's document;
    items whose chapter matches nothing stay unassigned for the policy team."""
    authz.check_manage_cycles(principal)
    today = today or london_today()
    deadline = submission_deadline or default_submission_deadline(today)
    if deadline < today:
        raise Invalid("The submission deadline has passed.", field="submission_deadline")
    plan = check_items(items)
    cycle = UpdateCycle(
        id=new_id(),
        organisation_id=principal.organisation_id,
        name=_check_name(name),
        status=UpdateCycleStatus.OPEN,
        submission_deadline=deadline,
        created_by_id=principal.person_id,
    )
    session.add(cycle)
    await session.flush()
    matched = await match_chapters(session, cycle.organisation_id, [i.chapter for i in plan])
    for entry in plan:
        document = matched.get(entry.chapter)
        _add_item(
            session,
            cycle,
            chapter=entry.chapter,
            recommendation=entry.recommendation,
            document_id=document.id if document else None,
            assigned_to_id=acting_responsible_officer_id(document) if document else None,
        )
    await session.flush()
    await _opened(session, principal, cycle, items=len(plan), unassigned=len(plan) - len(matched))
    return cycle


def _add_item(
    session: AsyncSession,
    cycle: UpdateCycle,
    *,
    chapter: str,
    recommendation: str,
    document_id: uuid.UUID | None,
    assigned_to_id: uuid.UUID | None,
    carried_from_item_id: uuid.UUID | None = None,
) -> UpdateCycleItem:
    item = UpdateCycleItem(
        id=new_id(),
        organisation_id=cycle.organisation_id,
        cycle_id=cycle.id,
        chapter=chapter,
        recommendation=recommendation,
        document_id=document_id,
        assigned_to_id=assigned_to_id,
        status=UpdateCycleItemStatus.PENDING,
        carried_from_item_id=carried_from_item_id,
    )
    session.add(item)
    return item


async def _opened(
    session: AsyncSession,
    principal: Principal | None,
    cycle: UpdateCycle,
    *,
    items: int,
    unassigned: int,
) -> None:
    await audit.record(
        session,
        principal,
        organisation_id=cycle.organisation_id,
        action="update_cycle.opened",
        entity_type="update_cycle",
        entity_id=cycle.id,
        after={**audit.snapshot(cycle), "items": items, "unassigned": unassigned},
    )
    await emit(
        session,
        events.UpdateCycleOpened(
            organisation_id=cycle.organisation_id,
            cycle_id=cycle.id,
            submission_deadline=cycle.submission_deadline,
        ),
    )


async def update_cycle(
    session: AsyncSession, principal: Principal, cycle: UpdateCycle, fields: Mapping[str, Any]
) -> UpdateCycle:
    """Rename an open cycle or move its deadline (Tri.x agreed another date, say)."""
    authz.check_manage_cycles(principal)
    if cycle.status != UpdateCycleStatus.OPEN:
        raise Conflict("This cycle is closed.")
    before = audit.snapshot(cycle)
    if fields.get("name") is not None:
        cycle.name = _check_name(fields["name"])
    if fields.get("submission_deadline") is not None:
        if fields["submission_deadline"] < london_today():
            raise Invalid("The submission deadline has passed.", field="submission_deadline")
        cycle.submission_deadline = fields["submission_deadline"]
    await session.flush()
    await audit.record(
        session,
        principal,
        organisation_id=cycle.organisation_id,
        action="update_cycle.updated",
        entity_type="update_cycle",
        entity_id=cycle.id,
        before=before,
        after=audit.snapshot(cycle),
    )
    return cycle


# --- items -----------------------------------------------------------------------------------


async def _active_person(
    session: AsyncSession, organisation_id: uuid.UUID, person_id: uuid.UUID
) -> Person:
    person = await session.get(Person, person_id)
    if person is None or person.organisation_id != organisation_id or not person.is_active:
        raise Invalid("No active person of this organisation has that id.", field="assigned_to_id")
    if not await holding(session, [person.id], P.REVIEWS_RUN):
        raise Invalid(
            f"{person.name} holds no role that lets them record the outcome of an item "
            "(author, approver or the policy team's).",
            field="assigned_to_id",
        )
    return person


async def update_item(
    session: AsyncSession,
    principal: Principal,
    item: UpdateCycleItem,
    fields: Mapping[str, Any],
) -> UpdateCycleItem:
    """Record the outcome (the assignee or the policy team), or match the item to another
    document and assignee (the policy team). Changing a document without naming an assignee
    assigns its acting RO."""
    cycle = await session.get(UpdateCycle, item.cycle_id)
    assert cycle is not None
    if "document_id" in fields or "assigned_to_id" in fields:
        authz.check_manage_cycles(principal)
    if "status" in fields or "outcome_note" in fields:
        authz.check_record_outcome(principal, item)
    if cycle.status != UpdateCycleStatus.OPEN or item.status == UpdateCycleItemStatus.CARRIED_OVER:
        raise Conflict("This item's cycle is closed: change it in the cycle it was carried to.")
    before = audit.snapshot(item)
    if "document_id" in fields:
        document = None
        if fields["document_id"] is not None:
            document = await session.get(Document, fields["document_id"])
            if document is None or document.organisation_id != item.organisation_id:
                raise Invalid("No document of this organisation has that id.", field="document_id")
        item.document_id = document.id if document else None
        if "assigned_to_id" not in fields:
            item.assigned_to_id = acting_responsible_officer_id(document) if document else None
    if "assigned_to_id" in fields:
        person_id = fields["assigned_to_id"]
        if person_id is not None:
            await _active_person(session, item.organisation_id, person_id)
        item.assigned_to_id = person_id
    if fields.get("status") is not None:
        if fields["status"] not in OUTCOMES:
            raise Invalid(f"An outcome is one of: {', '.join(OUTCOMES)}.", field="status")
        item.status = fields["status"]
        item.decided_by_id = principal.person_id
        item.decided_at = utcnow()
    if fields.get("outcome_note") is not None:
        item.outcome_note = fields["outcome_note"]
    await session.flush()
    await audit.record(
        session,
        principal,
        organisation_id=item.organisation_id,
        action="update_cycle_item.updated",
        entity_type="update_cycle_item",
        entity_id=item.id,
        before=before,
        after=audit.snapshot(item),
    )
    previous = uuid.UUID(before["assigned_to_id"]) if before.get("assigned_to_id") else None
    if item.assigned_to_id is not None and item.assigned_to_id != previous:
        # NCT 6.1: the RO is given the amendment to review and the RSM is notified.
        await emit(
            session,
            events.UpdateCycleItemAssigned(
                organisation_id=item.organisation_id,
                cycle_id=cycle.id,
                item_id=item.id,
                document_id=item.document_id,
                assigned_to_id=item.assigned_to_id,
                previous_assigned_to_id=previous,
            ),
        )
    return item


# --- closing ---------------------------------------------------------------------------------


async def close_cycle(
    session: AsyncSession,
    principal: Principal,
    cycle: UpdateCycle,
    *,
    next_cycle_id: uuid.UUID | None = None,
    today: date | None = None,
) -> UpdateCycle:
    """Close a cycle (locked by the caller): pending items are carried over to ``next_cycle_id``
    (an open cycle) or to a new cycle with a six-week deadline. Answers the closed cycle."""
    authz.check_manage_cycles(principal)
    if cycle.status != UpdateCycleStatus.OPEN:
        raise Conflict("This cycle is already closed.")
    target = None
    if next_cycle_id is not None:
        if next_cycle_id == cycle.id:
            raise Invalid("A cycle cannot carry items into itself.", field="next_cycle_id")
        target = await get_cycle(session, principal, next_cycle_id, for_update=True)
        if target.status != UpdateCycleStatus.OPEN:
            raise Conflict("The cycle to carry items into is closed.")
    await _close(session, principal, cycle, target, today or london_today())
    return cycle


async def _close(
    session: AsyncSession,
    principal: Principal | None,
    cycle: UpdateCycle,
    target: UpdateCycle | None,
    today: date,
) -> None:
    before = audit.snapshot(cycle)
    pending = list(
        (
            await session.execute(
                select(UpdateCycleItem)
                .where(
                    UpdateCycleItem.cycle_id == cycle.id,
                    UpdateCycleItem.status == UpdateCycleItemStatus.PENDING,
                )
                .order_by(UpdateCycleItem.created_at, UpdateCycleItem.id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).scalars()
    )
    created = None
    if pending and target is None:
        name = cycle.name[: NAME_MAX - len(CARRIED_SUFFIX)] + CARRIED_SUFFIX
        created = target = UpdateCycle(
            id=new_id(),
            organisation_id=cycle.organisation_id,
            name=name,
            status=UpdateCycleStatus.OPEN,
            submission_deadline=default_submission_deadline(today),
            carried_from_id=cycle.id,
            created_by_id=principal.person_id if principal else None,
        )
        session.add(target)
        await session.flush()
    for item in pending:
        item.status = UpdateCycleItemStatus.CARRIED_OVER
        assert target is not None
        _add_item(
            session,
            target,
            chapter=item.chapter,
            recommendation=item.recommendation,
            document_id=item.document_id,
            assigned_to_id=item.assigned_to_id,
            carried_from_item_id=item.id,
        )
    cycle.status = UpdateCycleStatus.CLOSED
    cycle.closed_at = utcnow()
    await session.flush()
    await audit.record(
        session,
        principal,
        organisation_id=cycle.organisation_id,
        action="update_cycle.closed",
        entity_type="update_cycle",
        entity_id=cycle.id,
        before=before,
        after={
            **audit.snapshot(cycle),
            "carried_over_item_ids": [str(i.id) for i in pending],
            "next_cycle_id": str(target.id) if target and pending else None,
        },
    )
    if created is not None:
        await _opened(session, principal, created, items=len(pending), unassigned=0)
    await emit(
        session,
        events.UpdateCycleClosed(
            organisation_id=cycle.organisation_id,
            cycle_id=cycle.id,
            carried_over=len(pending),
            next_cycle_id=target.id if target and pending else None,
        ),
    )


async def close_due(session: AsyncSession, today: date | None = None) -> int:
    """Close the open cycles whose deadline day has ended (each once, on any worker)."""
    today = today or london_today()
    due = (
        await session.execute(
            select(UpdateCycle)
            .where(
                UpdateCycle.status == UpdateCycleStatus.OPEN,
                UpdateCycle.submission_deadline < today,
            )
            .order_by(UpdateCycle.submission_deadline, UpdateCycle.id)
            .with_for_update(skip_locked=True)
        )
    ).scalars()

    async def close_one(cycle: UpdateCycle) -> None:
        await _close(session, None, cycle, None, today)

    return len(await each_in_savepoint(session, due, close_one, what="update cycle to close"))


# --- the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssigneeCounts:
    person_id: uuid.UUID | None
    name: str | None
    counts: dict[str, int]


@dataclass(frozen=True)
class CarriedItem:
    item: UpdateCycleItem
    next_item_id: uuid.UUID | None
    next_cycle_id: uuid.UUID | None


@dataclass(frozen=True)
class CycleReport:
    cycle: UpdateCycle
    counts: dict[str, int]
    assignees: list[AssigneeCounts]
    carried: list[CarriedItem]
    unmatched: list[UpdateCycleItem]


def _counts(items: Sequence[UpdateCycleItem]) -> dict[str, int]:
    found = Counter(i.status for i in items)
    return {status.value: found.get(status, 0) for status in UpdateCycleItemStatus}


async def cycle_report(session: AsyncSession, cycle: UpdateCycle) -> CycleReport:
    """Counts per status and per assignee, the items carried over and where they went, and
    the items whose chapter matched no document."""
    items = await list_items(session, cycle)
    by_person: dict[uuid.UUID | None, list[UpdateCycleItem]] = {}
    for item in items:
        by_person.setdefault(item.assigned_to_id, []).append(item)
    ids = [i for i in by_person if i is not None]
    names = {
        p.id: p.name
        for p in (await session.execute(select(Person).where(Person.id.in_(ids)))).scalars()
    }
    assignees = sorted(
        (
            AssigneeCounts(pid, names.get(pid) if pid else None, _counts(rows))
            for pid, rows in by_person.items()
        ),
        key=lambda a: (a.name is None, a.name or ""),
    )
    carried_items = [i for i in items if i.status == UpdateCycleItemStatus.CARRIED_OVER]
    successors = {
        row.carried_from_item_id: row
        for row in (
            await session.execute(
                select(UpdateCycleItem).where(
                    UpdateCycleItem.carried_from_item_id.in_([i.id for i in carried_items])
                )
            )
        ).scalars()
    }
    carried = [
        CarriedItem(
            item,
            successors[item.id].id if item.id in successors else None,
            successors[item.id].cycle_id if item.id in successors else None,
        )
        for item in carried_items
    ]
    unmatched = [i for i in items if i.document_id is None]
    return CycleReport(cycle, _counts(items), assignees, carried, unmatched)

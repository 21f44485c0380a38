"""Trix update cycles (NCT 3.4 a): an Update Plan's recommended amendments, each with the RO of
its chapter, a submission deadline, the RO's outcome, and what was not done carried on.

- NCT 3.4 a iii: about six weeks to review and approve (or reject) the amendments before the
  Trust's response is due to Tri.x; a missed deadline waits for the next scheduled update. So a
  cycle still open after its deadline day is closed by the notifier's sweep
  (``update_cycle_closing.close_due``): its pending items are carried over to the next cycle
  and reported.
- NCT 3.4 a ii: ROs are told of the amendments to the procedures they are responsible for;
  each item goes to the acting RO of the document its chapter names.

Lock order, everywhere: the cycle, then its items. Closing locks the cycle FOR UPDATE; changing
an item locks its cycle FOR SHARE first, so an item never changes under a close.

Here: the deadline and reminder rules, reading, opening a cycle and changing it. An item's
outcome and assignee: update_cycle_items.py; closing: update_cycle_closing.py; the report:
update_cycle_report.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import reviews as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today
from services.domain.commands import UNSET
from services.domain.db import new_id
from services.domain.documents.service import acting_responsible_officer_id
from services.domain.errors import Conflict, Invalid, NotFound
from services.domain.models.documents import NO_LONGER_IN_FORCE, Document
from services.domain.models.reviews import (
    UpdateCycle,
    UpdateCycleItem,
    UpdateCycleItemStatus,
    UpdateCycleStatus,
)
from services.domain.outbox.service import emit
from services.domain.pagination import after_position
from services.domain.reviews.commands import CycleChange
from services.domain.reviews.update_plan import PlanItem, check_items

# NCT 3.4 a iii: a six-week period (approx.) to review and approve or reject the amendments.
SUBMISSION_PERIOD = timedelta(weeks=6)
# As NCT 3.4 b i reminds ROs before a review's deadline: a fortnight and three days before.
REMINDER_DAYS = (14, 3)
NAME_MAX = 200
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
        add_item(
            session,
            cycle,
            chapter=entry.chapter,
            recommendation=entry.recommendation,
            document_id=document.id if document else None,
            assigned_to_id=acting_responsible_officer_id(document) if document else None,
        )
    await session.flush()
    await record_opened(
        session, principal, cycle, items=len(plan), unassigned=len(plan) - len(matched)
    )
    return cycle


def add_item(
    session: AsyncSession,
    cycle: UpdateCycle,
    *,
    chapter: str,
    recommendation: str,
    document_id: uuid.UUID | None,
    assigned_to_id: uuid.UUID | None,
    carried_from_item_id: uuid.UUID | None = None,
) -> UpdateCycleItem:
    """Add a pending item to ``cycle`` (flushed by the caller)."""
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


async def record_opened(
    session: AsyncSession,
    principal: Principal | None,
    cycle: UpdateCycle,
    *,
    items: int,
    unassigned: int,
) -> None:
    """The audit record and the event of a cycle just opened, with how many items it has and
    how many of them nobody is assigned."""
    await audit_changes.record_change(
        session,
        principal,
        cycle,
        "update_cycle.opened",
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
    session: AsyncSession, principal: Principal, cycle: UpdateCycle, change: CycleChange
) -> UpdateCycle:
    """Rename an open cycle or move its deadline (Tri.x agreed another date, say)."""
    authz.check_manage_cycles(principal)
    if cycle.status != UpdateCycleStatus.OPEN:
        raise Conflict("This cycle is closed.")
    before = audit.snapshot(cycle)
    if change.name is not UNSET and change.name is not None:
        cycle.name = _check_name(change.name)
    deadline = change.submission_deadline
    if deadline is not UNSET and deadline is not None:
        if deadline < london_today():
            raise Invalid("The submission deadline has passed.", field="submission_deadline")
        cycle.submission_deadline = deadline
    await session.flush()
    await audit_changes.record_change(
        session, principal, cycle, "update_cycle.updated", before=before
    )
    return cycle

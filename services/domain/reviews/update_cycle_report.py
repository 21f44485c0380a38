"""The report of a Trix update cycle: its items per status and per assignee, the items carried
over (and where to), and those whose chapter matched no document. Read over HTTP at any time,
and sent to the policy officers when the cycle closes (update_cycle_notices.py).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.models.people import Person
from services.domain.models.reviews import UpdateCycle, UpdateCycleItem, UpdateCycleItemStatus
from services.domain.reviews.update_cycles import list_items


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

"""Closing a Trix update cycle (NCT 3.4 a iii): by the policy team, or by the notifier's sweep
once its deadline day has ended (``close_due``). Its pending items are carried over to the
next cycle (one named, or a new one with a six-week deadline) and the policy officers get the
report.

Closing locks the cycle FOR UPDATE, then its pending items (the cycle, then its items).
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import reviews as authz
from services.domain.authz.principal import Principal
from services.domain.clock import london_today, utcnow
from services.domain.db import new_id
from services.domain.errors import Conflict, Invalid
from services.domain.models.reviews import (
    UpdateCycle,
    UpdateCycleItem,
    UpdateCycleItemStatus,
    UpdateCycleStatus,
)
from services.domain.outbox.service import emit
from services.domain.reviews.update_cycles import (
    NAME_MAX,
    add_item,
    default_submission_deadline,
    get_cycle,
    record_opened,
)
from services.domain.sweeps import each_in_savepoint

CARRIED_SUFFIX = " (carried over)"


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


async def _pending_items(session: AsyncSession, cycle: UpdateCycle) -> list[UpdateCycleItem]:
    """The cycle's pending items in plan order, locked (after the cycle)."""
    return list(
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


async def _carried_over_cycle(
    session: AsyncSession, principal: Principal | None, cycle: UpdateCycle, today: date
) -> UpdateCycle:
    """A new cycle for the items ``cycle`` carries over: "<name> (carried over)", with a
    six-week deadline from ``today``."""
    name = cycle.name[: NAME_MAX - len(CARRIED_SUFFIX)] + CARRIED_SUFFIX
    created = UpdateCycle(
        id=new_id(),
        organisation_id=cycle.organisation_id,
        name=name,
        status=UpdateCycleStatus.OPEN,
        submission_deadline=default_submission_deadline(today),
        carried_from_id=cycle.id,
        created_by_id=principal.person_id if principal else None,
    )
    session.add(created)
    await session.flush()
    return created


async def _close(
    session: AsyncSession,
    principal: Principal | None,
    cycle: UpdateCycle,
    target: UpdateCycle | None,
    today: date,
) -> None:
    before = audit.snapshot(cycle)
    pending = await _pending_items(session, cycle)
    created = None
    if pending and target is None:
        created = target = await _carried_over_cycle(session, principal, cycle, today)
    for item in pending:
        item.status = UpdateCycleItemStatus.CARRIED_OVER
        assert target is not None
        add_item(
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
    await audit_changes.record_change(
        session,
        principal,
        cycle,
        "update_cycle.closed",
        before=before,
        after={
            **audit.snapshot(cycle),
            "carried_over_item_ids": [str(i.id) for i in pending],
            "next_cycle_id": str(target.id) if target and pending else None,
        },
    )
    if created is not None:
        await record_opened(session, principal, created, items=len(pending), unassigned=0)
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

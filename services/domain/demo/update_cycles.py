"""The demo's Trix update cycle (NCT 3.4 a): an Update Plan opened some weeks ago, its items
decided by their ROs through the domain's own rules, one of them amended and issued since, so
the cycle's amendment pack (GET /v1/update-cycles/{id}/amendment-pack) has a redline to show."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.clock import LONDON, london_today
from services.domain.models.reviews import UpdateCycle
from services.domain.reviews import update_cycle_items, update_cycles
from services.domain.reviews.commands import ItemChange
from services.domain.reviews.update_plan import PlanItem


def _as(organisation_id: uuid.UUID, person_id: uuid.UUID) -> Principal:
    return Principal.system(organisation_id, "seed-demo", person_id=person_id)


async def seed_update_cycles(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    listed: list[dict[str, Any]],
    by_email: dict[str, Any],
) -> int:
    """Each update cycle of the data file not yet there (by name), opened ``opened_in_days``
    from today with the default six-week deadline, and its items' outcomes recorded by the
    people named; how many were created."""
    created = 0
    for spec in listed:
        exists = await session.execute(
            select(UpdateCycle.id).where(
                UpdateCycle.organisation_id == organisation_id, UpdateCycle.name == spec["name"]
            )
        )
        if exists.first() is not None:
            continue
        opened_on = london_today() + timedelta(days=spec["opened_in_days"])
        cycle = await update_cycles.open_cycle(
            session,
            _as(organisation_id, by_email[spec["opened_by_email"]]),
            name=spec["name"],
            items=[PlanItem(i["chapter"], i["recommendation"]) for i in spec["items"]],
            today=opened_on,
        )
        # The Update Plan arrived that morning: the pack's window starts on that London day.
        cycle.created_at = datetime.combine(opened_on, time(9, 30), LONDON)
        items = await update_cycles.list_items(session, cycle)
        for item, wanted in zip(items, spec["items"], strict=True):
            change = ItemChange.of(
                {"status": wanted["status"], "outcome_note": wanted.get("outcome_note", "")}
            )
            decider = _as(organisation_id, by_email[wanted["decided_by_email"]])
            await update_cycle_items.update_item(session, decider, item, change)
        created += 1
    return created

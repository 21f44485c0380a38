"""A document's communication plans on its timeline (LBBD 10, Cafcass 7.1): each item as it
was planned, and when it went."""

from __future__ import annotations

import uuid

from services.domain.launch.notices import channel_words
from services.domain.timeline.builder import Builder, day, quote


def communication_plan_entries(b: Builder) -> None:
    for item in b.rows.communication_plan_items:
        refs: dict[str, uuid.UUID | None] = {
            "communication_plan_item_id": item.id,
            "version_id": item.version_id,
        }
        how = channel_words(item)
        b.add(
            item.created_at,
            "communication_plan.item_added",
            f"Planned for {day(item.planned_on)}: tell {quote(item.audience, 120)} by {how}",
            item.id,
            actor_id=item.created_by_id,
            refs=refs,
            details={
                "audience": item.audience,
                "channel": str(item.channel),
                "channel_name": item.channel_name,
                "planned_on": item.planned_on.isoformat(),
                "owner": b.name(item.owner_id),
            },
        )
        if item.sent_at is not None and item.sent_on is not None:
            note = f": {quote(item.sent_note)}" if item.sent_note.strip() else ""
            b.add(
                item.sent_at,
                "communication_plan.item_sent",
                f"{quote(item.audience, 120)} told by {how} on {day(item.sent_on)}{note}",
                item.id,
                actor_id=item.sent_by_id,
                refs=refs,
                details={"sent_on": item.sent_on.isoformat(), "note": item.sent_note},
            )

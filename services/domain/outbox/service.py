"""Writing events to the outbox, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import correlation
from services.domain.clock import utcnow
from services.domain.db import new_id
from services.domain.events import Event
from services.domain.models.outbox import OutboxEvent

# The notifier LISTENs on this channel; NOTIFY is delivered only if the transaction commits.
NOTIFY_CHANNEL = "outbox_events"


async def emit(session: AsyncSession, event: Event) -> None:
    """Store ``event`` for the notifier; it is relayed only once the transaction commits."""
    await emit_many(session, [event])


async def emit_many(session: AsyncSession, events: Sequence[Event]) -> None:
    """Store ``events`` in their order, in one INSERT and with one notice to the notifier (a
    tracker import emits tens of thousands)."""
    if not events:
        return
    now = utcnow()
    # The request (and trace) that caused them, for the notifier to carry on to the inbox.
    request_id, traceparent = correlation.current_request_id(), correlation.traceparent()
    rows = [
        {
            "id": new_id(),
            "organisation_id": event.organisation_id,
            "type": event.type,
            "payload": event.model_dump(mode="json"),
            # A microsecond apart: the relay reads in created_at order, so these keep theirs.
            "created_at": now + timedelta(microseconds=n),
            "request_id": request_id,
            "traceparent": traceparent,
        }
        for n, event in enumerate(events)
    ]
    # Rows, not objects: an event is never read back in the transaction that writes it.
    await session.execute(insert(OutboxEvent), rows)
    await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})

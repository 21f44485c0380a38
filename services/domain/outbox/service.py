"""Writing events to the outbox, inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.events import Event
from services.domain.outbox.models import OutboxEvent

# The notifier LISTENs on this channel; NOTIFY is delivered only if the transaction commits.
NOTIFY_CHANNEL = "outbox_events"


async def emit(session: AsyncSession, event: Event) -> OutboxEvent:
    """Store ``event`` for the notifier; it is relayed only once the transaction commits."""
    row = OutboxEvent(
        organisation_id=event.organisation_id,
        type=event.type,
        payload=event.model_dump(mode="json"),
    )
    session.add(row)
    await session.flush()
    await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL})
    return row

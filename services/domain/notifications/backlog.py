"""What is waiting to go out, read in one statement: the outbox events not yet relayed, and the
notifications and webhook deliveries not yet sent, with how long the oldest of each has waited.
The notifier's metrics (services/notifier/metrics.py) show it; every part is served by one of
the tables' partial indexes (unpublished events, pending and sending rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.models.notifications import Notification
from services.domain.models.outbox import OutboxEvent
from services.domain.models.webhooks import WebhookDelivery
from services.domain.notifications.sending import STATUS_OF, Row


@dataclass(frozen=True)
class Waiting:
    """Rows of one kind waiting, and how long the oldest has waited (0.0 when none has)."""

    count: int
    oldest_seconds: float


@dataclass(frozen=True)
class Backlog:
    outbox: Waiting
    notifications: Waiting
    deliveries: Waiting


def _age(now: datetime, since: datetime | None) -> float:
    return max((now - since).total_seconds(), 0.0) if since is not None else 0.0


def _unsent(model: type[Row]) -> tuple[ScalarSelect[int], ScalarSelect[datetime]]:
    """How many rows are pending or being sent, and since when the longest-due one has been
    due: its creation, or the retry time a failure gave it (a retry planned for later is not
    late, so it does not count until then)."""
    status = STATUS_OF[model]
    unsent = model.status.in_((status.PENDING, status.SENDING))
    count = select(func.count()).where(unsent).scalar_subquery()
    oldest = (
        select(func.min(model.next_attempt_at))
        .where(unsent, model.next_attempt_at <= func.now())
        .scalar_subquery()
    )
    return count, oldest


async def backlog(session: AsyncSession) -> Backlog:
    """The backlog now, as PostgreSQL's clock tells it (the ages need no clock of ours)."""
    unpublished = OutboxEvent.published_at.is_(None)
    notifications = _unsent(Notification)
    deliveries = _unsent(WebhookDelivery)
    row = (
        await session.execute(
            select(
                func.now(),
                select(func.count()).where(unpublished).scalar_subquery(),
                select(func.min(OutboxEvent.created_at)).where(unpublished).scalar_subquery(),
                *notifications,
                *deliveries,
            )
        )
    ).one()
    now = row[0]
    return Backlog(
        outbox=Waiting(row[1], _age(now, row[2])),
        notifications=Waiting(row[3], _age(now, row[4])),
        deliveries=Waiting(row[5], _age(now, row[6])),
    )

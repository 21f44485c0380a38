"""Which rows have outlived their use, and deleting them a batch at a time.

Each rule names rows that nothing reads any more: an outbox event once published (the relay
reads only unpublished ones), a webhook delivery once delivered or failed, an email about no
document once sent, failed or cancelled, and an idempotency record once past its lifetime (a
repeat of its key would start afresh anyway). Emails about a document are its paper trail and
are never pruned; nor is the audit log, which no rule names.

``prune_batch`` deletes at most ``limit`` rows in the caller's transaction, skipping rows that
another transaction holds, so two workers pruning at once share the work and a row being
claimed, sent or replayed is left for the next run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.models.idempotency import IdempotencyRecord
from services.domain.models.notifications import Notification, NotificationStatus
from services.domain.models.outbox import OutboxEvent
from services.domain.models.webhooks import DeliveryStatus, WebhookDelivery
from services.domain.settings import Settings

FINISHED_EMAILS = (
    NotificationStatus.SENT,
    NotificationStatus.FAILED,
    NotificationStatus.CANCELLED,
)
FINISHED_DELIVERIES = (
    DeliveryStatus.DELIVERED,
    DeliveryStatus.FAILED,
    DeliveryStatus.CANCELLED,
)


@dataclass(frozen=True)
class Expired:
    """The rows of one table that may go: ``where`` them, identified by ``key``."""

    name: str
    model: type[Any]
    key: tuple[Any, ...]
    where: ColumnElement[bool]


def expired(settings: Settings, now: datetime) -> list[Expired]:
    """What has outlived its use at ``now``, table by table."""

    def finished(model: Any, days: int, finished: ColumnElement[bool]) -> Expired:
        old = model.created_at < now - timedelta(days=days)
        return Expired(model.__tablename__, model, (model.id,), finished & old)

    record = IdempotencyRecord
    return [
        Expired(
            record.__tablename__,
            record,
            (record.organisation_id, record.caller_id, record.key),
            record.created_at < now - timedelta(hours=settings.idempotency_ttl_hours),
        ),
        finished(
            OutboxEvent, settings.retention_outbox_days, OutboxEvent.published_at.is_not(None)
        ),
        finished(
            Notification,
            settings.retention_notification_days,
            Notification.status.in_(FINISHED_EMAILS) & Notification.document_id.is_(None),
        ),
        finished(
            WebhookDelivery,
            settings.retention_delivery_days,
            WebhookDelivery.status.in_(FINISHED_DELIVERIES),
        ),
    ]


async def prune_batch(session: AsyncSession, rows: Expired, limit: int) -> int:
    """Delete up to ``limit`` of ``rows`` that no other transaction holds; how many went."""
    chosen = select(*rows.key).where(rows.where).limit(limit).with_for_update(skip_locked=True)
    result = await session.execute(
        delete(rows.model)
        .where(tuple_(*rows.key).in_(chosen))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

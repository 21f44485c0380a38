from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.domain.clock import utcnow
from services.domain.correlation import REQUEST_ID_MAX, TRACEPARENT_MAX
from services.domain.db import Base, IdMixin, Status, TimestampMixin, values_of


# cancelled: replayed while still pending; the replay (``superseded_by``) sends it instead.
class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


DELIVERY_STATES = values_of(DeliveryStatus)


class WebhookSubscription(IdMixin, TimestampMixin, Base):
    """A receiver of an organisation's events (Standard Webhooks)."""

    __tablename__ = "webhook_subscriptions"

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # Empty means every event type.
    event_types: Mapped[list[str]] = mapped_column(
        ARRAY(String(80)), default=list, server_default=text("'{}'::varchar[]")
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    # whsec_... ; the previous secret keeps signing until it expires, so receivers can rotate.
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[datetime | None]
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class WebhookDelivery(IdMixin, Base):
    """One event for one subscription; its id is the ``webhook-id`` on every attempt."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        CheckConstraint(f"status IN {DELIVERY_STATES!r}", name="status"),
        Index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            postgresql_where=text("status IN ('pending', 'sending')"),
        ),
        Index("ix_webhook_deliveries_subscription", "subscription_id", "created_at"),
        # For the retention prune: finished deliveries by age.
        Index(
            "ix_webhook_deliveries_finished",
            "created_at",
            postgresql_where=text("status IN ('delivered', 'failed', 'cancelled')"),
        ),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    # The outbox event delivered; None for a test ping or a replay.
    event_id: Mapped[uuid.UUID | None]
    event_type: Mapped[str] = mapped_column(String(80))
    # The exact body {type, timestamp, data}, fixed at creation so every attempt is identical.
    body: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[DeliveryStatus] = mapped_column(
        Status(DeliveryStatus, 20), default=DeliveryStatus.PENDING, server_default="pending"
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=text("now()"))
    delivered_at: Mapped[datetime | None]
    # The replay that took over from this delivery before it was delivered (it was cancelled).
    superseded_by: Mapped[uuid.UUID | None]
    # The request that caused it (X-Request-ID) and its trace context, from the outbox event;
    # None for a sweep's reminders and rows older than the columns.
    request_id: Mapped[str | None] = mapped_column(String(REQUEST_ID_MAX))
    traceparent: Mapped[str | None] = mapped_column(String(TRACEPARENT_MAX))

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.id.hex}"

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.domain.clock import utcnow
from services.domain.correlation import REQUEST_ID_MAX, TRACEPARENT_MAX
from services.domain.db import Base, IdMixin


class OutboxEvent(IdMixin, Base):
    """A domain event, written in the same transaction as the change it describes.

    The notifier relays unpublished rows to its queue and stamps ``published_at``.
    """

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index(
            "ix_outbox_events_unpublished",
            "created_at",
            postgresql_where=text("published_at IS NULL"),
        ),
        Index("ix_outbox_events_organisation_id", "organisation_id", "created_at"),
        # For the retention prune (services/domain/retention): published events by age.
        Index(
            "ix_outbox_events_published",
            "created_at",
            postgresql_where=text("published_at IS NOT NULL"),
        ),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=text("now()"))
    published_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    # The request that wrote the event (X-Request-ID) and its W3C trace context, both passed on
    # to the notifications and deliveries it becomes; None for what no request caused.
    request_id: Mapped[str | None] = mapped_column(String(REQUEST_ID_MAX))
    traceparent: Mapped[str | None] = mapped_column(String(TRACEPARENT_MAX))

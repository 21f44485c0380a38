from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.domain.clock import utcnow
from services.domain.correlation import REQUEST_ID_MAX, TRACEPARENT_MAX
from services.domain.db import Base, IdMixin, Status, values_of


# pending -> sending -> sent | failed (permanent) | cancelled (no longer true, e.g. reviewed)
class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


STATES = values_of(NotificationStatus)


class Notification(IdMixin, Base):
    """One email to one person, with the state of its delivery.

    Rows are created idempotently (``dedupe_key`` is unique), claimed by one sender at a time
    and retried with backoff: the queue only carries their ids.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(f"status IN {STATES!r}", name="status"),
        Index(
            "ix_notifications_due",
            "next_attempt_at",
            postgresql_where=text("status IN ('pending', 'sending')"),
        ),
        Index("ix_notifications_organisation_id", "organisation_id", "created_at"),
        Index("ix_notifications_document_id", "document_id"),
        # For the retention prune: finished emails about no document, by age (the same
        # condition as services/domain/retention, so the planner can use it).
        Index(
            "ix_notifications_prunable",
            "created_at",
            postgresql_where=text(
                "document_id IS NULL AND status IN ('sent', 'failed', 'cancelled')"
            ),
        ),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(60))
    # What makes this notification the same one however often it is produced.
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    event_id: Mapped[uuid.UUID | None]
    document_id: Mapped[uuid.UUID | None]
    recipient_person_id: Mapped[uuid.UUID | None]
    recipient_email: Mapped[str] = mapped_column(String(320))
    context: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    status: Mapped[NotificationStatus] = mapped_column(
        Status(NotificationStatus, 20), default=NotificationStatus.PENDING, server_default="pending"
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=text("now()"))
    sent_at: Mapped[datetime | None]
    # The request that caused it (X-Request-ID) and its trace context, from the outbox event;
    # None for a sweep's reminders and rows older than the columns.
    request_id: Mapped[str | None] = mapped_column(String(REQUEST_ID_MAX))
    traceparent: Mapped[str | None] = mapped_column(String(TRACEPARENT_MAX))

    @property
    def message_id(self) -> str:
        # The same Message-ID on every attempt lets a mail system drop a duplicate.
        return f"<{self.id}@policygov>"


class SweepMark(Base):
    """Where a sweep that reads only what may have changed since its last run got to
    (services/domain/notifications/review_window.py)."""

    __tablename__ = "sweep_marks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    # The London day of the last run that finished without a document failing.
    swept_on: Mapped[date]
    # Changes stamped from here on are read again: the run's start, or the start of the oldest
    # transaction open then (whose changes that run could not see yet), if earlier.
    changes_since: Mapped[datetime]
    # The rules the run applied (reminder days, escalation months): other rules, a full run.
    rules: Mapped[str] = mapped_column(String(200))

"""Engagement sessions: the workshops, co-production sessions and review sessions that shaped a
draft, with who came, what was said and what was agreed to do.

LBBD 4: "The author is responsible for co-producing the policy/procedure together with other
colleagues and residents. This can be done through workshops or focus groups."
NCT 4.1.1: a Review Session allows "relevant professionals the opportunity to agree what (if
any) amendments are required".
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.domain.db import (
    Base,
    IdMixin,
    Status,
    TimestampMixin,
    same_organisation_fk,
    values_of,
)


class EngagementKind(StrEnum):
    WORKSHOP = "workshop"  # LBBD 4: workshops or focus groups
    CO_PRODUCTION = "co_production"  # LBBD 4: with staff members and residents
    REVIEW_SESSION = "review_session"  # NCT 4.1: convened at the RO's discretion
    OTHER = "other"


class EngagementStatus(StrEnum):
    PLANNED = "planned"
    # Took place: its notes are recorded.
    HELD = "held"
    CANCELLED = "cancelled"


ENGAGEMENT_KINDS = values_of(EngagementKind)
ENGAGEMENT_STATUSES = values_of(EngagementStatus)


class EngagementSession(IdMixin, TimestampMixin, Base):
    """One workshop or review session on a document, optionally about one draft."""

    __tablename__ = "engagement_sessions"
    __table_args__ = (
        UniqueConstraint("organisation_id", "id", name="uq_engagement_sessions_organisation_id_id"),
        same_organisation_fk("engagement_sessions", "document_id", "documents", ondelete="CASCADE"),
        same_organisation_fk("engagement_sessions", "version_id", "document_versions"),
        same_organisation_fk("engagement_sessions", "facilitator_id", "people"),
        same_organisation_fk("engagement_sessions", "recorded_by_id", "people"),
        CheckConstraint(f"status IN {ENGAGEMENT_STATUSES!r}", name="status"),
        CheckConstraint(f"kind IN {ENGAGEMENT_KINDS!r}", name="kind"),
        CheckConstraint("status <> 'held' OR held_at IS NOT NULL", name="held"),
        Index("ix_engagement_sessions_document_id", "document_id", "held_on", "id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    document_id: Mapped[uuid.UUID]
    # The draft the session shaped (or reviewed), if it was about one.
    version_id: Mapped[uuid.UUID | None]
    kind: Mapped[EngagementKind] = mapped_column(Status(EngagementKind, 20))
    title: Mapped[str] = mapped_column(String(200))
    # The London day it takes (or took) place.
    held_on: Mapped[date] = mapped_column(Date)
    facilitator_id: Mapped[uuid.UUID | None]
    # [{"person_id": ...} or {"name": ..., "organisation": ...}], at most 200 (checked on input).
    attendees: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default="[]"
    )
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # [{"text": ..., "owner_id": ..., "due_on": ..., "done": bool}], at most 100.
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    status: Mapped[EngagementStatus] = mapped_column(
        Status(EngagementStatus, 20),
        default=EngagementStatus.PLANNED,
        server_default="planned",
    )
    recorded_by_id: Mapped[uuid.UUID | None]
    # When it was recorded as held (the notes written).
    held_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

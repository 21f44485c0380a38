"""The queue of what the Trix upload scripts must publish to, or remove from, the manual."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from services.domain.clock import utcnow
from services.domain.db import Base, IdMixin, Status, values_of

ACTIONS = ("upload", "remove")


# cancelled: taken off the queue before the scripts did it (a superseded or withdrawn version).
class PublicationStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    CANCELLED = "cancelled"


PUBLICATION_STATUSES = values_of(PublicationStatus)


class Publication(IdMixin, Base):
    """One upload of an issued version, or one removal of a retired or superseded document."""

    __tablename__ = "publications"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_publications_document_id_documents",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name="fk_publications_version_id_document_versions",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "completed_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_publications_completed_by_id_people",
        ),
        CheckConstraint(f"action IN {ACTIONS!r}", name="action"),
        CheckConstraint(f"status IN {PUBLICATION_STATUSES!r}", name="status"),
        CheckConstraint("(status = 'done') = (completed_at IS NOT NULL)", name="done"),
        CheckConstraint(
            "(status = 'cancelled') = (cancelled_at IS NOT NULL AND cancelled_reason IS NOT NULL)",
            name="cancelled",
        ),
        # The upload scripts poll the pending queue, oldest first.
        Index(
            "ix_publications_pending",
            "organisation_id",
            "created_at",
            postgresql_where=sql_text("status = 'pending'"),
        ),
        Index("ix_publications_org_status", "organisation_id", "status", "created_at"),
        Index("ix_publications_document_id", "document_id", "created_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    document_id: Mapped[uuid.UUID]
    # The issued version to upload; for a removal, the version in force when it was queued.
    version_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(10))
    status: Mapped[PublicationStatus] = mapped_column(
        Status(PublicationStatus, 10), default=PublicationStatus.PENDING
    )
    # Why it was queued: "issued", "retired", "superseded", "reinstated", "withdrawn".
    reason: Mapped[str] = mapped_column(String(30))
    trix_url: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[uuid.UUID | None]
    completed_by_label: Mapped[str | None] = mapped_column(String(300))
    cancelled_at: Mapped[datetime | None]
    cancelled_reason: Mapped[str | None] = mapped_column(Text)

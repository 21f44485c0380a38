"""A tracker import run in the background: the file, who asked, how far it has gone, the report."""

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
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.domain.clock import utcnow
from services.domain.db import Base, IdMixin, Status, values_of


# queued -> running -> succeeded | rejected (the file has problems: nothing written) | failed
class ImportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    REJECTED = "rejected"
    FAILED = "failed"


STATES = values_of(ImportStatus)


class TrackerImport(IdMixin, Base):
    """One tracker file to import, all or nothing, by the notifier's worker.

    The file is kept until the import finishes; the report (the same as the synchronous
    import's answer) from then on. ``done`` of ``total`` rows in ``phase`` is the progress.
    """

    __tablename__ = "tracker_imports"
    __table_args__ = (
        CheckConstraint(f"status IN {STATES!r}", name="status"),
        Index("ix_tracker_imports_organisation_id", "organisation_id", "created_at"),
        # The sweep's question: which imports are waiting, or were left running by a worker
        # that stopped.
        Index(
            "ix_tracker_imports_unfinished",
            "heartbeat_at",
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    filename: Mapped[str] = mapped_column(String(300))
    dry_run: Mapped[bool] = mapped_column(Boolean)
    # Who asked: the import runs on their behalf (its audit records name them).
    person_id: Mapped[uuid.UUID | None]
    api_key_id: Mapped[uuid.UUID | None]
    actor_label: Mapped[str] = mapped_column(String(320))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    person_roles: Mapped[list[str] | None] = mapped_column(ARRAY(String(40)))
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    status: Mapped[ImportStatus] = mapped_column(
        Status(ImportStatus, 20), default=ImportStatus.QUEUED
    )
    phase: Mapped[str | None] = mapped_column(String(20))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONB, deferred=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

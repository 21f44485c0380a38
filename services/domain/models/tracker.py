"""The tracker's weekly snapshots: how many tracked documents were green, amber and red in each
service area, once a week (tracker/snapshots.py), so the trend can be drawn for a board."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.domain.clock import utcnow
from services.domain.db import Base, IdMixin

RAGS = ("green", "amber", "red")


class TrackerSnapshot(IdMixin, Base):
    """One organisation's snapshot of a week (its Monday, London): taken once, by the sweep on
    the first run of the week or by the policy team (which replaces the week's)."""

    __tablename__ = "tracker_snapshots"
    __table_args__ = (
        UniqueConstraint("organisation_id", "week_starting", name="uq_tracker_snapshots_week"),
        UniqueConstraint("organisation_id", "id", name="uq_tracker_snapshots_organisation_id_id"),
        CheckConstraint("extract(isodow from week_starting) = 1", name="week_starting_monday"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    week_starting: Mapped[date] = mapped_column(Date)
    # The London day the counts are for (the Monday, or a later day of the week).
    taken_on: Mapped[date] = mapped_column(Date)
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrackerSnapshotCount(Base):
    """How many tracked documents of a service area ('' for none) had a RAG status."""

    __tablename__ = "tracker_snapshot_counts"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "snapshot_id"],
            ["tracker_snapshots.organisation_id", "tracker_snapshots.id"],
            name="fk_tracker_snapshot_counts_snapshot_id_tracker_snapshots",
            ondelete="CASCADE",
        ),
        CheckConstraint(f"rag IN {RAGS!r}", name="rag"),
        CheckConstraint("count >= 0", name="count"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    snapshot_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    service_area: Mapped[str] = mapped_column(String(200), primary_key=True)
    rag: Mapped[str] = mapped_column(String(10), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)

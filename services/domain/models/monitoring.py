"""Implementation monitoring: actions that check a document in force is followed, each with an
owner, a due date and evidence; and the implementation reports tabled to a board.

Cafcass 7.4: "The Policy Author should monitor the rate of policy implementation through OPC
and identify any potential delays or issues [...] A report on the level of policy compliance
should be circulated amongst ECMT." Dorset xi: "Develop systems for monitoring the use of
approved documents to provide CSLT with assurance that governance is effective."
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
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.domain.clock import utcnow
from services.domain.db import (
    Base,
    IdMixin,
    Status,
    TimestampMixin,
    same_organisation_fk,
    values_of,
)


class MonitoringActionStatus(StrEnum):
    OPEN = "open"
    # Done, with its outcome: what was found, what changed.
    DONE = "done"
    # No longer needed, with the reason (in the outcome).
    CANCELLED = "cancelled"


MONITORING_ACTION_STATUSES = values_of(MonitoringActionStatus)


class EvidenceKind(StrEnum):
    NOTE = "note"
    LINK = "link"


EVIDENCE_KINDS = values_of(EvidenceKind)


class MonitoringAction(IdMixin, TimestampMixin, Base):
    """One thing to do or check to know whether a document is being followed."""

    __tablename__ = "monitoring_actions"
    __table_args__ = (
        UniqueConstraint("organisation_id", "id", name="uq_monitoring_actions_organisation_id_id"),
        same_organisation_fk("monitoring_actions", "document_id", "documents", ondelete="CASCADE"),
        same_organisation_fk("monitoring_actions", "owner_id", "people"),
        same_organisation_fk("monitoring_actions", "created_by_id", "people"),
        same_organisation_fk("monitoring_actions", "closed_by_id", "people"),
        CheckConstraint(f"status IN {MONITORING_ACTION_STATUSES!r}", name="status"),
        CheckConstraint("(status = 'open') = (closed_at IS NULL)", name="closed"),
        # The organisation's list: open and overdue first, by due date.
        Index("ix_monitoring_actions_org_status_due", "organisation_id", "status", "due_on"),
        Index("ix_monitoring_actions_document_id", "document_id", "due_on"),
        Index("ix_monitoring_actions_owner_id", "owner_id", "status"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    document_id: Mapped[uuid.UUID]
    # The issued version in force when the action was set: what is being implemented.
    issued_version: Mapped[str | None] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    owner_id: Mapped[uuid.UUID]
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[MonitoringActionStatus] = mapped_column(
        Status(MonitoringActionStatus, 20),
        default=MonitoringActionStatus.OPEN,
        server_default="open",
    )
    outcome: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_by_id: Mapped[uuid.UUID | None]
    closed_by_id: Mapped[uuid.UUID | None]
    closed_at: Mapped[datetime | None]
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class MonitoringEvidence(IdMixin, Base):
    """A note or a link recorded against an action: what was seen, where the proof is."""

    __tablename__ = "monitoring_evidence"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "action_id"],
            ["monitoring_actions.organisation_id", "monitoring_actions.id"],
            name="fk_monitoring_evidence_action_id_monitoring_actions",
            ondelete="CASCADE",
        ),
        same_organisation_fk("monitoring_evidence", "recorded_by_id", "people"),
        CheckConstraint(f"kind IN {EVIDENCE_KINDS!r}", name="kind"),
        CheckConstraint("(kind = 'link') = (url IS NOT NULL)", name="url"),
        Index("ix_monitoring_evidence_action_id", "action_id", "recorded_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    action_id: Mapped[uuid.UUID]
    kind: Mapped[EvidenceKind] = mapped_column(Status(EvidenceKind, 10))
    note: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))
    recorded_by_id: Mapped[uuid.UUID | None]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImplementationReport(IdMixin, Base):
    """An implementation report as it was tabled to a board: frozen, so the minutes and the
    next review can say what the board was told, whatever changed since."""

    __tablename__ = "implementation_reports"
    __table_args__ = (
        same_organisation_fk(
            "implementation_reports", "document_id", "documents", ondelete="CASCADE"
        ),
        same_organisation_fk("implementation_reports", "tabled_by_id", "people"),
        ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_items.id"],
            name="fk_implementation_reports_agenda_item_id_agenda_items",
            ondelete="CASCADE",
        ),
        Index("ix_implementation_reports_document_id", "document_id", "tabled_at"),
        Index("ix_implementation_reports_organisation_id", "organisation_id", "tabled_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    # None: the organisation's report (Dorset xi: assurance to CSLT across documents).
    document_id: Mapped[uuid.UUID | None]
    agenda_item_id: Mapped[uuid.UUID]
    board_id: Mapped[uuid.UUID]
    meeting_id: Mapped[uuid.UUID]
    content: Mapped[dict[str, Any]] = mapped_column(JSONB)
    tabled_by_id: Mapped[uuid.UUID | None]
    tabled_at: Mapped[datetime] = mapped_column(default=utcnow)

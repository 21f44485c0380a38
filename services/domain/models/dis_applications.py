"""Dis-applications: a part of a document in force set aside for a team or service area, for a
while, with reasons, risks and mitigation, decided by the post the organisation names.

Cafcass 6.1: "The policy can only be dis-applied if the Policy Sponsor (usually the Corporate
Director) agrees that the circumstances are exceptional and that variation is justified."
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

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
from sqlalchemy.orm import Mapped, mapped_column

from services.domain.db import (
    Base,
    IdMixin,
    Status,
    TimestampMixin,
    same_organisation_fk,
    values_of,
)


class DisApplicationStatus(StrEnum):
    # Asked for, waiting for the decider.
    REQUESTED = "requested"
    # Agreed: in force from its start date to its end date (both included).
    APPROVED = "approved"
    REFUSED = "refused"
    # Taken back by the requester (or the policy team) before it was decided.
    WITHDRAWN = "withdrawn"
    # Ended early, with a reason, after it was approved.
    REVOKED = "revoked"
    # Its end date has passed (the notifier's sweep marks it).
    EXPIRED = "expired"


DIS_APPLICATION_STATUSES = values_of(DisApplicationStatus)
# Still open: a decision or an end (withdrawal, revocation, expiry) may come.
OPEN_STATUSES = (DisApplicationStatus.REQUESTED, DisApplicationStatus.APPROVED)


class DisApplication(IdMixin, TimestampMixin, Base):
    """A request to set aside part of a document for a team or area, and its decision."""

    __tablename__ = "dis_applications"
    __table_args__ = (
        UniqueConstraint("organisation_id", "id", name="uq_dis_applications_organisation_id_id"),
        same_organisation_fk("dis_applications", "document_id", "documents", ondelete="CASCADE"),
        same_organisation_fk("dis_applications", "requested_by_id", "people"),
        same_organisation_fk("dis_applications", "discussed_with_id", "people"),
        same_organisation_fk("dis_applications", "decided_by_id", "people"),
        same_organisation_fk("dis_applications", "ended_by_id", "people"),
        CheckConstraint(f"status IN {DIS_APPLICATION_STATUSES!r}", name="status"),
        CheckConstraint("ends_on >= starts_on", name="dates"),
        CheckConstraint(
            "(status IN ('approved', 'refused', 'revoked', 'expired')) = (decided_at IS NOT NULL)",
            name="decided",
        ),
        # The register: what is in force or expiring, by organisation and end date.
        Index("ix_dis_applications_org_status_ends", "organisation_id", "status", "ends_on"),
        Index("ix_dis_applications_document_id", "document_id", "created_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    document_id: Mapped[uuid.UUID]
    # The issued version in force when it was asked for (the text the part is of).
    issued_version: Mapped[str | None] = mapped_column(String(12))
    # Which part: a section reference and/or its words ("4.2 Home visits within 10 days").
    section: Mapped[str] = mapped_column(String(500))
    # For whom: a team or service area.
    applies_to: Mapped[str] = mapped_column(String(200))
    reasons: Mapped[str] = mapped_column(Text)
    risks: Mapped[str] = mapped_column(Text)
    mitigation: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    requested_by_id: Mapped[uuid.UUID]
    # Cafcass 6.1: the line manager (a contract manager for the self-employed) it was
    # discussed with before asking.
    discussed_with_id: Mapped[uuid.UUID | None]
    status: Mapped[DisApplicationStatus] = mapped_column(
        Status(DisApplicationStatus, 20),
        default=DisApplicationStatus.REQUESTED,
        server_default="requested",
    )
    decided_by_id: Mapped[uuid.UUID | None]
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Withdrawn, revoked (by a person) or expired (by the sweep, no person).
    ended_by_id: Mapped[uuid.UUID | None]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

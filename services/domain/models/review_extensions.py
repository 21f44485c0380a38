"""Review extensions: a document's responsible officer asks to move its review date, with
reasons and a new date; the owner (RSM) or the policy team agrees or refuses, within the limits
the organisation sets.

NCT 3.4(b)(i): ROs and RSMs keep to the tracker's "Next Review To Be Completed By"; Dorset 8.2:
"Document owners are responsible for ensuring that reviews are conducted in a timely manner",
and 8.3 escalates two months after the due date. An agreed extension is the recorded, limited
way a date moves, instead of a quiet edit of the tracker.
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
from sqlalchemy import text as sql_text
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


class ReviewExtensionStatus(StrEnum):
    # Asked for, waiting for the owner or the policy team.
    PENDING = "pending"
    # Agreed: the document's review date moved to ``agreed_due``.
    AGREED = "agreed"
    REFUSED = "refused"
    # Taken back by the requester (or the policy team) before it was decided.
    WITHDRAWN = "withdrawn"
    # Overtaken before it was decided: the review date it asked to move changed meanwhile (a
    # review completed, a new version issued, the document retired).
    LAPSED = "lapsed"


REVIEW_EXTENSION_STATUSES = values_of(ReviewExtensionStatus)
# The limits when the organisation has set none (services/domain/review_extensions/limits.py).
DEFAULT_MAX_MONTHS = 3
DEFAULT_MAX_EXTENSIONS = 1


class ReviewExtension(IdMixin, TimestampMixin, Base):
    """A request to move a document's review date, and its decision."""

    __tablename__ = "review_extensions"
    __table_args__ = (
        UniqueConstraint("organisation_id", "id", name="uq_review_extensions_organisation_id_id"),
        same_organisation_fk("review_extensions", "document_id", "documents", ondelete="CASCADE"),
        same_organisation_fk("review_extensions", "requested_by_id", "people"),
        same_organisation_fk("review_extensions", "decided_by_id", "people"),
        same_organisation_fk("review_extensions", "ended_by_id", "people"),
        CheckConstraint(f"status IN {REVIEW_EXTENSION_STATUSES!r}", name="status"),
        CheckConstraint("requested_due > current_due", name="later"),
        CheckConstraint("original_due <= current_due", name="original"),
        CheckConstraint("sequence >= 1", name="sequence"),
        CheckConstraint(
            "(status = 'agreed') = (agreed_due IS NOT NULL) AND (agreed_due IS NULL OR "
            "(agreed_due > current_due AND agreed_due <= requested_due))",
            name="agreed_due",
        ),
        CheckConstraint(
            "(status IN ('agreed', 'refused')) = (decided_at IS NOT NULL)", name="decided"
        ),
        # One pending request per document: a second is refused (409) until it is decided.
        Index(
            "uq_review_extensions_one_pending",
            "document_id",
            unique=True,
            postgresql_where=sql_text("status = 'pending'"),
        ),
        # The list: an organisation's requests by status, oldest first (the decision queue).
        Index(
            "ix_review_extensions_org_status_created",
            "organisation_id",
            "status",
            "created_at",
            "id",
        ),
        Index("ix_review_extensions_org_created", "organisation_id", "created_at", "id"),
        Index("ix_review_extensions_document_id", "document_id", "created_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    document_id: Mapped[uuid.UUID]
    requested_by_id: Mapped[uuid.UUID]
    # The review date when it was asked, and the date asked for (later).
    current_due: Mapped[date] = mapped_column(Date)
    requested_due: Mapped[date] = mapped_column(Date)
    # The date this review period was due before any extension, and which extension of the
    # period this is (1 for the first): the organisation's limits are counted from them.
    original_due: Mapped[date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # What the document stood on when it was asked: a later review or issue ends the period.
    issued_version: Mapped[str | None] = mapped_column(String(12))
    last_reviewed_on: Mapped[date | None] = mapped_column(Date)
    reasons: Mapped[str] = mapped_column(Text)
    status: Mapped[ReviewExtensionStatus] = mapped_column(
        Status(ReviewExtensionStatus, 20),
        default=ReviewExtensionStatus.PENDING,
        server_default="pending",
    )
    decided_by_id: Mapped[uuid.UUID | None]
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The new review date agreed: the one asked for, or an earlier one the decider chose.
    agreed_due: Mapped[date | None] = mapped_column(Date)
    # Withdrawn (by a person) or lapsed (by the service, no person).
    ended_by_id: Mapped[uuid.UUID | None]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class ReviewExtensionLimits(Base):
    """An organisation's limits on review extensions; no row means the defaults."""

    __tablename__ = "review_extension_limits"
    __table_args__ = (
        CheckConstraint("max_months BETWEEN 1 AND 24", name="max_months"),
        CheckConstraint("max_extensions BETWEEN 0 AND 6", name="max_extensions"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    # How far past the date a review period was first due it may be put back, in all.
    max_months: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_MAX_MONTHS, server_default=str(DEFAULT_MAX_MONTHS)
    )
    # How many extensions one review period may have (0: none are agreed).
    max_extensions: Mapped[int] = mapped_column(
        Integer, default=DEFAULT_MAX_EXTENSIONS, server_default=str(DEFAULT_MAX_EXTENSIONS)
    )
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=sql_text("now()"), onupdate=utcnow
    )
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

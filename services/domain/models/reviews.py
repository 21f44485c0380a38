"""The review side of the register: reviews as records, and Trix update cycles.

A review is scheduled (the document's review date came), unscheduled (NCT 3.2: something
happened that may make it out of date, with who asked) or part of a Trix update cycle. It ends
with no change (the RO's statement, confirmed by the RSM: the next review date moves on) or an
amended draft that goes through sign-off.

A Trix update cycle (NCT 3.3) is an imported Update Plan of recommended amendments per chapter,
each item assigned to the RO of the matching document, with a submission deadline; items not
done by the deadline are carried to the next cycle.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

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
    text,
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
from services.domain.models.documents import DocumentStatus

REVIEW_KINDS = ("scheduled", "unscheduled", "update_cycle")
# NCT 3.2: what can make a procedure need an unscheduled review.
TRIGGERS = (
    "case_audit_recommendation",
    "practice_or_structure_change",
    "legislation_or_guidance_change",
    "confirmed_gap",
    "safeguarding_practice_review",
    "inspection_advice",
    # A document it is linked to (governs, implements, form_for) was amended and issued
    # (services/domain/reviews/cascades.py).
    "parent_changed",
    "other",
)


# in_progress -> awaiting_confirmation (RO stated no change) -> completed; or amended -> the
# new draft goes through sign-off and the review completes when it is issued; or cancelled.
class ReviewStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


REVIEW_STATUSES = values_of(ReviewStatus)
OPEN_REVIEW_STATUSES = (ReviewStatus.IN_PROGRESS, ReviewStatus.AWAITING_CONFIRMATION)
REVIEW_OUTCOMES = ("no_change", "amended")


class UpdateCycleStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


CYCLE_STATUSES = values_of(UpdateCycleStatus)


class UpdateCycleItemStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    AMENDED = "amended"
    CARRIED_OVER = "carried_over"


ITEM_STATUSES = values_of(UpdateCycleItemStatus)


class Review(IdMixin, TimestampMixin, Base):
    """One review of one document, from its start to its outcome."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("organisation_id", "id", name="uq_reviews_organisation_id_id"),
        same_organisation_fk("reviews", "document_id", "documents", ondelete="CASCADE"),
        same_organisation_fk("reviews", "requested_by_id", "people"),
        same_organisation_fk("reviews", "started_by_id", "people"),
        same_organisation_fk("reviews", "statement_by_id", "people"),
        same_organisation_fk("reviews", "confirmed_by_id", "people"),
        ForeignKeyConstraint(
            ["amended_version_id"],
            ["document_versions.id"],
            name="fk_reviews_amended_version_id_document_versions",
        ),
        CheckConstraint(f"kind IN {REVIEW_KINDS!r}", name="kind"),
        CheckConstraint(f"status IN {REVIEW_STATUSES!r}", name="status"),
        CheckConstraint(f"outcome IN {REVIEW_OUTCOMES!r}", name="outcome"),
        CheckConstraint(f"trigger IN {TRIGGERS!r}", name="trigger"),
        CheckConstraint("(kind = 'unscheduled') = (trigger IS NOT NULL)", name="trigger_given"),
        # One open review per document at a time.
        Index(
            "uq_reviews_open_document",
            "document_id",
            unique=True,
            postgresql_where=text("status IN ('in_progress', 'awaiting_confirmation')"),
        ),
        Index("ix_reviews_org_status", "organisation_id", "status", "created_at"),
        Index("ix_reviews_document_id", "document_id", "created_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    document_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(20))
    trigger: Mapped[str | None] = mapped_column(String(40))
    trigger_detail: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Who asked for an unscheduled review (told of a no-change outcome).
    requested_by_id: Mapped[uuid.UUID | None]
    status: Mapped[ReviewStatus] = mapped_column(
        Status(ReviewStatus, 30), default=ReviewStatus.IN_PROGRESS
    )
    outcome: Mapped[str | None] = mapped_column(String(20))
    # The review date the document had when the review started, and its status then.
    due_on: Mapped[date | None] = mapped_column(Date)
    previous_status: Mapped[DocumentStatus] = mapped_column(Status(DocumentStatus, 30))
    started_by_id: Mapped[uuid.UUID | None]
    # No change: the RO's statement, confirmed by the RSM (owner).
    no_change_statement: Mapped[str] = mapped_column(Text, default="", server_default="")
    statement_by_id: Mapped[uuid.UUID | None]
    confirmed_by_id: Mapped[uuid.UUID | None]
    confirmed_at: Mapped[datetime | None]
    # Amended: the new draft that goes through sign-off.
    amended_version_id: Mapped[uuid.UUID | None]
    # Part of a Trix update cycle.
    update_cycle_item_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("update_cycle_items.id", ondelete="SET NULL")
    )
    completed_at: Mapped[datetime | None]
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class ReviewDocument(IdMixin, Base):
    """Another document the RO added to a review because it may need the same change."""

    __tablename__ = "review_documents"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "review_id"],
            ["reviews.organisation_id", "reviews.id"],
            name="fk_review_documents_review_id_reviews",
            ondelete="CASCADE",
        ),
        same_organisation_fk("review_documents", "document_id", "documents", ondelete="CASCADE"),
        same_organisation_fk("review_documents", "added_by_id", "people"),
        UniqueConstraint("review_id", "document_id"),
        Index("ix_review_documents_document_id", "document_id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    review_id: Mapped[uuid.UUID]
    document_id: Mapped[uuid.UUID]
    # Why: linked by governs / implements / form_for, same tag, same service area, or a note.
    reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    added_by_id: Mapped[uuid.UUID | None]
    added_at: Mapped[datetime]


class UpdateCycle(IdMixin, TimestampMixin, Base):
    """A Trix update cycle: an Update Plan's recommended amendments and their deadline."""

    __tablename__ = "update_cycles"
    __table_args__ = (
        UniqueConstraint("organisation_id", "id", name="uq_update_cycles_organisation_id_id"),
        same_organisation_fk("update_cycles", "created_by_id", "people"),
        CheckConstraint(f"status IN {CYCLE_STATUSES!r}", name="status"),
        Index("ix_update_cycles_org_status", "organisation_id", "status", "submission_deadline"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[UpdateCycleStatus] = mapped_column(
        Status(UpdateCycleStatus, 20), default=UpdateCycleStatus.OPEN
    )
    # NCT: amendments are due back six weeks after the Update Plan arrives, by default.
    submission_deadline: Mapped[date] = mapped_column(Date)
    # The cycle whose unfinished items this one carries.
    carried_from_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("update_cycles.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[uuid.UUID | None]
    closed_at: Mapped[datetime | None]
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class UpdateCycleItem(IdMixin, TimestampMixin, Base):
    """One recommended amendment of an Update Plan, for one chapter (document)."""

    __tablename__ = "update_cycle_items"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "cycle_id"],
            ["update_cycles.organisation_id", "update_cycles.id"],
            name="fk_update_cycle_items_cycle_id_update_cycles",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_update_cycle_items_document_id_documents",
        ),
        same_organisation_fk("update_cycle_items", "assigned_to_id", "people"),
        same_organisation_fk("update_cycle_items", "decided_by_id", "people"),
        CheckConstraint(f"status IN {ITEM_STATUSES!r}", name="status"),
        Index("ix_update_cycle_items_cycle_id", "cycle_id", "status"),
        Index("ix_update_cycle_items_assigned_to_id", "assigned_to_id", "status"),
        Index("ix_update_cycle_items_document_id", "document_id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    cycle_id: Mapped[uuid.UUID]
    # The chapter as the Update Plan names it (a reference or a title), and the document it
    # matched (null when nothing matched: the policy team assigns it by hand).
    chapter: Mapped[str] = mapped_column(String(300))
    document_id: Mapped[uuid.UUID | None]
    recommendation: Mapped[str] = mapped_column(Text)
    assigned_to_id: Mapped[uuid.UUID | None]
    status: Mapped[UpdateCycleItemStatus] = mapped_column(
        Status(UpdateCycleItemStatus, 20), default=UpdateCycleItemStatus.PENDING
    )
    outcome_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    decided_by_id: Mapped[uuid.UUID | None]
    decided_at: Mapped[datetime | None]
    carried_from_item_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("update_cycle_items.id", ondelete="SET NULL")
    )
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

"""Cascade reviews: what an amended parent's issue asks of the documents linked to it.

NCT 3.4(c)(ii): a change can impact several procedures, and amendments must stay consistent
throughout the Manual; Dorset (Forms): a form must stay aligned with its governing procedure.
When a policy is amended and issued, each document it governs, each procedure implementing it
and each form for it gets a review opened, or a flag for its RO, as the organisation sets per
link kind (``CascadeRule``). What the issue did to each child is one ``CascadeFlag``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
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

# The links along which a parent's change travels to a child, each with the child's side: a
# policy governs procedures (the child is the target); a procedure implements a policy and a
# form is for a procedure (the child is the source).
CASCADE_LINKS = ("governs", "implements", "form_for")


class CascadeAction(StrEnum):
    OPEN_REVIEW = "open_review"
    FLAG = "flag"
    NOTHING = "nothing"


CASCADE_ACTIONS = values_of(CascadeAction)
# What an organisation that has set nothing gets: a procedure under a changed policy is
# reviewed; a form is flagged for its RO to check its alignment (Dorset, Forms).
DEFAULT_ACTIONS: dict[str, CascadeAction] = {
    "governs": CascadeAction.OPEN_REVIEW,
    "implements": CascadeAction.OPEN_REVIEW,
    "form_for": CascadeAction.FLAG,
}


# open: waiting for the RO (open a review from it, or dismiss it with a reason);
# review_opened: a review was opened for it (by the issue, or from the flag);
# attached: the child was already under review: noted on that review; dismissed.
class CascadeStatus(StrEnum):
    OPEN = "open"
    REVIEW_OPENED = "review_opened"
    ATTACHED = "attached"
    DISMISSED = "dismissed"


CASCADE_STATUSES = values_of(CascadeStatus)


class CascadeRule(IdMixin, Base):
    """What an amended parent's issue does to a document linked to it by one kind of link."""

    __tablename__ = "cascade_rules"
    __table_args__ = (
        UniqueConstraint("organisation_id", "link_kind"),
        CheckConstraint(f"link_kind IN {CASCADE_LINKS!r}", name="link_kind"),
        CheckConstraint(f"action IN {CASCADE_ACTIONS!r}", name="action"),
        same_organisation_fk("cascade_rules", "updated_by_id", "people"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    link_kind: Mapped[str] = mapped_column(String(20))
    action: Mapped[CascadeAction] = mapped_column(Status(CascadeAction, 20))
    updated_by_id: Mapped[uuid.UUID | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CascadeFlag(IdMixin, TimestampMixin, Base):
    """One child document and one issue of its parent: what the issue asked (the rule's
    action), what came of it (a review opened, a note on the review already open, a flag for
    the RO) and, for a flag, who dismissed it or opened a review from it."""

    __tablename__ = "cascade_flags"
    __table_args__ = (
        UniqueConstraint("organisation_id", "id", name="uq_cascade_flags_organisation_id_id"),
        # Once per child per issue: a replayed issue adds nothing.
        UniqueConstraint("parent_version_id", "document_id"),
        same_organisation_fk("cascade_flags", "document_id", "documents", ondelete="CASCADE"),
        same_organisation_fk(
            "cascade_flags", "parent_document_id", "documents", ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["parent_version_id"],
            ["document_versions.id"],
            name="fk_cascade_flags_parent_version_id_document_versions",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["previous_version_id"],
            ["document_versions.id"],
            name="fk_cascade_flags_previous_version_id_document_versions",
            ondelete="CASCADE",
        ),
        same_organisation_fk("cascade_flags", "review_id", "reviews"),
        same_organisation_fk("cascade_flags", "decided_by_id", "people"),
        CheckConstraint(f"link_kind IN {CASCADE_LINKS!r}", name="link_kind"),
        CheckConstraint(f"action IN {CASCADE_ACTIONS!r}", name="action"),
        CheckConstraint(f"status IN {CASCADE_STATUSES!r}", name="status"),
        Index("ix_cascade_flags_org_status", "organisation_id", "status", "created_at"),
        Index("ix_cascade_flags_document_id", "document_id", "created_at"),
        Index("ix_cascade_flags_review_id", "review_id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    # The child.
    document_id: Mapped[uuid.UUID]
    # The parent, the version it was issued as, and the one it replaced.
    parent_document_id: Mapped[uuid.UUID]
    parent_version_id: Mapped[uuid.UUID]
    previous_version_id: Mapped[uuid.UUID]
    parent_number: Mapped[str] = mapped_column(String(20))
    previous_number: Mapped[str] = mapped_column(String(20))
    # The link that decided, and what the organisation's rule for it asked.
    link_kind: Mapped[str] = mapped_column(String(20))
    action: Mapped[CascadeAction] = mapped_column(Status(CascadeAction, 20))
    status: Mapped[CascadeStatus] = mapped_column(Status(CascadeStatus, 20))
    # Why a review asked for was not opened (already under review, being amended, the cap).
    note: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # The review opened for it, or the one already open it was noted on.
    review_id: Mapped[uuid.UUID | None]
    decided_by_id: Mapped[uuid.UUID | None]
    decided_at: Mapped[datetime | None]
    dismissed_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

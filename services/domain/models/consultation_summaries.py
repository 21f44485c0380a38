""" "You said, we did": the public summary of what a consultation heard and what changed.

One per consultation, drafted by the policy team from the consultation's analysis (the themes
the author gave each response), edited while a draft, and frozen when published: at the
document's issue, or by an explicit publish. Its consultees are sent its link once.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, ForeignKeyConstraint, Integer, Text
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


class SummaryStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


SUMMARY_STATUSES = values_of(SummaryStatus)
# What became of a theme in the issued version.
OUTCOMES = ("changed", "partly_changed", "not_changed")
CHANGES_KEPT = 400
PARAGRAPH_KEPT = 4000


class ConsultationSummary(IdMixin, TimestampMixin, Base):
    """A consultation's "You said, we did": per theme, what was said and what we did."""

    __tablename__ = "consultation_summaries"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "consultation_id"],
            ["consultations.organisation_id", "consultations.id"],
            name="fk_consultation_summaries_consultation_id_consultations",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["compared_version_id"],
            ["document_versions.id"],
            name="fk_consultation_summaries_compared_version_id_document_versions",
        ),
        same_organisation_fk("consultation_summaries", "published_by_id", "people"),
        CheckConstraint(f"status IN {SUMMARY_STATUSES!r}", name="status"),
        CheckConstraint(
            "(status = 'published') = (published_at IS NOT NULL)", name="published_when"
        ),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    consultation_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    status: Mapped[SummaryStatus] = mapped_column(Status(SummaryStatus, 20))
    introduction: Mapped[str] = mapped_column(Text, default="", server_default="")
    # [{"theme", "said", "outcome", "did", "changes": ["p12", "r3"]}], in the page's order.
    themes: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    # The version the consulted draft is compared with: the issued one (or, published before
    # any issue, the latest); null while a draft.
    compared_version_id: Mapped[uuid.UUID | None]
    # The paragraphs changed from the consulted draft to the compared version, frozen at
    # publication (at most ``CHANGES_KEPT``, each paragraph cut at ``PARAGRAPH_KEPT``):
    # [{"key": "p12" | "r3", "kind", "before", "after"}]. Public pages read this, never the
    # versions themselves, and never diff on a request.
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    # How many paragraphs changed in all; more than len(changes) when the list was cut.
    changes_total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The document was issued while this summary was missing or still a draft.
    missing_at_issue: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    published_at: Mapped[datetime | None]
    # Null when the issue published it.
    published_by_id: Mapped[uuid.UUID | None]
    # When its consultees were sent the link (once: at the issue, or at a publish after it).
    sent_at: Mapped[datetime | None]
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

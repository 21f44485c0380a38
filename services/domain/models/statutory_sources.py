"""Statutory sources: the Acts, statutory guidance and inspection frameworks documents depend on.

NCT 3.2 names "changes in legislation or statutory guidance" as a reason for an unscheduled
review. A source (Working Together 2023, the Care Act 2014 statutory guidance, Ofsted's ILACS
framework, the Children Act 1989) is linked to the documents that depend on it; a change to it,
recorded through the API or read from the Atom feed the organisation names, opens a review of
every linked document in force in one batch and leaves an impact row per document.
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

from services.domain.clock import utcnow
from services.domain.db import (
    Base,
    IdMixin,
    Status,
    TimestampMixin,
    same_organisation_fk,
    values_of,
)
from services.domain.models.documents import DocumentStatus


class SourceKind(StrEnum):
    ACT = "act"
    STATUTORY_GUIDANCE = "statutory_guidance"
    INSPECTION_FRAMEWORK = "inspection_framework"
    OTHER = "other"


SOURCE_KINDS = values_of(SourceKind)


class ChangeOrigin(StrEnum):
    API = "api"  # recorded by a person (the policy team)
    FEED = "feed"  # read from the source's Atom feed (an entry id)


CHANGE_ORIGINS = values_of(ChangeOrigin)


class ImpactOutcome(StrEnum):
    """What a change did to one linked document."""

    REVIEW_OPENED = "review_opened"  # published: an unscheduled review was opened
    ALREADY_UNDER_REVIEW = "already_under_review"  # the change was attached to its open review
    BEING_AMENDED = "being_amended"  # an issued document whose new draft is going through
    NOT_IN_FORCE = "not_in_force"  # a draft never issued, retired or superseded


IMPACT_OUTCOMES = values_of(ImpactOutcome)


class StatutorySource(IdMixin, TimestampMixin, Base):
    """An external source documents depend on, and the state of its feed."""

    __tablename__ = "statutory_sources"
    __table_args__ = (
        UniqueConstraint("organisation_id", "id", name="uq_statutory_sources_organisation_id_id"),
        UniqueConstraint("organisation_id", "title", name="uq_statutory_sources_title"),
        same_organisation_fk("statutory_sources", "created_by_id", "people"),
        CheckConstraint(f"kind IN {SOURCE_KINDS!r}", name="kind"),
        Index("ix_statutory_sources_org_created", "organisation_id", "created_at", "id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[SourceKind] = mapped_column(Status(SourceKind, 30))
    publisher: Mapped[str] = mapped_column(String(200), default="", server_default="")
    url: Mapped[str] = mapped_column(String(2000))
    # An Atom feed of the source's changes (GOV.UK publishes one per page): polled daily.
    feed_url: Mapped[str | None] = mapped_column(String(2000))
    # When the feed was named: its entries from before are history, not changes to act on.
    feed_since: Mapped[datetime | None]
    created_by_id: Mapped[uuid.UUID | None]
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The last poll of the feed: when, and why it failed ("" when it was read).
    feed_checked_at: Mapped[datetime | None]
    feed_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    feed_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class StatutorySourceLink(IdMixin, Base):
    """A document depends on a source: who linked it and why."""

    __tablename__ = "statutory_source_links"
    __table_args__ = (
        UniqueConstraint("source_id", "document_id", name="uq_statutory_source_links_pair"),
        same_organisation_fk(
            "statutory_source_links", "source_id", "statutory_sources", ondelete="CASCADE"
        ),
        same_organisation_fk(
            "statutory_source_links", "document_id", "documents", ondelete="CASCADE"
        ),
        same_organisation_fk("statutory_source_links", "linked_by_id", "people"),
        Index("ix_statutory_source_links_document", "document_id"),
        Index("ix_statutory_source_links_source", "source_id", "created_at", "id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    source_id: Mapped[uuid.UUID]
    document_id: Mapped[uuid.UUID]
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    linked_by_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatutorySourceChange(IdMixin, Base):
    """A change to a source, recorded once: by a person, or from one feed entry."""

    __tablename__ = "statutory_source_changes"
    __table_args__ = (
        UniqueConstraint(
            "organisation_id", "id", name="uq_statutory_source_changes_organisation_id_id"
        ),
        # A feed entry is recorded once, however often the feed is read.
        UniqueConstraint("source_id", "feed_entry_id", name="uq_statutory_source_changes_entry"),
        same_organisation_fk(
            "statutory_source_changes", "source_id", "statutory_sources", ondelete="CASCADE"
        ),
        same_organisation_fk("statutory_source_changes", "recorded_by_id", "people"),
        CheckConstraint(f"origin IN {CHANGE_ORIGINS!r}", name="origin"),
        CheckConstraint("(origin = 'feed') = (feed_entry_id IS NOT NULL)", name="feed_entry_given"),
        Index("ix_statutory_source_changes_source", "source_id", "created_at", "id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    source_id: Mapped[uuid.UUID]
    summary: Mapped[str] = mapped_column(Text)
    effective_on: Mapped[date | None] = mapped_column(Date)
    origin: Mapped[ChangeOrigin] = mapped_column(Status(ChangeOrigin, 10))
    feed_entry_id: Mapped[str | None] = mapped_column(String(2000))
    feed_entry_link: Mapped[str | None] = mapped_column(String(2000))
    recorded_by_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatutorySourceImpact(IdMixin, Base):
    """What one change did to one linked document, and who was accountable for it then."""

    __tablename__ = "statutory_source_impacts"
    __table_args__ = (
        UniqueConstraint("change_id", "document_id", name="uq_statutory_source_impacts_pair"),
        same_organisation_fk(
            "statutory_source_impacts", "change_id", "statutory_source_changes", ondelete="CASCADE"
        ),
        same_organisation_fk(
            "statutory_source_impacts", "document_id", "documents", ondelete="CASCADE"
        ),
        same_organisation_fk("statutory_source_impacts", "review_id", "reviews"),
        same_organisation_fk("statutory_source_impacts", "owner_id", "people"),
        same_organisation_fk("statutory_source_impacts", "responsible_officer_id", "people"),
        CheckConstraint(f"outcome IN {IMPACT_OUTCOMES!r}", name="outcome"),
        Index("ix_statutory_source_impacts_change", "change_id", "reference"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    change_id: Mapped[uuid.UUID]
    document_id: Mapped[uuid.UUID]
    # As the document was when the change was recorded.
    reference: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    document_status: Mapped[DocumentStatus] = mapped_column(Status(DocumentStatus, 30))
    outcome: Mapped[ImpactOutcome] = mapped_column(Status(ImpactOutcome, 30))
    # The review opened, or the open review the change was attached to.
    review_id: Mapped[uuid.UUID | None]
    owner_id: Mapped[uuid.UUID | None]
    responsible_officer_id: Mapped[uuid.UUID | None]

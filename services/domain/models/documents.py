from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy import (
    text as sql_text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
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


class DocumentStatus(StrEnum):
    DRAFT = "draft"
    IN_CONSULTATION = "in_consultation"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    PUBLISHED = "published"
    UNDER_REVIEW = "under_review"
    SUPERSEDED = "superseded"
    RETIRED = "retired"


STATUSES = values_of(DocumentStatus)
# In force: a document staff follow whose review is tracked. Every one has a review date
# (services/domain/documents/review_dates.py). A document in force that is being amended is
# awaiting approval or in consultation with the date it had when it was published.
IN_FORCE = (DocumentStatus.PUBLISHED, DocumentStatus.UNDER_REVIEW)
# No longer in force, for good: off the manual (Tri.x), out of the tracker, no review reminders.
NO_LONGER_IN_FORCE = (DocumentStatus.RETIRED, DocumentStatus.SUPERSEDED)
LINK_KINDS = ("governs", "implements", "form_for", "supersedes", "relates_to")
DEFAULT_KINDS: tuple[tuple[str, str, bool], ...] = (
    # (key, label, requires_owner). NCT: a procedure always has an RO and an RSM.
    ("policy", "Policy", False),
    ("procedure", "Procedure", True),
    ("practice_standard", "Practice standard", False),
    ("practice_guidance", "Practice guidance", False),
    ("form", "Form", False),
    ("strategy", "Strategy", False),
    ("policy_framework", "Policy framework", False),
    ("protocol", "Protocol", False),
)


SEARCH_TITLE = (
    "to_tsvector('english', coalesce(title, '')) || to_tsvector('english', coalesce(reference, ''))"
)
SEARCH_SUMMARY = "to_tsvector('english', coalesce(summary, ''))"


def _search_vector(text_column: str) -> str:
    """Title and reference weigh most, then the summary, then the body text."""
    return (
        "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('english', coalesce(reference, '')), 'A') || "
        "setweight(to_tsvector('english', coalesce(summary, '')), 'B') || "
        f"setweight(to_tsvector('english', left(coalesce({text_column}, ''), 500000)), 'C')"
    )


class DocumentKind(IdMixin, TimestampMixin, Base):
    """A kind of governance document, configurable per organisation."""

    __tablename__ = "document_kinds"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(100))
    # When true a document of this kind must have an owner (RSM); the owner stands in as RO.
    requires_owner: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    default_review_interval_months: Mapped[int | None] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class Document(IdMixin, TimestampMixin, Base):
    """A governance document in an organisation's register."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("organisation_id", "reference"),
        ForeignKeyConstraint(
            ["organisation_id", "kind"],
            ["document_kinds.organisation_id", "document_kinds.key"],
            name="fk_documents_kind_document_kinds",
            onupdate="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "owner_id"],
            ["people.organisation_id", "people.id"],
            name="fk_documents_owner_id_people",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "responsible_officer_id"],
            ["people.organisation_id", "people.id"],
            name="fk_documents_responsible_officer_id_people",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "author_id"],
            ["people.organisation_id", "people.id"],
            name="fk_documents_author_id_people",
        ),
        UniqueConstraint("organisation_id", "id", name="uq_documents_organisation_id_id"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        CheckConstraint("review_interval_months BETWEEN 1 AND 120", name="review_interval"),
        # Lists are ordered by reference: these serve a filter and the order in one index scan.
        Index("ix_documents_org_status_reference", "organisation_id", "status", "reference"),
        Index("ix_documents_org_kind_reference", "organisation_id", "kind", "reference"),
        Index("ix_documents_org_review_due", "organisation_id", "next_review_due"),
        # The review sweep (every minute, every organisation): what is due by a date, read as
        # a range of this index rather than the whole register.
        Index("ix_documents_review_due", "next_review_due"),
        # And what changed since its last run (services/domain/notifications/review_window.py).
        Index("ix_documents_updated_at", "updated_at"),
        # A service area's documents in reference order (the area filter is case-blind).
        Index(
            "ix_documents_org_area_reference",
            "organisation_id",
            sql_text("lower(service_area)"),
            "reference",
        ),
        # The tracker summary counts an organisation's tracked documents by service area from
        # this index alone (an index-only scan, no table reads at 100,000 documents).
        Index(
            "ix_documents_tracker_summary",
            "organisation_id",
            "service_area",
            "next_review_due",
            postgresql_where=sql_text(
                "next_review_due IS NOT NULL AND status NOT IN ('retired', 'superseded')"
            ),
        ),
        # The tracker's page for one service area (due soon, overdue...): that area's tracked
        # documents in review date order. Without it, PostgreSQL ANDed the area's documents with
        # every organisation's due in the window (ix_documents_review_due): 11,100 index entries
        # read for 23 documents in a register of 1,000,000 (0.9 ms against 0.3 at 100,000).
        Index(
            "ix_documents_tracker_area_due",
            "organisation_id",
            sql_text("lower(service_area)"),
            "next_review_due",
            postgresql_where=sql_text(
                "next_review_due IS NOT NULL AND status NOT IN ('retired', 'superseded')"
            ),
        ),
        Index("ix_documents_owner_id", "owner_id"),
        Index("ix_documents_responsible_officer_id", "responsible_officer_id"),
        Index("ix_documents_author_id", "author_id"),
        Index("ix_documents_tags", "tags", postgresql_using="gin"),
        # The text vectors per organisation (the btree_gin extension), as are the title's and
        # the summary's below: in a register shared by 500 organisations, a common phrase
        # matched 50,067 documents and each was read to find the searcher's 4,712 (3 s); these
        # find the organisation's alone.
        Index("ix_documents_search_all", "organisation_id", "search_all", postgresql_using="gin"),
        Index(
            "ix_documents_search_published",
            "organisation_id",
            "search_published",
            postgresql_using="gin",
        ),
        # Search answers in tiers (title, summary, the text): each tier is read in the order
        # of this index (issued first, then reference) and stops at a page, so a word nearly
        # every document holds costs a page of rows, not the whole register.
        Index(
            "ix_documents_org_issued_first_reference",
            "organisation_id",
            sql_text("(issued_version IS NULL)"),
            "reference",
            "id",
        ),
        Index(
            "ix_documents_search_title", "organisation_id", "search_title", postgresql_using="gin"
        ),
        Index(
            "ix_documents_search_summary",
            "organisation_id",
            "search_summary",
            postgresql_using="gin",
        ),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    reference: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    kind: Mapped[str] = mapped_column(String(40))
    service_area: Mapped[str | None] = mapped_column(String(200))
    # Chooses the governance route with the kind (Birmingham: overarching, practice area,
    # single service, Trix chapter).
    category: Mapped[str | None] = mapped_column(String(80))
    owner_id: Mapped[uuid.UUID | None]
    responsible_officer_id: Mapped[uuid.UUID | None]
    author_id: Mapped[uuid.UUID | None]
    status: Mapped[DocumentStatus] = mapped_column(
        Status(DocumentStatus, 30), default=DocumentStatus.DRAFT, server_default="draft"
    )
    review_interval_months: Mapped[int | None] = mapped_column(Integer)
    next_review_due: Mapped[date | None] = mapped_column(Date)
    # The date of the last completed review (or, for an imported tracker, the one it recorded).
    last_reviewed_on: Mapped[date | None] = mapped_column(Date)
    tags: Mapped[list[str]] = mapped_column(
        ARRAY(String(80)), default=list, server_default=sql_text("'{}'::varchar[]")
    )
    trix_url: Mapped[str | None] = mapped_column(String(2000))
    # Dorset 4.5: who approved the version in force (the PPP Group, a Director, a Head of
    # Service on interim approval) and when; set at issue from the deciding stage, or given by
    # an imported tracker or the policy team.
    approved_by: Mapped[str | None] = mapped_column(String(200))
    approved_on: Mapped[date | None] = mapped_column(Date)
    # Dorset, Forms: the PPP Group's confirmation that the forms for this document are aligned
    # with it; it holds for the version approved on or before that day (register_fields.py).
    forms_aligned_on: Mapped[date | None] = mapped_column(Date)
    forms_aligned_by: Mapped[str | None] = mapped_column(String(200))
    # Numbers of the newest version and of the newest issued one ("0.3", "1.0"), kept by the
    # service so the register can show them without reading versions.
    latest_version: Mapped[str | None] = mapped_column(String(12))
    issued_version: Mapped[str | None] = mapped_column(String(12))
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    # Text of the newest version (any state) and of the newest issued version, kept by the
    # service so search never reads version rows. The tsvectors are generated from them.
    latest_text: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)
    published_text: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)
    search_all: Mapped[str] = mapped_column(
        TSVECTOR, Computed(_search_vector("latest_text"), persisted=True), deferred=True
    )
    search_published: Mapped[str] = mapped_column(
        TSVECTOR, Computed(_search_vector("published_text"), persisted=True), deferred=True
    )
    # The register entry's own words, small enough to test on every row a search reads.
    search_title: Mapped[str] = mapped_column(
        TSVECTOR, Computed(SEARCH_TITLE, persisted=True), deferred=True
    )
    search_summary: Mapped[str] = mapped_column(
        TSVECTOR, Computed(SEARCH_SUMMARY, persisted=True), deferred=True
    )

    __mapper_args__ = {"version_id_col": row_version}


def acting_responsible_officer_id(document: Document) -> uuid.UUID | None:
    """Who acts as the document's responsible officer."""
    # NCT: every procedure has an RO; when none is named the RSM (owner) stands in.
    return document.responsible_officer_id or document.owner_id


class DocumentVersion(IdMixin, Base):
    """One uploaded file of a document; kept forever (Cafcass: retain every draft)."""

    __tablename__ = "document_versions"
    __table_args__ = (
        UniqueConstraint("document_id", "major", "minor"),
        # What a version's file row refers to, with its organisation.
        UniqueConstraint("organisation_id", "id", name="uq_document_versions_organisation_id_id"),
        CheckConstraint("major >= 0 AND minor >= 0 AND (major > 0 OR minor > 0)", name="number"),
        # Only an issued version is withdrawn, and always with its reason.
        CheckConstraint(
            "withdrawn_at IS NULL OR (minor = 0 AND withdrawn_reason IS NOT NULL)",
            name="withdrawn",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_document_versions_document_documents",
            ondelete="CASCADE",
        ),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    document_id: Mapped[uuid.UUID]
    major: Mapped[int] = mapped_column(Integer)
    minor: Mapped[int] = mapped_column(Integer)
    change_summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=sql_text("now()"))
    # A Word draft's tracked insertions and deletions (NCT 4.1 v: Tri.x publishes only tracked
    # amendments), counted at upload; null for other files and for Word files uploaded before
    # they were counted (the changes_tracked gate counts those when it asks).
    tracked_insertions: Mapped[int | None] = mapped_column(Integer)
    tracked_deletions: Mapped[int | None] = mapped_column(Integer)
    issued_on: Mapped[date | None] = mapped_column(Date)
    # For issued versions: from when staff must follow it, and when a later issue replaced it.
    effective_on: Mapped[date | None] = mapped_column(Date)
    superseded_on: Mapped[date | None] = mapped_column(Date)
    # An issued version taken out of force without a successor (Dorset 4.5.2: the PPP Group
    # refused to ratify an interim approval); kept, like every version, with when and why.
    withdrawn_at: Mapped[datetime | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def number(self) -> str:
        return f"{self.major}.{self.minor}"

    @property
    def is_issued(self) -> bool:
        return self.minor == 0


class FileStore(StrEnum):
    """Where a version's bytes are (services/domain/documents/files.py)."""

    POSTGRES = "postgres"  # in the row itself: the default, embedded store
    S3 = "s3"  # an object in the S3-compatible store, keyed <organisation_id>/<version_id>


class VersionFile(Base):
    """The bytes of a version, apart from its metadata so listing versions stays light; or,
    when they are in the object store, the row that says so (and no bytes). Every version has
    one row, so a file is found wherever it is, in either store while files are moved."""

    __tablename__ = "version_files"
    __table_args__ = (
        same_organisation_fk(
            "version_files", "version_id", "document_versions", ondelete="CASCADE"
        ),
        CheckConstraint(f"store IN {values_of(FileStore)!r}", name="store"),
        # The bytes are in the row exactly when the row says they are in PostgreSQL.
        CheckConstraint("(store = 'postgres') = (content IS NOT NULL)", name="content_where_store"),
    )

    organisation_id: Mapped[uuid.UUID]
    version_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    store: Mapped[FileStore] = mapped_column(
        Status(FileStore, 10), default=FileStore.POSTGRES, server_default="postgres"
    )
    content: Mapped[bytes | None] = mapped_column(LargeBinary)


class DocumentLink(IdMixin, Base):
    """A typed, directed relation between two documents of one organisation."""

    __tablename__ = "document_links"
    __table_args__ = (
        UniqueConstraint("source_id", "target_id", "kind"),
        CheckConstraint("source_id <> target_id", name="not_self"),
        ForeignKeyConstraint(
            ["organisation_id", "source_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_document_links_source_documents",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "target_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_document_links_target_documents",
            ondelete="CASCADE",
        ),
        CheckConstraint(f"kind IN {LINK_KINDS!r}", name="kind"),
        Index("ix_document_links_target_id", "target_id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    source_id: Mapped[uuid.UUID]
    target_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))

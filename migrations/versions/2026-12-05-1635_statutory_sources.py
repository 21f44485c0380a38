"""Statutory sources (issue 20, item 2): the Acts, statutory guidance and inspection frameworks
documents depend on, the links, the changes recorded (by hand or from a feed) and what each
change did to each linked document.

Revision ID: adf969eec97a
Revises: b35d8051571d
Create Date: 2026-12-05 16:35:02.371555+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "adf969eec97a"
down_revision: str | None = "b35d8051571d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "statutory_sources",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("publisher", sa.String(length=200), server_default="", nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("feed_url", sa.String(length=2000), nullable=True),
        sa.Column("feed_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("feed_checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("feed_error", sa.Text(), server_default="", nullable=False),
        sa.Column("feed_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('act', 'statutory_guidance', 'inspection_framework', 'other')",
            name=op.f("ck_statutory_sources_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "created_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_statutory_sources_created_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_statutory_sources_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statutory_sources")),
        sa.UniqueConstraint(
            "organisation_id", "id", name="uq_statutory_sources_organisation_id_id"
        ),
        sa.UniqueConstraint("organisation_id", "title", name="uq_statutory_sources_title"),
    )
    op.create_index(
        "ix_statutory_sources_org_created",
        "statutory_sources",
        ["organisation_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "statutory_source_changes",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("feed_entry_id", sa.String(length=2000), nullable=True),
        sa.Column("feed_entry_link", sa.String(length=2000), nullable=True),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "(origin = 'feed') = (feed_entry_id IS NOT NULL)",
            name=op.f("ck_statutory_source_changes_feed_entry_given"),
        ),
        sa.CheckConstraint(
            "origin IN ('api', 'feed')", name=op.f("ck_statutory_source_changes_origin")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "recorded_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_statutory_source_changes_recorded_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "source_id"],
            ["statutory_sources.organisation_id", "statutory_sources.id"],
            name="fk_statutory_source_changes_source_id_statutory_sources",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_statutory_source_changes_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statutory_source_changes")),
        sa.UniqueConstraint(
            "organisation_id", "id", name="uq_statutory_source_changes_organisation_id_id"
        ),
        sa.UniqueConstraint("source_id", "feed_entry_id", name="uq_statutory_source_changes_entry"),
    )
    op.create_index(
        "ix_statutory_source_changes_source",
        "statutory_source_changes",
        ["source_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "statutory_source_links",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("linked_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_statutory_source_links_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "linked_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_statutory_source_links_linked_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "source_id"],
            ["statutory_sources.organisation_id", "statutory_sources.id"],
            name="fk_statutory_source_links_source_id_statutory_sources",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_statutory_source_links_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statutory_source_links")),
        sa.UniqueConstraint("source_id", "document_id", name="uq_statutory_source_links_pair"),
    )
    op.create_index(
        "ix_statutory_source_links_document",
        "statutory_source_links",
        ["document_id"],
        unique=False,
    )
    op.create_index(
        "ix_statutory_source_links_source",
        "statutory_source_links",
        ["source_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "statutory_source_impacts",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("change_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("document_status", sa.String(length=30), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("review_id", sa.Uuid(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("responsible_officer_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('review_opened', 'already_under_review', 'being_amended', 'not_in_force')",
            name=op.f("ck_statutory_source_impacts_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "change_id"],
            ["statutory_source_changes.organisation_id", "statutory_source_changes.id"],
            name="fk_statutory_source_impacts_change_id_statutory_source_changes",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_statutory_source_impacts_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "owner_id"],
            ["people.organisation_id", "people.id"],
            name="fk_statutory_source_impacts_owner_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "responsible_officer_id"],
            ["people.organisation_id", "people.id"],
            name="fk_statutory_source_impacts_responsible_officer_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "review_id"],
            ["reviews.organisation_id", "reviews.id"],
            name="fk_statutory_source_impacts_review_id_reviews",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_statutory_source_impacts_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statutory_source_impacts")),
        sa.UniqueConstraint("change_id", "document_id", name="uq_statutory_source_impacts_pair"),
    )
    op.create_index(
        "ix_statutory_source_impacts_change",
        "statutory_source_impacts",
        ["change_id", "reference"],
        unique=False,
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_index("ix_statutory_source_impacts_change", table_name="statutory_source_impacts")
    op.drop_table("statutory_source_impacts")
    op.drop_index("ix_statutory_source_links_source", table_name="statutory_source_links")
    op.drop_index("ix_statutory_source_links_document", table_name="statutory_source_links")
    op.drop_table("statutory_source_links")
    op.drop_index("ix_statutory_source_changes_source", table_name="statutory_source_changes")
    op.drop_table("statutory_source_changes")
    op.drop_index("ix_statutory_sources_org_created", table_name="statutory_sources")
    op.drop_table("statutory_sources")

"""reviews and update cycles

Revision ID: 86d827131189
Revises: b110607d2bc0
Create Date: 2026-11-24 03:41:29.261599+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "86d827131189"
down_revision: str | None = "b110607d2bc0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "update_cycles",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("submission_deadline", sa.Date(), nullable=False),
        sa.Column("carried_from_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
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
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_update_cycles_status")),
        sa.ForeignKeyConstraint(
            ["carried_from_id"],
            ["update_cycles.id"],
            name=op.f("fk_update_cycles_carried_from_id_update_cycles"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "created_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_update_cycles_created_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_update_cycles_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_cycles")),
        sa.UniqueConstraint("organisation_id", "id", name="uq_update_cycles_organisation_id_id"),
    )
    op.create_index(
        "ix_update_cycles_org_status",
        "update_cycles",
        ["organisation_id", "status", "submission_deadline"],
        unique=False,
    )
    op.create_table(
        "update_cycle_items",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("cycle_id", sa.Uuid(), nullable=False),
        sa.Column("chapter", sa.String(length=300), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("recommendation", sa.Text(), nullable=False),
        sa.Column("assigned_to_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("outcome_note", sa.Text(), server_default="", nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("carried_from_item_id", sa.Uuid(), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
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
            "status IN ('pending', 'accepted', 'rejected', 'amended', 'carried_over')",
            name=op.f("ck_update_cycle_items_status"),
        ),
        sa.ForeignKeyConstraint(
            ["carried_from_item_id"],
            ["update_cycle_items.id"],
            name=op.f("fk_update_cycle_items_carried_from_item_id_update_cycle_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "assigned_to_id"],
            ["people.organisation_id", "people.id"],
            name="fk_update_cycle_items_assigned_to_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "cycle_id"],
            ["update_cycles.organisation_id", "update_cycles.id"],
            name="fk_update_cycle_items_cycle_id_update_cycles",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "decided_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_update_cycle_items_decided_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_update_cycle_items_document_id_documents",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_update_cycle_items_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_cycle_items")),
    )
    op.create_index(
        "ix_update_cycle_items_assigned_to_id",
        "update_cycle_items",
        ["assigned_to_id", "status"],
        unique=False,
    )
    op.create_index(
        "ix_update_cycle_items_cycle_id", "update_cycle_items", ["cycle_id", "status"], unique=False
    )
    op.create_index(
        "ix_update_cycle_items_document_id", "update_cycle_items", ["document_id"], unique=False
    )
    op.create_table(
        "reviews",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("trigger", sa.String(length=40), nullable=True),
        sa.Column("trigger_detail", sa.Text(), server_default="", nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("previous_status", sa.String(length=30), nullable=False),
        sa.Column("started_by_id", sa.Uuid(), nullable=True),
        sa.Column("no_change_statement", sa.Text(), server_default="", nullable=False),
        sa.Column("statement_by_id", sa.Uuid(), nullable=True),
        sa.Column("confirmed_by_id", sa.Uuid(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("amended_version_id", sa.Uuid(), nullable=True),
        sa.Column("update_cycle_item_id", sa.Uuid(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
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
            "(kind = 'unscheduled') = (trigger IS NOT NULL)", name=op.f("ck_reviews_trigger_given")
        ),
        sa.CheckConstraint(
            "kind IN ('scheduled', 'unscheduled', 'update_cycle')", name=op.f("ck_reviews_kind")
        ),
        sa.CheckConstraint("outcome IN ('no_change', 'amended')", name=op.f("ck_reviews_outcome")),
        sa.CheckConstraint(
            "status IN ('in_progress', 'awaiting_confirmation', 'completed', 'cancelled')",
            name=op.f("ck_reviews_status"),
        ),
        sa.CheckConstraint(
            "trigger IN ('case_audit_recommendation', 'practice_or_structure_change', 'legislation_or_guidance_change', 'confirmed_gap', 'safeguarding_practice_review', 'inspection_advice', 'other')",
            name=op.f("ck_reviews_trigger"),
        ),
        sa.ForeignKeyConstraint(
            ["amended_version_id"],
            ["document_versions.id"],
            name="fk_reviews_amended_version_id_document_versions",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "confirmed_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_reviews_confirmed_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_reviews_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "requested_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_reviews_requested_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "started_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_reviews_started_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "statement_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_reviews_statement_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_reviews_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["update_cycle_item_id"],
            ["update_cycle_items.id"],
            name=op.f("fk_reviews_update_cycle_item_id_update_cycle_items"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("organisation_id", "id", name="uq_reviews_organisation_id_id"),
    )
    op.create_index(
        "ix_reviews_document_id", "reviews", ["document_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_reviews_org_status",
        "reviews",
        ["organisation_id", "status", "created_at"],
        unique=False,
    )
    op.create_index(
        "uq_reviews_open_document",
        "reviews",
        ["document_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('in_progress', 'awaiting_confirmation')"),
    )
    op.create_table(
        "review_documents",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("review_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=300), server_default="", nullable=False),
        sa.Column("added_by_id", sa.Uuid(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id", "added_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_review_documents_added_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_review_documents_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "review_id"],
            ["reviews.organisation_id", "reviews.id"],
            name="fk_review_documents_review_id_reviews",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_review_documents_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_documents")),
        sa.UniqueConstraint(
            "review_id", "document_id", name=op.f("uq_review_documents_review_id_document_id")
        ),
    )
    op.create_index(
        "ix_review_documents_document_id", "review_documents", ["document_id"], unique=False
    )
    op.add_column("documents", sa.Column("last_reviewed_on", sa.Date(), nullable=True))
    op.create_index(
        "ix_documents_tracker_summary",
        "documents",
        ["organisation_id", "service_area", "next_review_due"],
        unique=False,
        postgresql_where=sa.text(
            "next_review_due IS NOT NULL AND status NOT IN ('retired', 'superseded')"
        ),
    )
    op.add_column(
        "people",
        sa.Column("calendar_feed_version", sa.Integer(), server_default="1", nullable=False),
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_column("people", "calendar_feed_version")
    op.drop_index(
        "ix_documents_tracker_summary",
        table_name="documents",
        postgresql_where=sa.text(
            "next_review_due IS NOT NULL AND status NOT IN ('retired', 'superseded')"
        ),
    )
    op.drop_column("documents", "last_reviewed_on")
    op.drop_index("ix_review_documents_document_id", table_name="review_documents")
    op.drop_table("review_documents")
    op.drop_index(
        "uq_reviews_open_document",
        table_name="reviews",
        postgresql_where=sa.text("status IN ('in_progress', 'awaiting_confirmation')"),
    )
    op.drop_index("ix_reviews_org_status", table_name="reviews")
    op.drop_index("ix_reviews_document_id", table_name="reviews")
    op.drop_table("reviews")
    op.drop_index("ix_update_cycle_items_document_id", table_name="update_cycle_items")
    op.drop_index("ix_update_cycle_items_cycle_id", table_name="update_cycle_items")
    op.drop_index("ix_update_cycle_items_assigned_to_id", table_name="update_cycle_items")
    op.drop_table("update_cycle_items")
    op.drop_index("ix_update_cycles_org_status", table_name="update_cycles")
    op.drop_table("update_cycles")

"""Engagement sessions (LBBD 4 co-production workshops, NCT 4.1 review sessions): who came,
the notes and the actions, linked to the draft they shaped.

Revision ID: 6b19cfe76e80
Revises: 7b3e1f4a9c21
Create Date: 2026-12-05 11:49:26.719053+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "6b19cfe76e80"
down_revision: str | None = "7b3e1f4a9c21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "engagement_sessions",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("facilitator_id", sa.Uuid(), nullable=True),
        sa.Column(
            "attendees",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "actions", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column("status", sa.String(length=20), server_default="planned", nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
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
            "kind IN ('workshop', 'co_production', 'review_session', 'other')",
            name=op.f("ck_engagement_sessions_kind"),
        ),
        sa.CheckConstraint(
            "status <> 'held' OR held_at IS NOT NULL", name=op.f("ck_engagement_sessions_held")
        ),
        sa.CheckConstraint(
            "status IN ('planned', 'held', 'cancelled')", name=op.f("ck_engagement_sessions_status")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_engagement_sessions_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "facilitator_id"],
            ["people.organisation_id", "people.id"],
            name="fk_engagement_sessions_facilitator_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "recorded_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_engagement_sessions_recorded_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "version_id"],
            ["document_versions.organisation_id", "document_versions.id"],
            name="fk_engagement_sessions_version_id_document_versions",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_engagement_sessions_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_sessions")),
        sa.UniqueConstraint(
            "organisation_id", "id", name="uq_engagement_sessions_organisation_id_id"
        ),
    )
    op.create_index(
        "ix_engagement_sessions_document_id",
        "engagement_sessions",
        ["document_id", "held_on", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_index("ix_engagement_sessions_document_id", table_name="engagement_sessions")
    op.drop_table("engagement_sessions")

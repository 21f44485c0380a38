""" "You said, we did": a consultation's public summary of each theme, what was said and what
changed, frozen when published and sent to its consultees once.

Revision ID: 9d4b6f2a8c31
Revises: 9d2b6f4a8c31
Create Date: 2026-12-05 17:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "9d4b6f2a8c31"
down_revision: str | None = "9d2b6f4a8c31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "consultation_summaries"


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        TABLE,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("consultation_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("introduction", sa.Text(), server_default="", nullable=False),
        sa.Column("themes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("compared_version_id", sa.Uuid(), nullable=True),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("changes_total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("missing_at_issue", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Uuid(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("status IN ('draft', 'published')", name=op.f(f"ck_{TABLE}_status")),
        sa.CheckConstraint(
            "(status = 'published') = (published_at IS NOT NULL)",
            name=op.f(f"ck_{TABLE}_published_when"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=f"fk_{TABLE}_organisation_id_organisations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "consultation_id"],
            ["consultations.organisation_id", "consultations.id"],
            name=f"fk_{TABLE}_consultation_id_consultations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["compared_version_id"],
            ["document_versions.id"],
            name=f"fk_{TABLE}_compared_version_id_document_versions",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "published_by_id"],
            ["people.organisation_id", "people.id"],
            name=f"fk_{TABLE}_published_by_id_people",
        ),
        sa.PrimaryKeyConstraint("id", name=f"pk_{TABLE}"),
        sa.UniqueConstraint("consultation_id", name=f"uq_{TABLE}_consultation_id"),
    )


def downgrade() -> None:
    op.drop_table(TABLE)

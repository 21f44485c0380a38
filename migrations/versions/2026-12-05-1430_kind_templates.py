"""A kind's template (Dorset aim v: "Develop guidelines and templates for the distinct types of
governance document"): its file, guidelines and the headings its drafts must have.

Revision ID: 7c1e9a3f5b28
Revises: 5a8c2e4d6f19
Create Date: 2026-12-05 14:30:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7c1e9a3f5b28"
down_revision: str | None = "5a8c2e4d6f19"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "kind_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("kind_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("guidelines", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "required_headings",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column("uploaded_by_id", sa.Uuid(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name="fk_kind_templates_organisation_id_organisations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["kind_id"],
            ["document_kinds.id"],
            name="fk_kind_templates_kind_id_document_kinds",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "uploaded_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_kind_templates_uploaded_by_id_people",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_kind_templates"),
        sa.UniqueConstraint("kind_id", name="uq_kind_templates_kind_id"),
    )


def downgrade() -> None:
    op.drop_table("kind_templates")

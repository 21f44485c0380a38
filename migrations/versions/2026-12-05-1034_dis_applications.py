"""Dis-applications (Cafcass 6.1): a part of a document set aside for a team or area, decided
by the post the organisation names; the organisation's decider and reminder days.

Revision ID: 92d4fa9f0c80
Revises: 5c1911a6d93a
Create Date: 2026-12-05 10:34:00.393602+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "92d4fa9f0c80"
down_revision: str | None = "5c1911a6d93a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "dis_applications",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("issued_version", sa.String(length=12), nullable=True),
        sa.Column("section", sa.String(length=500), nullable=False),
        sa.Column("applies_to", sa.String(length=200), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("risks", sa.Text(), nullable=False),
        sa.Column("mitigation", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=False),
        sa.Column("discussed_with_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="requested", nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), server_default="", nullable=False),
        sa.Column("ended_by_id", sa.Uuid(), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.Text(), server_default="", nullable=False),
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
            "(status IN ('approved', 'refused', 'revoked', 'expired')) = (decided_at IS NOT NULL)",
            name=op.f("ck_dis_applications_decided"),
        ),
        sa.CheckConstraint(
            "status IN ('requested', 'approved', 'refused', 'withdrawn', 'revoked', 'expired')",
            name=op.f("ck_dis_applications_status"),
        ),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_dis_applications_dates")),
        sa.ForeignKeyConstraint(
            ["organisation_id", "decided_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_dis_applications_decided_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "discussed_with_id"],
            ["people.organisation_id", "people.id"],
            name="fk_dis_applications_discussed_with_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_dis_applications_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "ended_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_dis_applications_ended_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "requested_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_dis_applications_requested_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_dis_applications_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dis_applications")),
        sa.UniqueConstraint("organisation_id", "id", name="uq_dis_applications_organisation_id_id"),
    )
    op.create_index(
        "ix_dis_applications_document_id",
        "dis_applications",
        ["document_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_dis_applications_org_status_ends",
        "dis_applications",
        ["organisation_id", "status", "ends_on"],
        unique=False,
    )
    op.add_column(
        "organisations",
        sa.Column(
            "dis_application_decider",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text('\'{"kind": "document_role", "role": "owner"}\'::jsonb'),
            nullable=False,
        ),
    )
    op.add_column(
        "organisations",
        sa.Column(
            "dis_application_reminder_days",
            postgresql.ARRAY(sa.Integer()),
            server_default=sa.text("'{14,2}'::integer[]"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_column("organisations", "dis_application_reminder_days")
    op.drop_column("organisations", "dis_application_decider")
    op.drop_index("ix_dis_applications_org_status_ends", table_name="dis_applications")
    op.drop_index("ix_dis_applications_document_id", table_name="dis_applications")
    op.drop_table("dis_applications")

"""consultations

Revision ID: b110607d2bc0
Revises: c94993ad4030
Create Date: 2026-11-24 02:51:49.574558+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b110607d2bc0"
down_revision: str | None = "c94993ad4030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "consultations",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=True),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closing_rule", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("deemed_agreement", sa.Boolean(), nullable=False),
        sa.Column("reminder_days", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("board_ids", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("questions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("opened_by_id", sa.Uuid(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Uuid(), nullable=True),
        sa.Column("cancel_reason", sa.Text(), server_default="", nullable=False),
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
            "kind IN ('internal', 'pre_meeting', 'public')", name=op.f("ck_consultations_kind")
        ),
        sa.CheckConstraint(
            "status IN ('scheduled', 'open', 'closed', 'cancelled')",
            name=op.f("ck_consultations_status"),
        ),
        sa.CheckConstraint(
            "closes_at > opens_at", name=op.f("ck_consultations_closes_after_opening")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name="fk_consultations_meeting_id_meetings"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_consultations_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "opened_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_consultations_opened_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_consultations_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name="fk_consultations_version_id_document_versions",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
        sa.UniqueConstraint("organisation_id", "id", name="uq_consultations_organisation_id_id"),
    )
    op.create_index(
        "ix_consultations_document_id", "consultations", ["document_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_consultations_due",
        "consultations",
        ["status", "closes_at"],
        unique=False,
        postgresql_where=sa.text("status IN ('scheduled', 'open')"),
    )
    op.create_index(
        "ix_consultations_org_status",
        "consultations",
        ["organisation_id", "status", "closes_at"],
        unique=False,
    )
    op.create_table(
        "consultees",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("consultation_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("represents", sa.String(length=200), server_default="", nullable=False),
        sa.Column("via_board_id", sa.Uuid(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("link_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("link_revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "(kind = 'person') = (person_id IS NOT NULL)", name=op.f("ck_consultees_person")
        ),
        sa.CheckConstraint("kind IN ('person', 'external')", name=op.f("ck_consultees_kind")),
        sa.ForeignKeyConstraint(
            ["organisation_id", "consultation_id"],
            ["consultations.organisation_id", "consultations.id"],
            name="fk_consultees_consultation_id_consultations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "person_id"],
            ["people.organisation_id", "people.id"],
            name="fk_consultees_person_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "via_board_id"],
            ["boards.organisation_id", "boards.id"],
            name="fk_consultees_via_board_id_boards",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_consultees_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultees")),
    )
    op.create_index("ix_consultees_person_id", "consultees", ["person_id"], unique=False)
    op.create_index(
        "uq_consultees_external_email",
        "consultees",
        ["consultation_id", sa.literal_column("lower(email)")],
        unique=True,
        postgresql_where=sa.text("kind = 'external'"),
    )
    op.create_index(
        "uq_consultees_person",
        "consultees",
        ["consultation_id", "person_id"],
        unique=True,
        postgresql_where=sa.text("person_id IS NOT NULL"),
    )
    op.create_table(
        "consultation_responses",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("consultation_id", sa.Uuid(), nullable=False),
        sa.Column("consultee_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.String(length=30), nullable=False),
        sa.Column("comments", sa.Text(), server_default="", nullable=False),
        sa.Column("answers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_late", sa.Boolean(), nullable=False),
        sa.Column("amendments", sa.Integer(), server_default="0", nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("themes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("handling", sa.String(length=30), nullable=True),
        sa.Column("handling_note", sa.Text(), server_default="", nullable=False),
        sa.Column("addressed_in_version_id", sa.Uuid(), nullable=True),
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
            "handling IN ('accepted', 'partly_accepted', 'not_accepted', 'no_change_needed')",
            name=op.f("ck_consultation_responses_handling"),
        ),
        sa.CheckConstraint(
            "position IN ('support', 'support_with_comments', 'object', 'no_view', 'deemed_agreement')",
            name=op.f("ck_consultation_responses_position"),
        ),
        sa.ForeignKeyConstraint(
            ["addressed_in_version_id"],
            ["document_versions.id"],
            name="fk_consultation_responses_addressed_in_version_id_versions",
        ),
        sa.ForeignKeyConstraint(
            ["consultee_id"],
            ["consultees.id"],
            name="fk_consultation_responses_consultee_id_consultees",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "consultation_id"],
            ["consultations.organisation_id", "consultations.id"],
            name="fk_consultation_responses_consultation_id_consultations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "recorded_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_consultation_responses_recorded_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_consultation_responses_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_responses")),
        sa.UniqueConstraint("consultee_id", name="uq_consultation_responses_consultee_id"),
    )
    op.create_index(
        "ix_consultation_responses_consultation_id",
        "consultation_responses",
        ["consultation_id", "submitted_at"],
        unique=False,
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_index("ix_consultation_responses_consultation_id", table_name="consultation_responses")
    op.drop_table("consultation_responses")
    op.drop_index(
        "uq_consultees_person",
        table_name="consultees",
        postgresql_where=sa.text("person_id IS NOT NULL"),
    )
    op.drop_index(
        "uq_consultees_external_email",
        table_name="consultees",
        postgresql_where=sa.text("kind = 'external'"),
    )
    op.drop_index("ix_consultees_person_id", table_name="consultees")
    op.drop_table("consultees")
    op.drop_index("ix_consultations_org_status", table_name="consultations")
    op.drop_index(
        "ix_consultations_due",
        table_name="consultations",
        postgresql_where=sa.text("status IN ('scheduled', 'open')"),
    )
    op.drop_index("ix_consultations_document_id", table_name="consultations")
    op.drop_table("consultations")

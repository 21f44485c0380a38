"""no material change statements: the RO carries an assessment of a draft to a later one

Revision ID: 064bf4c29238
Revises: 5c1e0a7d9b42
Create Date: 2026-12-03 18:51:27.776315+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "064bf4c29238"
down_revision: str | None = "5c1e0a7d9b42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "no_material_change_statements",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("assessment_kind", sa.String(length=30), nullable=False),
        sa.Column("equality_assessment_id", sa.Uuid(), nullable=True),
        sa.Column("legal_review_id", sa.Uuid(), nullable=True),
        sa.Column("fitness_check_id", sa.Uuid(), nullable=True),
        sa.Column("assessed_version_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("stated_by_id", sa.Uuid(), nullable=False),
        sa.Column("stated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
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
            "(assessment_kind = 'equality_assessment') = (equality_assessment_id IS NOT NULL) AND (assessment_kind = 'legal_review') = (legal_review_id IS NOT NULL) AND (assessment_kind = 'fitness_check') = (fitness_check_id IS NOT NULL)",
            name=op.f("ck_no_material_change_statements_one_assessment"),
        ),
        sa.CheckConstraint(
            "assessment_kind IN ('equality_assessment', 'legal_review', 'fitness_check')",
            name=op.f("ck_no_material_change_statements_assessment_kind"),
        ),
        sa.CheckConstraint(
            "assessed_version_id <> version_id",
            name=op.f("ck_no_material_change_statements_two_drafts"),
        ),
        sa.ForeignKeyConstraint(
            ["assessed_version_id"],
            ["document_versions.id"],
            name="fk_no_material_change_statements_assessed_version",
        ),
        sa.ForeignKeyConstraint(
            ["equality_assessment_id"],
            ["equality_assessments.id"],
            name="fk_no_material_change_statements_equality_assessment",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["fitness_check_id"],
            ["fitness_checks.id"],
            name="fk_no_material_change_statements_fitness_check",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["legal_review_id"],
            ["legal_reviews.id"],
            name="fk_no_material_change_statements_legal_review",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_no_material_change_statements_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "stated_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_no_material_change_statements_stated_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_no_material_change_statements_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["no_material_change_statements.id"],
            name="fk_no_material_change_statements_supersedes",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name="fk_no_material_change_statements_version_id_document_versions",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_no_material_change_statements")),
        sa.UniqueConstraint("supersedes_id", name="uq_no_material_change_statements_supersedes_id"),
    )
    op.create_index(
        "ix_no_material_change_statements_document_id",
        "no_material_change_statements",
        ["document_id", "created_at"],
        unique=False,
    )
    # A statement is never changed (a correction is a new one): the database refuses edits.
    op.execute(
        """
        CREATE FUNCTION no_material_change_statements_unchanged() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'no_material_change_statements are never changed (% refused)', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER no_material_change_statements_unchanged
            BEFORE UPDATE ON no_material_change_statements
            FOR EACH ROW EXECUTE FUNCTION no_material_change_statements_unchanged()
        """
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute(
        "DROP TRIGGER IF EXISTS no_material_change_statements_unchanged "
        "ON no_material_change_statements"
    )
    op.execute("DROP FUNCTION IF EXISTS no_material_change_statements_unchanged()")
    op.drop_index(
        "ix_no_material_change_statements_document_id", table_name="no_material_change_statements"
    )
    op.drop_table("no_material_change_statements")

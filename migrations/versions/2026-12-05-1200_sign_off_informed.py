"""Informing without deciding (LBBD stage 9): the people a sign-off stage showed the draft
to, and when they acknowledged it.

Revision ID: 3f6a1c2b9d41
Revises: 6b19cfe76e80
Create Date: 2026-12-05 12:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f6a1c2b9d41"
down_revision: str | None = "6b19cfe76e80"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "sign_off_informed",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("sign_off_id", sa.Uuid(), nullable=False),
        sa.Column("stage_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("post", sa.String(length=60), nullable=True),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("informed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), server_default="", nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_sign_off_informed_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "sign_off_id"],
            ["sign_offs.organisation_id", "sign_offs.id"],
            name="fk_sign_off_informed_sign_off_id_sign_offs",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "stage_id"],
            ["sign_off_stages.organisation_id", "sign_off_stages.id"],
            name="fk_sign_off_informed_stage_id_sign_off_stages",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "person_id"],
            ["people.organisation_id", "people.id"],
            name="fk_sign_off_informed_person_id_people",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_off_informed")),
        sa.UniqueConstraint(
            "stage_id", "person_id", name=op.f("uq_sign_off_informed_stage_id_person_id")
        ),
    )
    op.create_index(
        "ix_sign_off_informed_sign_off_id", "sign_off_informed", ["sign_off_id"], unique=False
    )
    op.create_index(
        "ix_sign_off_informed_person_id", "sign_off_informed", ["person_id"], unique=False
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_index("ix_sign_off_informed_person_id", table_name="sign_off_informed")
    op.drop_index("ix_sign_off_informed_sign_off_id", table_name="sign_off_informed")
    op.drop_table("sign_off_informed")

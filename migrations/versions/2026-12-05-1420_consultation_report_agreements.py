"""The consultation report agreed (Cafcass 4.7: "Once the report has been agreed by the Policy
Sponsor at CMT the report can be shared at ECMT"): who agreed it, at which board and meeting,
on which day; once per consultation.

Revision ID: 5a8c2e4d6f19
Revises: 4e9a7c3b2d15
Create Date: 2026-12-05 14:20:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5a8c2e4d6f19"
down_revision: str | None = "4e9a7c3b2d15"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "consultation_report_agreements"


def _same_organisation(column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["organisation_id", column],
        [f"{target}.organisation_id", f"{target}.id"],
        name=f"fk_{TABLE}_{column}_{target}",
    )


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        TABLE,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("consultation_id", sa.Uuid(), nullable=False),
        sa.Column("agreed_by_id", sa.Uuid(), nullable=False),
        sa.Column("board_id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=True),
        sa.Column("agreed_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
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
        _same_organisation("agreed_by_id", "people"),
        _same_organisation("board_id", "boards"),
        _same_organisation("meeting_id", "meetings"),
        _same_organisation("recorded_by_id", "people"),
        sa.PrimaryKeyConstraint("id", name=f"pk_{TABLE}"),
        sa.UniqueConstraint("consultation_id", name=f"uq_{TABLE}_consultation_id"),
    )


def downgrade() -> None:
    op.drop_table(TABLE)

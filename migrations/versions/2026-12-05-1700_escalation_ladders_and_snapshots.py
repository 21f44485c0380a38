"""Escalation ladders and the tracker's weekly RAG snapshots (issue 20, item 5): the
organisation's ladder (null: the default, one rung to the escalation contact), and a snapshot
per organisation and week with its counts per service area and RAG status.

Revision ID: 9d2b6f4a8c31
Revises: adf969eec97a
Create Date: 2026-12-05 17:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "9d2b6f4a8c31"
down_revision: str | None = "adf969eec97a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column(
        "organisations",
        sa.Column("escalation_ladder", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    op.create_table(
        "tracker_snapshots",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("week_starting", sa.Date(), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "extract(isodow from week_starting) = 1",
            name="ck_tracker_snapshots_week_starting_monday",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name="fk_tracker_snapshots_organisation_id_organisations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_tracker_snapshots"),
        sa.UniqueConstraint("organisation_id", "week_starting", name="uq_tracker_snapshots_week"),
        sa.UniqueConstraint(
            "organisation_id", "id", name="uq_tracker_snapshots_organisation_id_id"
        ),
    )
    op.create_table(
        "tracker_snapshot_counts",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("snapshot_id", sa.Uuid(), nullable=False),
        sa.Column("service_area", sa.String(length=200), nullable=False),
        sa.Column("rag", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint("count >= 0", name="ck_tracker_snapshot_counts_count"),
        sa.CheckConstraint(
            "rag IN ('green', 'amber', 'red')", name="ck_tracker_snapshot_counts_rag"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "snapshot_id"],
            ["tracker_snapshots.organisation_id", "tracker_snapshots.id"],
            name="fk_tracker_snapshot_counts_snapshot_id_tracker_snapshots",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name="fk_tracker_snapshot_counts_organisation_id_organisations",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "snapshot_id", "service_area", "rag", name="pk_tracker_snapshot_counts"
        ),
    )


def downgrade() -> None:
    op.drop_table("tracker_snapshot_counts")
    op.drop_table("tracker_snapshots")
    op.drop_column("organisations", "escalation_ladder")

"""the review sweep reads what may have changed since its last run, not every document due

Revision ID: 5d2a8f3c1b70
Revises: 4b7e1c9d2a55
Create Date: 2026-12-04 23:47:20.941420+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d2a8f3c1b70"
down_revision: str | None = "4b7e1c9d2a55"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    # Where the review sweep got to (services/domain/notifications/review_window.py). With no
    # row, its first run after this upgrade reads everything due, as before.
    op.create_table(
        "sweep_marks",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("swept_on", sa.Date(), nullable=False),
        sa.Column("changes_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rules", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sweep_marks")),
    )
    # The documents changed since the sweep's last run.
    op.create_index("ix_documents_updated_at", "documents", ["updated_at"])


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_index("ix_documents_updated_at", table_name="documents")
    op.drop_table("sweep_marks")

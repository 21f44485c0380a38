"""the tracker's page for a service area reads that area's review dates, not everyone's

Revision ID: 8f1c6a4e2d93
Revises: 7e3b9c2d4f81
Create Date: 2026-12-05 02:50:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8f1c6a4e2d93"
down_revision: str | None = "7e3b9c2d4f81"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    # In a register shared by 500 organisations, a service area's "due soon" page read every
    # organisation's documents due in the window (11,100) to find 23.
    op.create_index(
        "ix_documents_tracker_area_due",
        "documents",
        ["organisation_id", sa.text("lower(service_area)"), "next_review_due"],
        postgresql_where=sa.text(
            "next_review_due IS NOT NULL AND status NOT IN ('retired', 'superseded')"
        ),
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_index("ix_documents_tracker_area_due", table_name="documents")

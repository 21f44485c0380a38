"""Tracked changes (NCT 4.1 v): each Word version's tracked insertions and deletions, counted
at upload, which the changes_tracked gate reads. Versions uploaded before stay null and are
counted when the gate asks.

Revision ID: 8d2c4e6f1a37
Revises: eaec38950986
Create Date: 2026-12-05 14:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8d2c4e6f1a37"
down_revision: str | None = "eaec38950986"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("document_versions", sa.Column("tracked_insertions", sa.Integer()))
    op.add_column("document_versions", sa.Column("tracked_deletions", sa.Integer()))


def downgrade() -> None:
    op.drop_column("document_versions", "tracked_deletions")
    op.drop_column("document_versions", "tracked_insertions")

"""Register fields Dorset asks for (issue 19 item 8): who approved the version in force and
when, and the PPP Group's confirmation that the document's forms are aligned with it.

Revision ID: 7b3e1f4a9c21
Revises: 92d4fa9f0c80
Create Date: 2026-12-05 11:50:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7b3e1f4a9c21"
down_revision: str | None = "92d4fa9f0c80"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("documents", sa.Column("approved_by", sa.String(length=200), nullable=True))
    op.add_column("documents", sa.Column("approved_on", sa.Date(), nullable=True))
    op.add_column("documents", sa.Column("forms_aligned_on", sa.Date(), nullable=True))
    op.add_column("documents", sa.Column("forms_aligned_by", sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_column("documents", "forms_aligned_by")
    op.drop_column("documents", "forms_aligned_on")
    op.drop_column("documents", "approved_on")
    op.drop_column("documents", "approved_by")

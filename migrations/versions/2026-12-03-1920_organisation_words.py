"""organisation words: role titles and citations per organisation

Revision ID: 3f6c1a9d2b47
Revises: 064bf4c29238
Create Date: 2026-12-03 09:10:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "3f6c1a9d2b47"
down_revision: str | None = "064bf4c29238"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    # A constant default: PostgreSQL adds the column without rewriting the table.
    op.add_column(
        "organisations",
        sa.Column(
            "words",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_column("organisations", "words")

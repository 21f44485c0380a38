"""self-approved sign-off decisions

Revision ID: 3f6d1c2a9b70
Revises: 86d827131189
Create Date: 2026-12-03 19:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f6d1c2a9b70"
down_revision: str | None = "86d827131189"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    # A constant default: PostgreSQL adds the column without rewriting the table.
    op.add_column(
        "sign_off_decisions",
        sa.Column("is_self_approved", sa.Boolean(), server_default="false", nullable=False),
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_column("sign_off_decisions", "is_self_approved")

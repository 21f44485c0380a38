"""a webhook delivery replayed while pending is cancelled, superseded by the replay

Revision ID: 8d2f4b6a1c39
Revises: 3f6c1a9d2b47
Create Date: 2026-12-03 23:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8d2f4b6a1c39"
down_revision: str | None = "3f6c1a9d2b47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    # A nullable column without a default: no table rewrite.
    op.add_column("webhook_deliveries", sa.Column("superseded_by", sa.Uuid(), nullable=True))
    op.drop_constraint(op.f("ck_webhook_deliveries_status"), "webhook_deliveries", type_="check")
    op.create_check_constraint(
        op.f("ck_webhook_deliveries_status"),
        "webhook_deliveries",
        "status IN ('pending', 'sending', 'delivered', 'failed', 'cancelled')",
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute("UPDATE webhook_deliveries SET status = 'failed' WHERE status = 'cancelled'")
    op.drop_constraint(op.f("ck_webhook_deliveries_status"), "webhook_deliveries", type_="check")
    op.create_check_constraint(
        op.f("ck_webhook_deliveries_status"),
        "webhook_deliveries",
        "status IN ('pending', 'sending', 'delivered', 'failed')",
    )
    op.drop_column("webhook_deliveries", "superseded_by")

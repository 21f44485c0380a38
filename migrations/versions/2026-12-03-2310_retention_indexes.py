"""retention indexes: the daily prune finds what has outlived its use by age

Revision ID: c4d7e9a1f306
Revises: 9b2e4c7d1a05
Create Date: 2026-12-03 23:10:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4d7e9a1f306"
down_revision: str | None = "9b2e4c7d1a05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_index("ix_idempotency_records_created_at", "idempotency_records", ["created_at"])
    op.create_index(
        "ix_outbox_events_published",
        "outbox_events",
        ["created_at"],
        postgresql_where=sa.text("published_at IS NOT NULL"),
    )
    op.create_index(
        "ix_notifications_prunable",
        "notifications",
        ["created_at"],
        postgresql_where=sa.text(
            "document_id IS NULL AND status IN ('sent', 'failed', 'cancelled')"
        ),
    )
    op.create_index(
        "ix_webhook_deliveries_finished",
        "webhook_deliveries",
        ["created_at"],
        postgresql_where=sa.text("status IN ('delivered', 'failed', 'cancelled')"),
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_index("ix_webhook_deliveries_finished", table_name="webhook_deliveries")
    op.drop_index("ix_notifications_prunable", table_name="notifications")
    op.drop_index("ix_outbox_events_published", table_name="outbox_events")
    op.drop_index("ix_idempotency_records_created_at", table_name="idempotency_records")

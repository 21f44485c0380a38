"""one request id (and trace context) follows a change from the request to the inbox

Revision ID: 3c7e1a9b5d20
Revises: b3e7f1a9c2d4
Create Date: 2026-12-05 10:30:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c7e1a9b5d20"
down_revision: str | None = "b3e7f1a9c2d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("outbox_events", "notifications", "webhook_deliveries")


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    # Nullable, no default: a catalogue change only, whatever the tables hold; older rows and
    # what no request caused (a sweep's reminders) have none.
    for table in TABLES:
        op.add_column(table, sa.Column("request_id", sa.String(length=128), nullable=True))
        op.add_column(table, sa.Column("traceparent", sa.String(length=100), nullable=True))


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    for table in TABLES:
        op.drop_column(table, "traceparent")
        op.drop_column(table, "request_id")

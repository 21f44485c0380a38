"""idempotency keys per caller: scoped to the API key or person that sent them

Revision ID: 9b2e4c7d1a05
Revises: 8d2f4b6a1c39
Create Date: 2026-12-03 23:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9b2e4c7d1a05"
down_revision: str | None = "8d2f4b6a1c39"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Records kept from before keys had a caller belong to nobody: no caller sends as the nil
# UUID, so they are never replayed again and only wait to expire (the retention sweep).
NOBODY = "00000000-0000-0000-0000-000000000000"


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    # A constant default: PostgreSQL adds the column without rewriting the table.
    op.add_column(
        "idempotency_records",
        sa.Column(
            "caller_id", sa.Uuid(), server_default=sa.text(f"'{NOBODY}'::uuid"), nullable=False
        ),
    )
    op.alter_column("idempotency_records", "caller_id", server_default=None)
    op.drop_constraint("pk_idempotency_records", "idempotency_records", type_="primary")
    op.create_primary_key(
        "pk_idempotency_records", "idempotency_records", ["organisation_id", "caller_id", "key"]
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    # Two callers may hold the same key: keep the newest of each, as the old key allowed one.
    op.execute(
        "DELETE FROM idempotency_records r USING idempotency_records n "
        "WHERE r.organisation_id = n.organisation_id AND r.key = n.key "
        "AND (r.created_at, r.caller_id) < (n.created_at, n.caller_id)"
    )
    op.drop_constraint("pk_idempotency_records", "idempotency_records", type_="primary")
    op.create_primary_key(
        "pk_idempotency_records", "idempotency_records", ["organisation_id", "key"]
    )
    op.drop_column("idempotency_records", "caller_id")

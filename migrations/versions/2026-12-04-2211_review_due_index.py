"""the review sweep reads what is due from an index, not the whole register

Revision ID: 4b7e1c9d2a55
Revises: 9c4d2e7f1a30
Create Date: 2026-12-04 22:11:13.567242+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "4b7e1c9d2a55"
down_revision: str | None = "9c4d2e7f1a30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    # The sweep asks every minute for what is due by a date in every organisation: without
    # this, a scan of every document (170 ms at 100,000).
    op.create_index("ix_documents_review_due", "documents", ["next_review_due"])


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_index("ix_documents_review_due", table_name="documents")

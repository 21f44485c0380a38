"""the text search indexes hold each organisation's documents apart

Revision ID: 7e3b9c2d4f81
Revises: 5d2a8f3c1b70
Create Date: 2026-12-05 00:30:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "7e3b9c2d4f81"
down_revision: str | None = "5d2a8f3c1b70"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {
    "ix_documents_search_all": "search_all",
    "ix_documents_search_published": "search_published",
    "ix_documents_search_title": "search_title",
    "ix_documents_search_summary": "search_summary",
}
INDEXES = tuple(COLUMNS)


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    # btree_gin lets a GIN index hold the organisation beside the text (a trusted extension:
    # the database's owner may create it; PostgreSQL's contrib, in the official images).
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    for name in INDEXES:
        op.drop_index(name, table_name="documents")
        op.create_index(
            name, "documents", ["organisation_id", COLUMNS[name]], postgresql_using="gin"
        )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    for name in INDEXES:
        op.drop_index(name, table_name="documents")
        op.create_index(name, "documents", [COLUMNS[name]], postgresql_using="gin")

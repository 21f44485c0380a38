"""search in tiers: the register entry's title and summary as their own vectors, and the order
each tier is read in

Revision ID: 5a8c1e2f9d47
Revises: c4d7e9a1f306
Create Date: 2026-12-04 13:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "5a8c1e2f9d47"
down_revision: str | None = "c4d7e9a1f306"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in services/domain/documents/models.py; written out so this migration never changes.
SEARCH_TITLE = (
    "to_tsvector('english', coalesce(title, '')) || to_tsvector('english', coalesce(reference, ''))"
)
SEARCH_SUMMARY = "to_tsvector('english', coalesce(summary, ''))"


def upgrade() -> None:
    # Adding stored generated columns rewrites the table: at 100,000 documents, seconds.
    op.add_column(
        "documents",
        sa.Column("search_title", postgresql.TSVECTOR(), sa.Computed(SEARCH_TITLE, persisted=True)),
    )
    op.add_column(
        "documents",
        sa.Column(
            "search_summary", postgresql.TSVECTOR(), sa.Computed(SEARCH_SUMMARY, persisted=True)
        ),
    )
    op.create_index(
        "ix_documents_search_title", "documents", ["search_title"], postgresql_using="gin"
    )
    op.create_index(
        "ix_documents_search_summary", "documents", ["search_summary"], postgresql_using="gin"
    )
    op.create_index(
        "ix_documents_org_issued_first_reference",
        "documents",
        ["organisation_id", sa.text("(issued_version IS NULL)"), "reference", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_documents_org_issued_first_reference", table_name="documents")
    op.drop_index("ix_documents_search_summary", table_name="documents")
    op.drop_index("ix_documents_search_title", table_name="documents")
    op.drop_column("documents", "search_summary")
    op.drop_column("documents", "search_title")

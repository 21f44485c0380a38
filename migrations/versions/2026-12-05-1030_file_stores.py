"""where files live: version_files says which store holds a version's bytes (issue 18, item 8)

Every existing file is in PostgreSQL (store 'postgres', content as it was); a file moved to the
S3-compatible store keeps its row with store 's3' and no content.

Revision ID: b3e7f1a9c2d4
Revises: 9a2d4b6c8e10
Create Date: 2026-12-05 10:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b3e7f1a9c2d4"
down_revision: str | None = "9a2d4b6c8e10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    # A constant default: PostgreSQL adds the column without rewriting the table.
    op.add_column(
        "version_files",
        sa.Column("store", sa.String(length=10), server_default="postgres", nullable=False),
    )
    op.alter_column("version_files", "content", existing_type=sa.LargeBinary(), nullable=True)
    op.create_check_constraint("store", "version_files", "store IN ('postgres', 's3')")
    op.create_check_constraint(
        "content_where_store", "version_files", "(store = 'postgres') = (content IS NOT NULL)"
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    # Refuses (NOT NULL) while any file is in the object store: move them back first
    # (policygov move-files --to postgres).
    op.drop_constraint("ck_version_files_content_where_store", "version_files", type_="check")
    op.drop_constraint("ck_version_files_store", "version_files", type_="check")
    op.alter_column("version_files", "content", existing_type=sa.LargeBinary(), nullable=False)
    op.drop_column("version_files", "store")

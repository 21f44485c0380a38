"""Show the current version numbers in the register without reading versions.

Revision ID: 50ad869c4b91
Revises: 2b57a18bafdd
Create Date: 2026-11-23 22:09:44.600406+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "50ad869c4b91"
down_revision: str | None = "2b57a18bafdd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("documents", sa.Column("latest_version", sa.String(length=12), nullable=True))
    op.add_column("documents", sa.Column("issued_version", sa.String(length=12), nullable=True))
    # Fill them for documents that already have versions.
    op.execute(
        """
        UPDATE documents d SET
            latest_version = (
                SELECT v.major || '.' || v.minor FROM document_versions v
                WHERE v.document_id = d.id ORDER BY v.major DESC, v.minor DESC LIMIT 1
            ),
            issued_version = (
                SELECT v.major || '.' || v.minor FROM document_versions v
                WHERE v.document_id = d.id AND v.minor = 0 ORDER BY v.major DESC LIMIT 1
            )
        """
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_column("documents", "issued_version")
    op.drop_column("documents", "latest_version")

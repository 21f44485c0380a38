"""withdrawn issued versions, cancelled publications, what an issue replaced

Revision ID: 5c1e0a7d9b42
Revises: 980cd6a375f3
Create Date: 2026-12-03 14:20:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "5c1e0a7d9b42"
down_revision: str | None = "980cd6a375f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    # Nullable columns without defaults: no table rewrite.
    op.add_column(
        "document_versions", sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("document_versions", sa.Column("withdrawn_reason", sa.Text(), nullable=True))
    op.create_check_constraint(
        op.f("ck_document_versions_withdrawn"),
        "document_versions",
        "withdrawn_at IS NULL OR (minor = 0 AND withdrawn_reason IS NOT NULL)",
    )
    op.add_column(
        "publications", sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("publications", sa.Column("cancelled_reason", sa.Text(), nullable=True))
    op.drop_constraint(op.f("ck_publications_status"), "publications", type_="check")
    op.create_check_constraint(
        op.f("ck_publications_status"),
        "publications",
        "status IN ('pending', 'done', 'cancelled')",
    )
    op.create_check_constraint(
        op.f("ck_publications_cancelled"),
        "publications",
        "(status = 'cancelled') = (cancelled_at IS NOT NULL AND cancelled_reason IS NOT NULL)",
    )
    op.add_column(
        "sign_offs",
        sa.Column("before_issue", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_column("sign_offs", "before_issue")
    op.drop_constraint(op.f("ck_publications_cancelled"), "publications", type_="check")
    op.drop_constraint(op.f("ck_publications_status"), "publications", type_="check")
    # A cancelled entry has no place in the older schema: it was never done.
    op.execute("DELETE FROM publications WHERE status = 'cancelled'")
    op.create_check_constraint(
        op.f("ck_publications_status"), "publications", "status IN ('pending', 'done')"
    )
    op.drop_column("publications", "cancelled_reason")
    op.drop_column("publications", "cancelled_at")
    op.drop_constraint(op.f("ck_document_versions_withdrawn"), "document_versions", type_="check")
    op.drop_column("document_versions", "withdrawn_reason")
    op.drop_column("document_versions", "withdrawn_at")

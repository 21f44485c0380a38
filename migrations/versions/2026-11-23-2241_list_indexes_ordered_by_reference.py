"""Indexes that serve a kind or status filter and the order by reference in one scan.

Measured by make bench at 100,000 documents: kind=procedure&status=published went from
~100 ms (walking the reference index past every FORM-, PF-, PG-, POL- row) to under 1 ms.

Revision ID: 71712e63d893
Revises: 50ad869c4b91
Create Date: 2026-11-23 22:41:33.581275+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "71712e63d893"
down_revision: str | None = "50ad869c4b91"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_index(op.f("ix_documents_org_kind"), table_name="documents")
    op.drop_index(op.f("ix_documents_org_status"), table_name="documents")
    op.create_index(
        "ix_documents_org_kind_reference",
        "documents",
        ["organisation_id", "kind", "reference"],
        unique=False,
    )
    op.create_index(
        "ix_documents_org_status_reference",
        "documents",
        ["organisation_id", "status", "reference"],
        unique=False,
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_index("ix_documents_org_status_reference", table_name="documents")
    op.drop_index("ix_documents_org_kind_reference", table_name="documents")
    op.create_index(
        op.f("ix_documents_org_status"), "documents", ["organisation_id", "status"], unique=False
    )
    op.create_index(
        op.f("ix_documents_org_kind"), "documents", ["organisation_id", "kind"], unique=False
    )

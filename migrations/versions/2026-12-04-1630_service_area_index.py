"""a service area's documents in reference order: the list filtered by area reads only them

Revision ID: 7b3e5d9c2a18
Revises: 5a8c1e2f9d47
Create Date: 2026-12-04 16:30:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7b3e5d9c2a18"
down_revision: str | None = "5a8c1e2f9d47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Filtered by area and ordered by reference, the list walked every document of the
    # organisation by reference and dropped the other areas' (18.8 ms cold at 100,000).
    op.create_index(
        "ix_documents_org_area_reference",
        "documents",
        ["organisation_id", sa.text("lower(service_area)"), "reference"],
    )


def downgrade() -> None:
    op.drop_index("ix_documents_org_area_reference", table_name="documents")

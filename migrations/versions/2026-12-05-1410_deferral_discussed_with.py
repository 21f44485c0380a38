"""Who a deferral was discussed with first (NCT 2.3.3: "The decision to submit procedures to
SLT should be discussed with the RSM's Assistant Director"), on the sign-off decision.

Revision ID: 4e9a7c3b2d15
Revises: 8d2c4e6f1a37
Create Date: 2026-12-05 14:10:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4e9a7c3b2d15"
down_revision: str | None = "8d2c4e6f1a37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("sign_off_decisions", sa.Column("discussed_with_id", sa.Uuid()))
    op.create_foreign_key(
        "fk_sign_off_decisions_discussed_with_id_people",
        "sign_off_decisions",
        "people",
        ["organisation_id", "discussed_with_id"],
        ["organisation_id", "id"],
    )


def downgrade() -> None:
    op.drop_constraint(
        "fk_sign_off_decisions_discussed_with_id_people", "sign_off_decisions", type_="foreignkey"
    )
    op.drop_column("sign_off_decisions", "discussed_with_id")

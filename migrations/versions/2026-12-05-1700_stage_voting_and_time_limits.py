"""Voting rules and time limits per sign-off stage (issue 20, item 7): an abstention is a
decision outcome; a stage records its due date, when those yet to decide were chased and the
policy team told, and the tally of the votes when it settled; a partial index for the sweep.

Revision ID: 5b8d2f7a9c41
Revises: 3e8b5d1a7c42
Create Date: 2026-12-05 17:00:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "5b8d2f7a9c41"
down_revision: str | None = "3e8b5d1a7c42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "outcome IN ('approved', 'approved_with_conditions', 'deferred', 'rejected', 'noted')"
AFTER = (
    "outcome IN ('approved', 'approved_with_conditions', 'deferred', 'rejected', 'noted', "
    "'abstained')"
)


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("sign_off_stages", sa.Column("due_on", sa.Date()))
    op.add_column("sign_off_stages", sa.Column("chased_at", sa.DateTime(timezone=True)))
    op.add_column("sign_off_stages", sa.Column("escalated_at", sa.DateTime(timezone=True)))
    op.add_column("sign_off_stages", sa.Column("tally", postgresql.JSONB()))
    op.create_index(
        "ix_sign_off_stages_due_on",
        "sign_off_stages",
        ["due_on"],
        postgresql_where=sa.text(
            "status = 'active' AND due_on IS NOT NULL AND escalated_at IS NULL"
        ),
    )
    op.drop_constraint(op.f("ck_sign_off_decisions_outcome"), "sign_off_decisions", type_="check")
    op.create_check_constraint(op.f("ck_sign_off_decisions_outcome"), "sign_off_decisions", AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM sign_off_decisions WHERE outcome = 'abstained'")
    op.drop_constraint(op.f("ck_sign_off_decisions_outcome"), "sign_off_decisions", type_="check")
    op.create_check_constraint(op.f("ck_sign_off_decisions_outcome"), "sign_off_decisions", BEFORE)
    op.drop_index("ix_sign_off_stages_due_on", table_name="sign_off_stages")
    op.drop_column("sign_off_stages", "tally")
    op.drop_column("sign_off_stages", "escalated_at")
    op.drop_column("sign_off_stages", "chased_at")
    op.drop_column("sign_off_stages", "due_on")

"""Cascade reviews: an amended parent's issue opens reviews of, or flags, its linked documents.

Per organisation and link kind, what an amended issue does (``cascade_rules``); one record per
child and issue of its parent (``cascade_flags``); and a review's new trigger
``parent_changed``.

Revision ID: b35d8051571d
Revises: 5b8d2f7a9c41
Create Date: 2026-12-05 16:34:40.993197+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b35d8051571d"
down_revision: str | None = "5b8d2f7a9c41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TRIGGERS = (
    "case_audit_recommendation",
    "practice_or_structure_change",
    "legislation_or_guidance_change",
    "confirmed_gap",
    "safeguarding_practice_review",
    "inspection_advice",
    "other",
)
_WITH_PARENT = (*_TRIGGERS[:-1], "parent_changed", "other")
_LINKS = "link_kind IN ('governs', 'implements', 'form_for')"
_ACTIONS = "action IN ('open_review', 'flag', 'nothing')"


def _rules() -> None:
    op.create_table(
        "cascade_rules",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("link_kind", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(_ACTIONS, name=op.f("ck_cascade_rules_action")),
        sa.CheckConstraint(_LINKS, name=op.f("ck_cascade_rules_link_kind")),
        sa.ForeignKeyConstraint(
            ["organisation_id", "updated_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_cascade_rules_updated_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_cascade_rules_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cascade_rules")),
        sa.UniqueConstraint(
            "organisation_id", "link_kind", name=op.f("uq_cascade_rules_organisation_id_link_kind")
        ),
    )


def _flag_keys() -> list[sa.ForeignKeyConstraint]:
    def same_org(column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
        return sa.ForeignKeyConstraint(
            ["organisation_id", column],
            [f"{target}.organisation_id", f"{target}.id"],
            name=f"fk_cascade_flags_{column}_{target}",
            ondelete=ondelete,
        )

    return [
        same_org("decided_by_id", "people"),
        same_org("document_id", "documents", "CASCADE"),
        same_org("parent_document_id", "documents", "CASCADE"),
        same_org("review_id", "reviews"),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_cascade_flags_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_version_id"],
            ["document_versions.id"],
            name="fk_cascade_flags_parent_version_id_document_versions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["previous_version_id"],
            ["document_versions.id"],
            name="fk_cascade_flags_previous_version_id_document_versions",
            ondelete="CASCADE",
        ),
    ]


def _flags() -> None:
    op.create_table(
        "cascade_flags",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("parent_document_id", sa.Uuid(), nullable=False),
        sa.Column("parent_version_id", sa.Uuid(), nullable=False),
        sa.Column("previous_version_id", sa.Uuid(), nullable=False),
        sa.Column("parent_number", sa.String(length=20), nullable=False),
        sa.Column("previous_number", sa.String(length=20), nullable=False),
        sa.Column("link_kind", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=300), server_default="", nullable=False),
        sa.Column("review_id", sa.Uuid(), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dismissed_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(_ACTIONS, name=op.f("ck_cascade_flags_action")),
        sa.CheckConstraint(_LINKS, name=op.f("ck_cascade_flags_link_kind")),
        sa.CheckConstraint(
            "status IN ('open', 'review_opened', 'attached', 'dismissed')",
            name=op.f("ck_cascade_flags_status"),
        ),
        *_flag_keys(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cascade_flags")),
        sa.UniqueConstraint("organisation_id", "id", name="uq_cascade_flags_organisation_id_id"),
        sa.UniqueConstraint(
            "parent_version_id",
            "document_id",
            name=op.f("uq_cascade_flags_parent_version_id_document_id"),
        ),
    )
    op.create_index("ix_cascade_flags_document_id", "cascade_flags", ["document_id", "created_at"])
    op.create_index(
        "ix_cascade_flags_org_status", "cascade_flags", ["organisation_id", "status", "created_at"]
    )
    op.create_index("ix_cascade_flags_review_id", "cascade_flags", ["review_id"])


def _triggers(triggers: tuple[str, ...]) -> None:
    op.drop_constraint(op.f("ck_reviews_trigger"), "reviews", type_="check")
    op.create_check_constraint(op.f("ck_reviews_trigger"), "reviews", f"trigger IN {triggers!r}")


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    _rules()
    _flags()
    _triggers(_WITH_PARENT)


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    # A review a cascade opened has no trigger the old list knows: it becomes 'other'.
    op.execute("UPDATE reviews SET trigger = 'other' WHERE trigger = 'parent_changed'")
    _triggers(_TRIGGERS)
    op.drop_index("ix_cascade_flags_review_id", table_name="cascade_flags")
    op.drop_index("ix_cascade_flags_org_status", table_name="cascade_flags")
    op.drop_index("ix_cascade_flags_document_id", table_name="cascade_flags")
    op.drop_table("cascade_flags")
    op.drop_table("cascade_rules")

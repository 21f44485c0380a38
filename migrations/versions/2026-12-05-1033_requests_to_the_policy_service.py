"""requests to the policy service: the policy_requests table and each organisation's target

Anyone in an organisation asks the policy team for a new document or a change to one
(Birmingham: requests go to the Policy Service within the Practice Hub; Dorset aim 3 iii: the
need for a new document is agreed before it is drafted). The policy team triages each request
within ``organisations.request_triage_working_days`` working days (10 unless set).

Revision ID: 5c1911a6d93a
Revises: 3c7e1a9b5d20
Create Date: 2026-12-05 10:33:55.505223+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c1911a6d93a"
down_revision: str | None = "3c7e1a9b5d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "policy_requests",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("service_area", sa.String(length=200), nullable=True),
        sa.Column("urgency", sa.String(length=20), server_default="routine", nullable=False),
        sa.Column("wanted_by", sa.Date(), nullable=True),
        sa.Column("requested_by_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="open", nullable=False),
        sa.Column("triage_due_on", sa.Date(), nullable=False),
        sa.Column("triaged_by_id", sa.Uuid(), nullable=True),
        sa.Column("triaged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), server_default="", nullable=False),
        sa.Column("accepted_as", sa.String(length=20), nullable=True),
        sa.Column("proposal_id", sa.Uuid(), nullable=True),
        sa.Column("review_id", sa.Uuid(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.CheckConstraint(
            "(kind = 'change') = (document_id IS NOT NULL)",
            name=op.f("ck_policy_requests_document_given"),
        ),
        sa.CheckConstraint(
            "(status = 'accepted') = (accepted_as IS NOT NULL) AND (accepted_as IS DISTINCT FROM 'proposal' OR proposal_id IS NOT NULL) AND (accepted_as IS DISTINCT FROM 'review' OR review_id IS NOT NULL)",
            name=op.f("ck_policy_requests_accepted_into"),
        ),
        sa.CheckConstraint(
            "accepted_as IN ('proposal', 'review')", name=op.f("ck_policy_requests_accepted_as")
        ),
        sa.CheckConstraint(
            "kind IN ('new_document', 'change')", name=op.f("ck_policy_requests_kind")
        ),
        sa.CheckConstraint(
            "status <> 'declined' OR decision_note <> ''",
            name=op.f("ck_policy_requests_declined_reasons"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'accepted', 'declined', 'withdrawn')",
            name=op.f("ck_policy_requests_status"),
        ),
        sa.CheckConstraint(
            "urgency IN ('routine', 'urgent')", name=op.f("ck_policy_requests_urgency")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_policy_requests_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "proposal_id"],
            ["proposals.organisation_id", "proposals.id"],
            name="fk_policy_requests_proposal_id_proposals",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "requested_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_policy_requests_requested_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "review_id"],
            ["reviews.organisation_id", "reviews.id"],
            name="fk_policy_requests_review_id_reviews",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "triaged_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_policy_requests_triaged_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_policy_requests_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_requests")),
    )
    op.create_index(
        "ix_policy_requests_document_id", "policy_requests", ["document_id"], unique=False
    )
    op.create_index(
        "ix_policy_requests_queue",
        "policy_requests",
        ["organisation_id", "status", "triage_due_on", "id"],
        unique=False,
    )
    op.create_index(
        "ix_policy_requests_requested_by_id", "policy_requests", ["requested_by_id"], unique=False
    )
    op.add_column(
        "organisations",
        sa.Column("request_triage_working_days", sa.Integer(), server_default="10", nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_organisations_request_triage_working_days"),
        "organisations",
        "request_triage_working_days BETWEEN 1 AND 60",
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_constraint(
        op.f("ck_organisations_request_triage_working_days"), "organisations", type_="check"
    )
    op.drop_column("organisations", "request_triage_working_days")
    op.drop_index("ix_policy_requests_requested_by_id", table_name="policy_requests")
    op.drop_index("ix_policy_requests_queue", table_name="policy_requests")
    op.drop_index("ix_policy_requests_document_id", table_name="policy_requests")
    op.drop_table("policy_requests")

"""Read and acknowledge: a document's audience, the requests to confirm a version has been read
and understood, one row per person asked, board members reading a meeting's papers (Dorset
7.4); the organisation's due, reminder and escalation days; people's service area.

Revision ID: 0df31233646b
Revises: 3f6a1c2b9d41
Create Date: 2026-12-05 13:16:15.401154+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0df31233646b"
down_revision: str | None = "3f6a1c2b9d41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "acknowledgement_audiences",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column(
            "person_ids",
            postgresql.ARRAY(sa.Uuid()),
            server_default=sa.text("'{}'::uuid[]"),
            nullable=False,
        ),
        sa.Column(
            "board_ids",
            postgresql.ARRAY(sa.Uuid()),
            server_default=sa.text("'{}'::uuid[]"),
            nullable=False,
        ),
        sa.Column(
            "service_areas",
            postgresql.ARRAY(sa.String(length=200)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
        sa.Column(
            "job_titles",
            postgresql.ARRAY(sa.String(length=200)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
        sa.Column("due_working_days", sa.Integer(), nullable=True),
        sa.Column("ask_on_minor", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_by_id", sa.Uuid(), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
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
            "due_working_days BETWEEN 1 AND 60",
            name=op.f("ck_acknowledgement_audiences_due_working_days"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_acknowledgement_audiences_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_acknowledgement_audiences_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["people.id"],
            name=op.f("fk_acknowledgement_audiences_updated_by_id_people"),
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_acknowledgement_audiences")),
    )
    op.create_table(
        "acknowledgement_requests",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("version_number", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="open", nullable=False),
        sa.Column("audience", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("message", sa.Text(), server_default="", nullable=False),
        sa.Column("asked_by_id", sa.Uuid(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Uuid(), nullable=True),
        sa.Column("end_reason", sa.Text(), server_default="", nullable=False),
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
            "(status = 'open') = (ended_at IS NULL)", name=op.f("ck_acknowledgement_requests_ended")
        ),
        sa.CheckConstraint(
            "reason IN ('issued', 'asked')", name=op.f("ck_acknowledgement_requests_reason")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'superseded', 'cancelled')",
            name=op.f("ck_acknowledgement_requests_status"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "asked_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_acknowledgement_requests_asked_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_acknowledgement_requests_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "ended_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_acknowledgement_requests_ended_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "version_id"],
            ["document_versions.organisation_id", "document_versions.id"],
            name="fk_acknowledgement_requests_version_id_document_versions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_acknowledgement_requests_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acknowledgement_requests")),
        sa.UniqueConstraint(
            "organisation_id", "id", name="uq_acknowledgement_requests_organisation_id_id"
        ),
    )
    op.create_index(
        "ix_acknowledgement_requests_document",
        "acknowledgement_requests",
        ["document_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_acknowledgement_requests_org_status_due",
        "acknowledgement_requests",
        ["organisation_id", "status", "due_on"],
        unique=False,
    )
    op.create_index(
        "uq_acknowledgement_requests_open_version",
        "acknowledgement_requests",
        ["version_id"],
        unique=True,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "papers_read",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column(
            "read_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("via", sa.String(length=10), server_default="api", nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id", "meeting_id"],
            ["meetings.organisation_id", "meetings.id"],
            name="fk_papers_read_meeting_id_meetings",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "person_id"],
            ["people.organisation_id", "people.id"],
            name="fk_papers_read_person_id_people",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "person_id", name=op.f("pk_papers_read")),
    )
    op.create_table(
        "acknowledgements",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("service_area", sa.String(length=200), nullable=True),
        sa.Column("job_title", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("via", sa.String(length=10), nullable=True),
        sa.Column(
            "reminders_sent",
            postgresql.ARRAY(sa.Integer()),
            server_default=sa.text("'{}'::integer[]"),
            nullable=False,
        ),
        sa.Column("last_reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "(status = 'confirmed') = (acknowledged_at IS NOT NULL AND via IS NOT NULL)",
            name=op.f("ck_acknowledgements_confirmed"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'cancelled')",
            name=op.f("ck_acknowledgements_status"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "person_id"],
            ["people.organisation_id", "people.id"],
            name="fk_acknowledgements_person_id_people",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "request_id"],
            ["acknowledgement_requests.organisation_id", "acknowledgement_requests.id"],
            name="fk_acknowledgements_request_id_acknowledgement_requests",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acknowledgements")),
        sa.UniqueConstraint(
            "request_id", "person_id", name=op.f("uq_acknowledgements_request_id_person_id")
        ),
    )
    op.create_index(
        "ix_acknowledgements_person", "acknowledgements", ["person_id", "status"], unique=False
    )
    op.add_column(
        "organisations",
        sa.Column(
            "acknowledgement_due_working_days", sa.Integer(), server_default="10", nullable=False
        ),
    )
    op.add_column(
        "organisations",
        sa.Column(
            "acknowledgement_reminder_days",
            postgresql.ARRAY(sa.Integer()),
            server_default=sa.text("'{5,1}'::integer[]"),
            nullable=False,
        ),
    )
    op.add_column(
        "organisations",
        sa.Column(
            "acknowledgement_escalation_working_days",
            sa.Integer(),
            server_default="2",
            nullable=False,
        ),
    )
    op.add_column("people", sa.Column("service_area", sa.String(length=200), nullable=True))
    op.create_check_constraint(
        op.f("ck_organisations_acknowledgement_due_working_days"),
        "organisations",
        "acknowledgement_due_working_days BETWEEN 1 AND 60",
    )
    op.create_check_constraint(
        op.f("ck_organisations_acknowledgement_escalation_working_days"),
        "organisations",
        "acknowledgement_escalation_working_days BETWEEN 0 AND 60",
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_constraint(
        op.f("ck_organisations_acknowledgement_escalation_working_days"), "organisations"
    )
    op.drop_constraint(op.f("ck_organisations_acknowledgement_due_working_days"), "organisations")
    op.drop_column("people", "service_area")
    op.drop_column("organisations", "acknowledgement_escalation_working_days")
    op.drop_column("organisations", "acknowledgement_reminder_days")
    op.drop_column("organisations", "acknowledgement_due_working_days")
    op.drop_index("ix_acknowledgements_person", table_name="acknowledgements")
    op.drop_table("acknowledgements")
    op.drop_table("papers_read")
    op.drop_index(
        "uq_acknowledgement_requests_open_version",
        table_name="acknowledgement_requests",
        postgresql_where=sa.text("status = 'open'"),
    )
    op.drop_index(
        "ix_acknowledgement_requests_org_status_due", table_name="acknowledgement_requests"
    )
    op.drop_index("ix_acknowledgement_requests_document", table_name="acknowledgement_requests")
    op.drop_table("acknowledgement_requests")
    op.drop_table("acknowledgement_audiences")

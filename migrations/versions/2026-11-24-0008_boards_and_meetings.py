"""Boards, members, meetings, agenda items, attendance, decisions and actions; organisation closure days

Revision ID: 8638b96ca7ac
Revises: 9f6636e62860
Create Date: 2026-11-24 00:08:08.864632+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "8638b96ca7ac"
down_revision: str | None = "9f6636e62860"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "boards",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), server_default="", nullable=False),
        sa.Column("escalation_person_id", sa.Uuid(), nullable=True),
        sa.Column("quorum", sa.Integer(), nullable=True),
        sa.Column(
            "seat_rules",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "deadline_rules",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "non_working_day_rule", sa.String(length=20), server_default="earlier", nullable=False
        ),
        sa.Column("agenda_sections", postgresql.ARRAY(sa.String(length=80)), nullable=False),
        sa.Column("schedule_rule", sa.String(length=500), nullable=True),
        sa.Column("schedule_starts_on", sa.Date(), nullable=True),
        sa.Column(
            "meeting_start_time", sa.Time(), server_default=sa.text("'10:00'"), nullable=False
        ),
        sa.Column("meeting_duration_minutes", sa.Integer(), server_default="120", nullable=False),
        sa.Column("default_location", sa.String(length=300), server_default="", nullable=False),
        sa.Column(
            "meetings_on_bank_holidays",
            sa.String(length=30),
            server_default="next_working_day",
            nullable=False,
        ),
        sa.Column("calendar_feed_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
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
            "meetings_on_bank_holidays IN ('keep', 'skip', 'next_working_day', 'previous_working_day')",
            name=op.f("ck_boards_meetings_on_bank_holidays"),
        ),
        sa.CheckConstraint(
            "non_working_day_rule IN ('earlier', 'later')",
            name=op.f("ck_boards_non_working_day_rule"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "escalation_person_id"],
            ["people.organisation_id", "people.id"],
            name="fk_boards_escalation_person_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_boards_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boards")),
        sa.UniqueConstraint("organisation_id", "id", name="uq_boards_organisation_id_id"),
        sa.UniqueConstraint("organisation_id", "name", name=op.f("uq_boards_organisation_id_name")),
    )
    op.create_index(op.f("ix_boards_organisation_id"), "boards", ["organisation_id"], unique=False)
    op.create_table(
        "board_members",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("board_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=20), server_default="member", nullable=False),
        sa.Column("seat", sa.String(length=100), nullable=True),
        sa.Column("delegate_id", sa.Uuid(), nullable=True),
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
            "role IN ('chair', 'vice_chair', 'member')", name=op.f("ck_board_members_role")
        ),
        sa.CheckConstraint(
            "delegate_id IS NULL OR delegate_id <> person_id",
            name=op.f("ck_board_members_delegate"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "board_id"],
            ["boards.organisation_id", "boards.id"],
            name="fk_board_members_board_id_boards",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "delegate_id"],
            ["people.organisation_id", "people.id"],
            name="fk_board_members_delegate_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "person_id"],
            ["people.organisation_id", "people.id"],
            name="fk_board_members_person_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_board_members_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_members")),
        sa.UniqueConstraint(
            "board_id", "person_id", name=op.f("uq_board_members_board_id_person_id")
        ),
    )
    op.create_index(
        "uq_board_members_one_chair",
        "board_members",
        ["board_id"],
        unique=True,
        postgresql_where=sa.text("role = 'chair'"),
    )
    op.create_table(
        "meetings",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("board_id", sa.Uuid(), nullable=False),
        sa.Column("occurrence_key", sa.Date(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=300), server_default="", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="scheduled", nullable=False),
        sa.Column("moved_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancellation_reason", sa.String(length=1000), nullable=True),
        sa.Column("sequence", sa.Integer(), server_default="0", nullable=False),
        sa.Column("papers_circulated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("chaired_by_id", sa.Uuid(), nullable=True),
        sa.Column("minutes_issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
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
            "status IN ('scheduled', 'held', 'cancelled')", name=op.f("ck_meetings_status")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_meetings_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["organisation_id", "board_id"],
            ["boards.organisation_id", "boards.id"],
            name="fk_meetings_board_id_boards",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "chaired_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_meetings_chaired_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_meetings_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint(
            "board_id", "occurrence_key", name=op.f("uq_meetings_board_id_occurrence_key")
        ),
        sa.UniqueConstraint("organisation_id", "id", name="uq_meetings_organisation_id_id"),
    )
    op.create_index(
        "ix_meetings_board_starts_at", "meetings", ["board_id", "starts_at"], unique=False
    )
    op.create_index(
        "ix_meetings_organisation_starts_at",
        "meetings",
        ["organisation_id", "starts_at"],
        unique=False,
    )
    op.create_table(
        "agenda_items",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("board_id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("requested_meeting_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("version_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("ask", sa.String(length=30), nullable=False),
        sa.Column("section", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.Column("presenter_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_by_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_late", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("late_accepted_by_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="planned", nullable=False),
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
            "ask IN ('decision', 'review_approval', 'information', 'new_proposal')",
            name=op.f("ck_agenda_items_ask"),
        ),
        sa.CheckConstraint(
            "status IN ('planned', 'decided', 'withdrawn')", name=op.f("ck_agenda_items_status")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "board_id"],
            ["boards.organisation_id", "boards.id"],
            name="fk_agenda_items_board_id_boards",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_agenda_items_document_id_documents",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "late_accepted_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_agenda_items_late_accepted_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "meeting_id"],
            ["meetings.organisation_id", "meetings.id"],
            name="fk_agenda_items_meeting_id_meetings",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "presenter_id"],
            ["people.organisation_id", "people.id"],
            name="fk_agenda_items_presenter_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "requested_meeting_id"],
            ["meetings.organisation_id", "meetings.id"],
            name="fk_agenda_items_requested_meeting_id_meetings",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "submitted_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_agenda_items_submitted_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_agenda_items_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name="fk_agenda_items_version_id_document_versions",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_items")),
        sa.UniqueConstraint("organisation_id", "id", name="uq_agenda_items_organisation_id_id"),
    )
    op.create_index(
        "ix_agenda_items_board_id", "agenda_items", ["board_id", "created_at"], unique=False
    )
    op.create_index("ix_agenda_items_document_id", "agenda_items", ["document_id"], unique=False)
    op.create_index(
        "ix_agenda_items_meeting_id",
        "agenda_items",
        ["meeting_id", "section", "position"],
        unique=False,
    )
    op.create_table(
        "attendance",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("delegate_id", sa.Uuid(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("seat", sa.String(length=100), nullable=True),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'delegate_attended') = (delegate_id IS NOT NULL)",
            name=op.f("ck_attendance_delegate"),
        ),
        sa.CheckConstraint(
            "status IN ('present', 'apologies', 'delegate_attended', 'absent')",
            name=op.f("ck_attendance_status"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "delegate_id"],
            ["people.organisation_id", "people.id"],
            name="fk_attendance_delegate_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "meeting_id"],
            ["meetings.organisation_id", "meetings.id"],
            name="fk_attendance_meeting_id_meetings",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "person_id"],
            ["people.organisation_id", "people.id"],
            name="fk_attendance_person_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "recorded_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_attendance_recorded_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_attendance_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "person_id", name=op.f("pk_attendance")),
    )
    op.create_index("ix_attendance_person_id", "attendance", ["person_id"], unique=False)
    op.create_table(
        "meeting_actions",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("agenda_item_id", sa.Uuid(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="open", nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.CheckConstraint("status IN ('open', 'done')", name=op.f("ck_meeting_actions_status")),
        sa.ForeignKeyConstraint(
            ["organisation_id", "agenda_item_id"],
            ["agenda_items.organisation_id", "agenda_items.id"],
            name="fk_meeting_actions_agenda_item_id_agenda_items",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "meeting_id"],
            ["meetings.organisation_id", "meetings.id"],
            name="fk_meeting_actions_meeting_id_meetings",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "owner_id"],
            ["people.organisation_id", "people.id"],
            name="fk_meeting_actions_owner_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_meeting_actions_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_actions")),
    )
    op.create_index(
        "ix_meeting_actions_meeting_id", "meeting_actions", ["meeting_id"], unique=False
    )
    op.create_index(
        "ix_meeting_actions_owner_id", "meeting_actions", ["owner_id", "status"], unique=False
    )
    op.create_table(
        "meeting_decisions",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("agenda_item_id", sa.Uuid(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "conditions",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column("votes_for", sa.Integer(), nullable=True),
        sa.Column("votes_against", sa.Integer(), nullable=True),
        sa.Column("abstentions", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_label", sa.String(length=300), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "method IN ('consensus', 'vote', 'chair', 'referral')",
            name=op.f("ck_meeting_decisions_method"),
        ),
        sa.CheckConstraint(
            "outcome IN ('approved', 'approved_with_conditions', 'deferred', 'rejected', 'noted', 'referred')",
            name=op.f("ck_meeting_decisions_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "agenda_item_id"],
            ["agenda_items.organisation_id", "agenda_items.id"],
            name="fk_meeting_decisions_agenda_item_id_agenda_items",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "decided_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_meeting_decisions_decided_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "meeting_id"],
            ["meetings.organisation_id", "meetings.id"],
            name="fk_meeting_decisions_meeting_id_meetings",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "recorded_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_meeting_decisions_recorded_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_meeting_decisions_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["meeting_decisions.id"],
            name="fk_meeting_decisions_supersedes_id_meeting_decisions",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_decisions")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_meeting_decisions_supersedes_id")),
    )
    op.create_index(
        "ix_meeting_decisions_agenda_item_id", "meeting_decisions", ["agenda_item_id"], unique=False
    )
    op.create_index(
        "ix_meeting_decisions_meeting_id",
        "meeting_decisions",
        ["meeting_id", "recorded_at"],
        unique=False,
    )
    op.add_column(
        "organisations",
        sa.Column(
            "closure_days",
            postgresql.ARRAY(sa.Date()),
            server_default=sa.text("'{}'::date[]"),
            nullable=False,
        ),
    )
    op.add_column(
        "organisations", sa.Column("row_version", sa.Integer(), server_default="1", nullable=False)
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_column("organisations", "row_version")
    op.drop_column("organisations", "closure_days")
    op.drop_index("ix_meeting_decisions_meeting_id", table_name="meeting_decisions")
    op.drop_index("ix_meeting_decisions_agenda_item_id", table_name="meeting_decisions")
    op.drop_table("meeting_decisions")
    op.drop_index("ix_meeting_actions_owner_id", table_name="meeting_actions")
    op.drop_index("ix_meeting_actions_meeting_id", table_name="meeting_actions")
    op.drop_table("meeting_actions")
    op.drop_index("ix_attendance_person_id", table_name="attendance")
    op.drop_table("attendance")
    op.drop_index("ix_agenda_items_meeting_id", table_name="agenda_items")
    op.drop_index("ix_agenda_items_document_id", table_name="agenda_items")
    op.drop_index("ix_agenda_items_board_id", table_name="agenda_items")
    op.drop_table("agenda_items")
    op.drop_index("ix_meetings_organisation_starts_at", table_name="meetings")
    op.drop_index("ix_meetings_board_starts_at", table_name="meetings")
    op.drop_table("meetings")
    op.drop_index(
        "uq_board_members_one_chair",
        table_name="board_members",
        postgresql_where=sa.text("role = 'chair'"),
    )
    op.drop_table("board_members")
    op.drop_index(op.f("ix_boards_organisation_id"), table_name="boards")
    op.drop_table("boards")

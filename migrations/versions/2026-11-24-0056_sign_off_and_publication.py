"""Sign-off: governance routes, posts, sign-offs, decisions, delegations, assessments, publications

Revision ID: c94993ad4030
Revises: 8638b96ca7ac
Create Date: 2026-11-24 00:56:51.267465+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c94993ad4030"
down_revision: str | None = "8638b96ca7ac"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "governance_routes",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), server_default="", nullable=False),
        sa.Column(
            "kinds",
            postgresql.ARRAY(sa.String(length=40)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
        sa.Column(
            "categories",
            postgresql.ARRAY(sa.String(length=80)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
        sa.Column("is_alternative", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("current_version", sa.Integer(), server_default="1", nullable=False),
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
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_governance_routes_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_governance_routes")),
        sa.UniqueConstraint(
            "organisation_id", "id", name="uq_governance_routes_organisation_id_id"
        ),
        sa.UniqueConstraint(
            "organisation_id", "key", name=op.f("uq_governance_routes_organisation_id_key")
        ),
    )
    op.create_table(
        "delegations",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("delegator_id", sa.Uuid(), nullable=False),
        sa.Column("delegate_id", sa.Uuid(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=500), server_default="", nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.CheckConstraint("delegator_id <> delegate_id", name=op.f("ck_delegations_not_self")),
        sa.CheckConstraint("starts_on <= ends_on", name=op.f("ck_delegations_period")),
        sa.ForeignKeyConstraint(
            ["organisation_id", "created_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_delegations_created_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "delegate_id"],
            ["people.organisation_id", "people.id"],
            name="fk_delegations_delegate_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "delegator_id"],
            ["people.organisation_id", "people.id"],
            name="fk_delegations_delegator_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_delegations_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegations")),
    )
    op.create_index(
        "ix_delegations_delegate_id", "delegations", ["delegate_id", "starts_on"], unique=False
    )
    op.create_index(
        "ix_delegations_delegator_id", "delegations", ["delegator_id", "starts_on"], unique=False
    )
    op.create_table(
        "posts",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("post", sa.String(length=60), nullable=False),
        sa.Column("service_area", sa.String(length=200), nullable=True),
        sa.Column("person_id", sa.Uuid(), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["organisation_id", "person_id"],
            ["people.organisation_id", "people.id"],
            name="fk_posts_person_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_posts_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
    )
    op.create_index("ix_posts_person_id", "posts", ["person_id"], unique=False)
    op.create_index(
        "uq_posts_organisation_post_area",
        "posts",
        ["organisation_id", "post", sa.literal_column("lower(coalesce(service_area, ''))")],
        unique=True,
    )
    op.create_table(
        "route_versions",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("route_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("definition", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["people.id"], name=op.f("fk_route_versions_created_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "route_id"],
            ["governance_routes.organisation_id", "governance_routes.id"],
            name="fk_route_versions_route_id_governance_routes",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_route_versions_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_route_versions")),
        sa.UniqueConstraint("organisation_id", "id", name="uq_route_versions_organisation_id_id"),
        sa.UniqueConstraint("route_id", "number", name=op.f("uq_route_versions_route_id_number")),
    )
    op.create_table(
        "equality_assessments",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("relevance", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("answers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("summary", sa.Text(), server_default="", nullable=False),
        sa.Column("assessor_id", sa.Uuid(), nullable=True),
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
        sa.CheckConstraint(
            "(status = 'completed') = (outcome IS NOT NULL)",
            name=op.f("ck_equality_assessments_completed"),
        ),
        sa.CheckConstraint(
            "kind IN ('screening', 'full')", name=op.f("ck_equality_assessments_kind")
        ),
        sa.CheckConstraint(
            "outcome IN ('no_adverse_impact', 'possible_adverse_impact', 'adverse_impact_justified', 'adverse_impact_found')",
            name=op.f("ck_equality_assessments_outcome"),
        ),
        sa.CheckConstraint(
            "status IN ('in_progress', 'completed')", name=op.f("ck_equality_assessments_status")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "assessor_id"],
            ["people.organisation_id", "people.id"],
            name="fk_equality_assessments_assessor_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_equality_assessments_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_equality_assessments_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name="fk_equality_assessments_version_id_document_versions",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_equality_assessments")),
    )
    op.create_index(
        "ix_equality_assessments_document_id",
        "equality_assessments",
        ["document_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "fitness_checks",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("answers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("checked_by_id", sa.Uuid(), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["organisation_id", "checked_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_fitness_checks_checked_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_fitness_checks_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_fitness_checks_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name="fk_fitness_checks_version_id_document_versions",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fitness_checks")),
    )
    op.create_index(
        "ix_fitness_checks_document_id",
        "fitness_checks",
        ["document_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "legal_reviews",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("reviewer_id", sa.Uuid(), nullable=True),
        sa.Column("advice", sa.Text(), server_default="", nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=True),
        sa.Column("answered_by_id", sa.Uuid(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
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
            "outcome IN ('no_concerns', 'changes_advised', 'not_lawful')",
            name=op.f("ck_legal_reviews_outcome"),
        ),
        sa.CheckConstraint(
            "(outcome IS NULL) = (answered_at IS NULL)", name=op.f("ck_legal_reviews_answered")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "answered_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_legal_reviews_answered_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_legal_reviews_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "requested_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_legal_reviews_requested_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "reviewer_id"],
            ["people.organisation_id", "people.id"],
            name="fk_legal_reviews_reviewer_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_legal_reviews_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name="fk_legal_reviews_version_id_document_versions",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_reviews")),
    )
    op.create_index(
        "ix_legal_reviews_document_id", "legal_reviews", ["document_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_legal_reviews_reviewer_id",
        "legal_reviews",
        ["reviewer_id", "answered_at"],
        unique=False,
    )
    op.create_table(
        "publications",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("trix_url", sa.String(length=2000), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by_id", sa.Uuid(), nullable=True),
        sa.Column("completed_by_label", sa.String(length=300), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "(status = 'done') = (completed_at IS NOT NULL)", name=op.f("ck_publications_done")
        ),
        sa.CheckConstraint("action IN ('upload', 'remove')", name=op.f("ck_publications_action")),
        sa.CheckConstraint("status IN ('pending', 'done')", name=op.f("ck_publications_status")),
        sa.ForeignKeyConstraint(
            ["organisation_id", "completed_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_publications_completed_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_publications_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_publications_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name="fk_publications_version_id_document_versions",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
    )
    op.create_index(
        "ix_publications_document_id", "publications", ["document_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_publications_org_status",
        "publications",
        ["organisation_id", "status", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_publications_pending",
        "publications",
        ["organisation_id", "created_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "sign_offs",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("route_version_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("answers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("approvers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("review_interval_months", sa.Integer(), nullable=True),
        sa.Column("previous_status", sa.String(length=30), nullable=False),
        sa.Column("check_stage_id", sa.Uuid(), nullable=True),
        sa.Column("issued_version_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_by_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
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
            "status IN ('in_progress', 'awaiting_amendment', 'issued', 'completed', 'rejected', 'withdrawn', 'ratification_refused')",
            name=op.f("ck_sign_offs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["issued_version_id"],
            ["document_versions.id"],
            name="fk_sign_offs_issued_version_id_document_versions",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_sign_offs_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "route_version_id"],
            ["route_versions.organisation_id", "route_versions.id"],
            name="fk_sign_offs_route_version_id_route_versions",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "submitted_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_sign_offs_submitted_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_sign_offs_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name="fk_sign_offs_version_id_document_versions",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_offs")),
        sa.UniqueConstraint("organisation_id", "id", name="uq_sign_offs_organisation_id_id"),
    )
    op.create_index(
        "ix_sign_offs_document_id", "sign_offs", ["document_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_sign_offs_org_status",
        "sign_offs",
        ["organisation_id", "status", "created_at"],
        unique=False,
    )
    op.create_index(
        "uq_sign_offs_open_document",
        "sign_offs",
        ["document_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('in_progress', 'awaiting_amendment')"),
    )
    op.create_table(
        "proposals",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("sponsor_id", sa.Uuid(), nullable=True),
        sa.Column("lead_officer_id", sa.Uuid(), nullable=True),
        sa.Column("background", sa.Text(), server_default="", nullable=False),
        sa.Column("objectives", sa.Text(), server_default="", nullable=False),
        sa.Column("childrens_rights", sa.Text(), server_default="", nullable=False),
        sa.Column("diversity", sa.Text(), server_default="", nullable=False),
        sa.Column("outputs", sa.Text(), server_default="", nullable=False),
        sa.Column("consultation_plan", sa.Text(), server_default="", nullable=False),
        sa.Column("communications_plan", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="draft", nullable=False),
        sa.Column("board_id", sa.Uuid(), nullable=True),
        sa.Column("agenda_item_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), server_default="", nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
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
            "status IN ('draft', 'submitted', 'approved', 'declined', 'withdrawn')",
            name=op.f("ck_proposals_status"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "agenda_item_id"],
            ["agenda_items.organisation_id", "agenda_items.id"],
            name="fk_proposals_agenda_item_id_agenda_items",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "board_id"],
            ["boards.organisation_id", "boards.id"],
            name="fk_proposals_board_id_boards",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "created_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_proposals_created_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_proposals_document_id_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "lead_officer_id"],
            ["people.organisation_id", "people.id"],
            name="fk_proposals_lead_officer_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "sponsor_id"],
            ["people.organisation_id", "people.id"],
            name="fk_proposals_sponsor_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_proposals_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
        sa.UniqueConstraint("organisation_id", "id", name="uq_proposals_organisation_id_id"),
    )
    op.create_index("ix_proposals_agenda_item_id", "proposals", ["agenda_item_id"], unique=False)
    op.create_index("ix_proposals_document_id", "proposals", ["document_id"], unique=False)
    op.create_index(
        "ix_proposals_org_status",
        "proposals",
        ["organisation_id", "status", "created_at"],
        unique=False,
    )
    op.create_table(
        "sign_off_stages",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("sign_off_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("definition", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column(
            "participants",
            postgresql.ARRAY(sa.Uuid()),
            server_default=sa.text("'{}'::uuid[]"),
            nullable=False,
        ),
        sa.Column("required", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Uuid(), nullable=True),
        sa.Column("agenda_item_id", sa.Uuid(), nullable=True),
        sa.Column("deferred_from_id", sa.Uuid(), nullable=True),
        sa.Column("see_again", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'active', 'conditions_set', 'approved', 'noted', 'deferred', 'rejected', 'skipped', 'cancelled')",
            name=op.f("ck_sign_off_stages_status"),
        ),
        sa.ForeignKeyConstraint(
            ["deferred_from_id"],
            ["sign_off_stages.id"],
            name="fk_sign_off_stages_deferred_from_id_sign_off_stages",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "agenda_item_id"],
            ["agenda_items.organisation_id", "agenda_items.id"],
            name="fk_sign_off_stages_agenda_item_id_agenda_items",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "board_id"],
            ["boards.organisation_id", "boards.id"],
            name="fk_sign_off_stages_board_id_boards",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "sign_off_id"],
            ["sign_offs.organisation_id", "sign_offs.id"],
            name="fk_sign_off_stages_sign_off_id_sign_offs",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_sign_off_stages_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_off_stages")),
        sa.UniqueConstraint("organisation_id", "id", name="uq_sign_off_stages_organisation_id_id"),
        sa.UniqueConstraint(
            "sign_off_id", "position", name=op.f("uq_sign_off_stages_sign_off_id_position")
        ),
    )
    op.create_index(
        "ix_sign_off_stages_agenda_item_id", "sign_off_stages", ["agenda_item_id"], unique=False
    )
    op.create_index(
        "ix_sign_off_stages_participants",
        "sign_off_stages",
        ["participants"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_table(
        "sign_off_decisions",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("sign_off_id", sa.Uuid(), nullable=False),
        sa.Column("stage_id", sa.Uuid(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column(
            "conditions",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column("reasons", sa.Text(), server_default="", nullable=False),
        sa.Column("see_again", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("referred_to", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("on_behalf_of_id", sa.Uuid(), nullable=True),
        sa.Column("meeting_id", sa.Uuid(), nullable=True),
        sa.Column("meeting_decision_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_label", sa.String(length=300), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "method IN ('individual', 'meeting', 'circulation')",
            name=op.f("ck_sign_off_decisions_method"),
        ),
        sa.CheckConstraint(
            "outcome IN ('approved', 'approved_with_conditions', 'deferred', 'rejected', 'noted')",
            name=op.f("ck_sign_off_decisions_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_decision_id"],
            ["meeting_decisions.id"],
            name="fk_sign_off_decisions_meeting_decision_id_meeting_decisions",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "decided_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_sign_off_decisions_decided_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "meeting_id"],
            ["meetings.organisation_id", "meetings.id"],
            name="fk_sign_off_decisions_meeting_id_meetings",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "on_behalf_of_id"],
            ["people.organisation_id", "people.id"],
            name="fk_sign_off_decisions_on_behalf_of_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "recorded_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_sign_off_decisions_recorded_by_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "sign_off_id"],
            ["sign_offs.organisation_id", "sign_offs.id"],
            name="fk_sign_off_decisions_sign_off_id_sign_offs",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "stage_id"],
            ["sign_off_stages.organisation_id", "sign_off_stages.id"],
            name="fk_sign_off_decisions_stage_id_sign_off_stages",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_sign_off_decisions_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["sign_off_decisions.id"],
            name="fk_sign_off_decisions_supersedes_id_sign_off_decisions",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name="fk_sign_off_decisions_version_id_document_versions",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_off_decisions")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_sign_off_decisions_supersedes_id")),
    )
    op.create_index(
        "ix_sign_off_decisions_sign_off_id",
        "sign_off_decisions",
        ["sign_off_id", "recorded_at"],
        unique=False,
    )
    op.create_index(
        "uq_sign_off_decisions_first",
        "sign_off_decisions",
        [
            "stage_id",
            "round",
            sa.literal_column("coalesce(on_behalf_of_id, decided_by_id, stage_id)"),
        ],
        unique=True,
        postgresql_where=sa.text("supersedes_id IS NULL"),
    )
    op.add_column(
        "meeting_decisions",
        sa.Column("see_again", sa.Boolean(), server_default="false", nullable=False),
    )
    op.add_column("document_versions", sa.Column("effective_on", sa.Date(), nullable=True))
    op.add_column("document_versions", sa.Column("superseded_on", sa.Date(), nullable=True))
    op.add_column("documents", sa.Column("category", sa.String(length=80), nullable=True))
    op.add_column(
        "organisations",
        sa.Column(
            "eia_categories",
            postgresql.ARRAY(sa.String(length=80)),
            server_default=sa.text(
                "'{age,disability,ethnicity,gender,religion_or_belief,sexual_orientation}'::varchar[]"
            ),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_column("organisations", "eia_categories")
    op.drop_column("meeting_decisions", "see_again")
    op.drop_column("documents", "category")
    op.drop_column("document_versions", "superseded_on")
    op.drop_column("document_versions", "effective_on")
    op.drop_index(
        "uq_sign_off_decisions_first",
        table_name="sign_off_decisions",
        postgresql_where=sa.text("supersedes_id IS NULL"),
    )
    op.drop_index("ix_sign_off_decisions_sign_off_id", table_name="sign_off_decisions")
    op.drop_table("sign_off_decisions")
    op.drop_index(
        "ix_sign_off_stages_participants", table_name="sign_off_stages", postgresql_using="gin"
    )
    op.drop_index("ix_sign_off_stages_agenda_item_id", table_name="sign_off_stages")
    op.drop_table("sign_off_stages")
    op.drop_index("ix_proposals_org_status", table_name="proposals")
    op.drop_index("ix_proposals_document_id", table_name="proposals")
    op.drop_index("ix_proposals_agenda_item_id", table_name="proposals")
    op.drop_table("proposals")
    op.drop_index(
        "uq_sign_offs_open_document",
        table_name="sign_offs",
        postgresql_where=sa.text("status IN ('in_progress', 'awaiting_amendment')"),
    )
    op.drop_index("ix_sign_offs_org_status", table_name="sign_offs")
    op.drop_index("ix_sign_offs_document_id", table_name="sign_offs")
    op.drop_table("sign_offs")
    op.drop_index(
        "ix_publications_pending",
        table_name="publications",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_index("ix_publications_org_status", table_name="publications")
    op.drop_index("ix_publications_document_id", table_name="publications")
    op.drop_table("publications")
    op.drop_index("ix_legal_reviews_reviewer_id", table_name="legal_reviews")
    op.drop_index("ix_legal_reviews_document_id", table_name="legal_reviews")
    op.drop_table("legal_reviews")
    op.drop_index("ix_fitness_checks_document_id", table_name="fitness_checks")
    op.drop_table("fitness_checks")
    op.drop_index("ix_equality_assessments_document_id", table_name="equality_assessments")
    op.drop_table("equality_assessments")
    op.drop_table("route_versions")
    op.drop_index("uq_posts_organisation_post_area", table_name="posts")
    op.drop_index("ix_posts_person_id", table_name="posts")
    op.drop_table("posts")
    op.drop_index("ix_delegations_delegator_id", table_name="delegations")
    op.drop_index("ix_delegations_delegate_id", table_name="delegations")
    op.drop_table("delegations")
    op.drop_table("governance_routes")

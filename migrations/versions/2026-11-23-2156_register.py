"""The register: organisations, people, access, documents, audit trail, outbox.

Revision ID: 2b57a18bafdd
Revises:
Create Date: 2026-11-23 21:56:07.436210+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "2b57a18bafdd"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.create_table(
        "organisations",
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("escalation_contact_id", sa.Uuid(), nullable=True),
        sa.Column(
            "holiday_subdivision", sa.String(length=10), server_default="ENG", nullable=False
        ),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("slug", name=op.f("uq_organisations_slug")),
    )
    op.create_table(
        "audit_chain_heads",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_audit_chain_heads_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_audit_chain_heads")),
    )
    op.create_table(
        "audit_records",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_person_id", sa.Uuid(), nullable=True),
        sa.Column("actor_api_key_id", sa.Uuid(), nullable=True),
        sa.Column("actor_label", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_audit_records_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_records")),
        sa.UniqueConstraint(
            "organisation_id", "seq", name=op.f("uq_audit_records_organisation_id_seq")
        ),
    )
    op.create_index(
        "ix_audit_records_entity",
        "audit_records",
        ["organisation_id", "entity_type", "entity_id"],
        unique=False,
    )
    op.create_index(
        "ix_audit_records_occurred_at",
        "audit_records",
        ["organisation_id", "occurred_at"],
        unique=False,
    )
    op.create_table(
        "document_kinds",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("requires_owner", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("default_review_interval_months", sa.Integer(), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_document_kinds_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_kinds")),
        sa.UniqueConstraint(
            "organisation_id", "key", name=op.f("uq_document_kinds_organisation_id_key")
        ),
    )
    op.create_table(
        "idempotency_records",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_headers", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("response_body", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_idempotency_records_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organisation_id", "key", name=op.f("pk_idempotency_records")),
    )
    op.create_table(
        "outbox_events",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=80), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_outbox_events_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    op.create_index(
        "ix_outbox_events_organisation_id",
        "outbox_events",
        ["organisation_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_outbox_events_unpublished",
        "outbox_events",
        ["created_at"],
        unique=False,
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "people",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("job_title", sa.String(length=200), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_people_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint(
            "organisation_id", "email", name=op.f("uq_people_organisation_id_email")
        ),
        sa.UniqueConstraint("organisation_id", "id", name="uq_people_organisation_id_id"),
    )
    op.create_index(op.f("ix_people_organisation_id"), "people", ["organisation_id"], unique=False)
    op.create_table(
        "api_keys",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("prefix", sa.String(length=20), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_api_keys_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_api_keys_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_index(
        op.f("ix_api_keys_organisation_id"), "api_keys", ["organisation_id"], unique=False
    )
    op.create_table(
        "documents",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), server_default="", nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("service_area", sa.String(length=200), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("responsible_officer_id", sa.Uuid(), nullable=True),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=30), server_default="draft", nullable=False),
        sa.Column("review_interval_months", sa.Integer(), nullable=True),
        sa.Column("next_review_due", sa.Date(), nullable=True),
        sa.Column(
            "tags",
            postgresql.ARRAY(sa.String(length=80)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
        sa.Column("trix_url", sa.String(length=2000), nullable=True),
        sa.Column("row_version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("latest_text", sa.Text(), server_default="", nullable=False),
        sa.Column("published_text", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "search_all",
            postgresql.TSVECTOR(),
            sa.Computed(
                "setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', coalesce(reference, '')), 'A') || setweight(to_tsvector('english', coalesce(summary, '')), 'B') || setweight(to_tsvector('english', left(coalesce(latest_text, ''), 500000)), 'C')",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "search_published",
            postgresql.TSVECTOR(),
            sa.Computed(
                "setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', coalesce(reference, '')), 'A') || setweight(to_tsvector('english', coalesce(summary, '')), 'B') || setweight(to_tsvector('english', left(coalesce(published_text, ''), 500000)), 'C')",
                persisted=True,
            ),
            nullable=False,
        ),
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
            "status IN ('draft', 'in_consultation', 'awaiting_approval', 'approved', 'published', 'under_review', 'superseded', 'retired')",
            name=op.f("ck_documents_status"),
        ),
        sa.CheckConstraint(
            "review_interval_months BETWEEN 1 AND 120", name=op.f("ck_documents_review_interval")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "author_id"],
            ["people.organisation_id", "people.id"],
            name="fk_documents_author_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "kind"],
            ["document_kinds.organisation_id", "document_kinds.key"],
            name="fk_documents_kind_document_kinds",
            onupdate="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "owner_id"],
            ["people.organisation_id", "people.id"],
            name="fk_documents_owner_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "responsible_officer_id"],
            ["people.organisation_id", "people.id"],
            name="fk_documents_responsible_officer_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_documents_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("organisation_id", "id", name="uq_documents_organisation_id_id"),
        sa.UniqueConstraint(
            "organisation_id", "reference", name=op.f("uq_documents_organisation_id_reference")
        ),
    )
    op.create_index("ix_documents_author_id", "documents", ["author_id"], unique=False)
    op.create_index("ix_documents_org_kind", "documents", ["organisation_id", "kind"], unique=False)
    op.create_index(
        "ix_documents_org_review_due",
        "documents",
        ["organisation_id", "next_review_due"],
        unique=False,
    )
    op.create_index(
        "ix_documents_org_status", "documents", ["organisation_id", "status"], unique=False
    )
    op.create_index("ix_documents_owner_id", "documents", ["owner_id"], unique=False)
    op.create_index(
        "ix_documents_responsible_officer_id", "documents", ["responsible_officer_id"], unique=False
    )
    op.create_index(
        "ix_documents_search_all", "documents", ["search_all"], unique=False, postgresql_using="gin"
    )
    op.create_index(
        "ix_documents_search_published",
        "documents",
        ["search_published"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_documents_tags", "documents", ["tags"], unique=False, postgresql_using="gin"
    )
    op.create_table(
        "person_roles",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_person_roles_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "role", name=op.f("pk_person_roles")),
    )
    op.create_table(
        "document_links",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('governs', 'implements', 'form_for', 'supersedes', 'relates_to')",
            name=op.f("ck_document_links_kind"),
        ),
        sa.CheckConstraint("source_id <> target_id", name=op.f("ck_document_links_not_self")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["people.id"], name=op.f("fk_document_links_created_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "source_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_document_links_source_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "target_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_document_links_target_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_document_links_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_links")),
        sa.UniqueConstraint(
            "source_id",
            "target_id",
            "kind",
            name=op.f("uq_document_links_source_id_target_id_kind"),
        ),
    )
    op.create_index("ix_document_links_target_id", "document_links", ["target_id"], unique=False)
    op.create_table(
        "document_versions",
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("major", sa.Integer(), nullable=False),
        sa.Column("minor", sa.Integer(), nullable=False),
        sa.Column("change_summary", sa.Text(), server_default="", nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("uploaded_by_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "major >= 0 AND minor >= 0 AND (major > 0 OR minor > 0)",
            name=op.f("ck_document_versions_number"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_document_versions_document_documents",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_document_versions_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["people.id"],
            name=op.f("fk_document_versions_uploaded_by_id_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_versions")),
        sa.UniqueConstraint(
            "document_id",
            "major",
            "minor",
            name=op.f("uq_document_versions_document_id_major_minor"),
        ),
    )
    op.create_table(
        "version_files",
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name=op.f("fk_version_files_version_id_document_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_version_files")),
    )
    op.create_foreign_key(
        op.f("fk_organisations_escalation_contact_id_people"),
        "organisations",
        "people",
        ["escalation_contact_id"],
        ["id"],
        ondelete="SET NULL",
    )
    # The audit trail is append-only: the database itself refuses edits and deletions.
    op.execute(
        """
        CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_records is append-only (% refused)', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER audit_records_append_only
            BEFORE UPDATE OR DELETE ON audit_records
            FOR EACH ROW EXECUTE FUNCTION audit_records_append_only()
        """
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.execute("DROP TRIGGER IF EXISTS audit_records_append_only ON audit_records")
    op.execute("DROP FUNCTION IF EXISTS audit_records_append_only()")
    op.drop_constraint(
        op.f("fk_organisations_escalation_contact_id_people"), "organisations", type_="foreignkey"
    )
    op.drop_table("version_files")
    op.drop_table("document_versions")
    op.drop_index("ix_document_links_target_id", table_name="document_links")
    op.drop_table("document_links")
    op.drop_table("person_roles")
    op.drop_index("ix_documents_tags", table_name="documents", postgresql_using="gin")
    op.drop_index("ix_documents_search_published", table_name="documents", postgresql_using="gin")
    op.drop_index("ix_documents_search_all", table_name="documents", postgresql_using="gin")
    op.drop_index("ix_documents_responsible_officer_id", table_name="documents")
    op.drop_index("ix_documents_owner_id", table_name="documents")
    op.drop_index("ix_documents_org_status", table_name="documents")
    op.drop_index("ix_documents_org_review_due", table_name="documents")
    op.drop_index("ix_documents_org_kind", table_name="documents")
    op.drop_index("ix_documents_author_id", table_name="documents")
    op.drop_table("documents")
    op.drop_index(op.f("ix_api_keys_organisation_id"), table_name="api_keys")
    op.drop_table("api_keys")
    op.drop_index(op.f("ix_people_organisation_id"), table_name="people")
    op.drop_table("people")
    op.drop_index(
        "ix_outbox_events_unpublished",
        table_name="outbox_events",
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.drop_index("ix_outbox_events_organisation_id", table_name="outbox_events")
    op.drop_table("outbox_events")
    op.drop_table("idempotency_records")
    op.drop_table("document_kinds")
    op.drop_index("ix_audit_records_occurred_at", table_name="audit_records")
    op.drop_index("ix_audit_records_entity", table_name="audit_records")
    op.drop_table("audit_records")
    op.drop_table("audit_chain_heads")
    op.drop_table("organisations")

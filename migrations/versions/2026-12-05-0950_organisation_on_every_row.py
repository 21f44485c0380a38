"""every row names its organisation: person_roles and version_files gain organisation_id

So the register can be distributed by organisation (a Citus distribution column, a shard per
council), the two tables that reached their organisation only through a parent now hold it,
with a foreign key on (organisation_id, parent id): a role cannot belong to another
organisation's person, nor a file to another organisation's version.

Revision ID: 9a2d4b6c8e10
Revises: 8f1c6a4e2d93
Create Date: 2026-12-05 09:50:00.000000+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9a2d4b6c8e10"
down_revision: str | None = "8f1c6a4e2d93"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column("person_roles", sa.Column("organisation_id", sa.Uuid(), nullable=True))
    op.execute(
        "UPDATE person_roles AS r SET organisation_id = p.organisation_id "
        "FROM people AS p WHERE p.id = r.person_id"
    )
    op.alter_column("person_roles", "organisation_id", nullable=False)
    op.drop_constraint("fk_person_roles_person_id_people", "person_roles", type_="foreignkey")
    op.create_foreign_key(
        "fk_person_roles_person_id_people",
        "person_roles",
        "people",
        ["organisation_id", "person_id"],
        ["organisation_id", "id"],
        ondelete="CASCADE",
    )

    op.create_unique_constraint(
        "uq_document_versions_organisation_id_id", "document_versions", ["organisation_id", "id"]
    )
    op.add_column("version_files", sa.Column("organisation_id", sa.Uuid(), nullable=True))
    op.execute(
        "UPDATE version_files AS f SET organisation_id = v.organisation_id "
        "FROM document_versions AS v WHERE v.id = f.version_id"
    )
    op.alter_column("version_files", "organisation_id", nullable=False)
    op.drop_constraint(
        "fk_version_files_version_id_document_versions", "version_files", type_="foreignkey"
    )
    op.create_foreign_key(
        "fk_version_files_version_id_document_versions",
        "version_files",
        "document_versions",
        ["organisation_id", "version_id"],
        ["organisation_id", "id"],
        ondelete="CASCADE",
    )


def downgrade() -> None:
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_constraint(
        "fk_version_files_version_id_document_versions", "version_files", type_="foreignkey"
    )
    op.create_foreign_key(
        "fk_version_files_version_id_document_versions",
        "version_files",
        "document_versions",
        ["version_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.drop_column("version_files", "organisation_id")
    op.drop_constraint(
        "uq_document_versions_organisation_id_id", "document_versions", type_="unique"
    )
    op.drop_constraint("fk_person_roles_person_id_people", "person_roles", type_="foreignkey")
    op.create_foreign_key(
        "fk_person_roles_person_id_people",
        "person_roles",
        "people",
        ["person_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.drop_column("person_roles", "organisation_id")

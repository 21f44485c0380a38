"""Every table names the organisation its rows belong to, so the register can be split by
organisation (a Citus distribution column; a shard per council) without a redesign."""

from __future__ import annotations

from services.domain import models  # noqa: F401  every table, registered
from services.domain.db import Base

# Tables of no one organisation, each with why (in Citus: reference tables, copied to every node).
WITHOUT_ORGANISATION = {
    "organisations": "the organisations themselves",
    "sweep_marks": "the notifier's own bookkeeping: how far each sweep has gone, for everyone",
}


def test_every_table_names_its_organisation() -> None:
    tables = {table.name: table for table in Base.metadata.sorted_tables}
    assert set(WITHOUT_ORGANISATION) <= set(tables)
    missing = sorted(
        name
        for name, table in tables.items()
        if "organisation_id" not in table.c and name not in WITHOUT_ORGANISATION
    )
    assert missing == []


def test_a_row_and_its_parent_share_their_organisation() -> None:
    # Where a table's key is its parent's, the foreign key holds the organisation too: a role
    # cannot belong to another organisation's person, nor a file to another's version.
    for name, parent in (("person_roles", "people"), ("version_files", "document_versions")):
        table = Base.metadata.tables[name]
        [key] = [fk for fk in table.foreign_key_constraints if fk.referred_table.name == parent]
        assert "organisation_id" in {c.name for c in key.columns}, name

"""The migration that gives person_roles and version_files their organisation fills it in from
each row's person or version, for every organisation, and loses no row. Run on a scratch
database brought to the migration before it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.migration_support import dsn as _dsn
from tests.migration_support import run as _run
from tests.migration_support import scratch_database
from tests.migration_support import upgrade as _upgrade

BEFORE, REVISION = "8f1c6a4e2d93", "9a2d4b6c8e10"


@pytest.fixture
def scratch_url(database_url: str) -> Iterator[str]:
    with scratch_database(database_url, "organisation_rows") as url:
        yield url


def _organisation(org: uuid.UUID, slug: str) -> list[tuple[str, tuple[Any, ...]]]:
    person, document, version = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    return [
        ("INSERT INTO organisations (id, slug, name) VALUES ($1, $2, $2)", (org, slug)),
        (
            "INSERT INTO people (id, organisation_id, email, name) VALUES ($1, $2, $3, 'Ann')",
            (person, org, f"ann@{slug}.example"),
        ),
        (
            "INSERT INTO person_roles (person_id, role) VALUES ($1, 'admin'), ($1, 'author')",
            (person,),
        ),
        (
            "INSERT INTO document_kinds (id, organisation_id, key, label) "
            "VALUES ($1, $2, 'policy', 'Policy')",
            (uuid.uuid4(), org),
        ),
        (
            "INSERT INTO documents (id, organisation_id, reference, title, kind) "
            "VALUES ($1, $2, 'POL-1', 'A policy', 'policy')",
            (document, org),
        ),
        (
            "INSERT INTO document_versions (id, organisation_id, document_id, major, minor, "
            "filename, media_type, size_bytes, sha256) "
            "VALUES ($1, $2, $3, 0, 1, 'a.md', 'text/markdown', 5, repeat('0', 64))",
            (version, org, document),
        ),
        (
            "INSERT INTO version_files (version_id, content) VALUES ($1, 'draft'::bytea)",
            (version,),
        ),
    ]


async def _rows(url: str) -> dict[str, list[tuple[str, Any]]]:
    conn = await asyncpg.connect(_dsn(url, make_url(url).database or ""))
    try:
        roles = await conn.fetch(
            "SELECT o.slug, r.role FROM person_roles r "
            "JOIN organisations o ON o.id = r.organisation_id ORDER BY 1, 2"
        )
        files = await conn.fetch(
            "SELECT o.slug, f.content FROM version_files f "
            "JOIN organisations o ON o.id = f.organisation_id ORDER BY 1"
        )
    finally:
        await conn.close()
    return {
        "roles": [(r["slug"], r["role"]) for r in roles],
        "files": [(f["slug"], bytes(f["content"])) for f in files],
    }


def test_each_role_and_file_takes_its_parents_organisation(scratch_url: str) -> None:
    _upgrade(scratch_url, BEFORE)
    statements = _organisation(uuid.uuid4(), "lbbd") + _organisation(uuid.uuid4(), "nct")
    asyncio.run(_run(scratch_url, statements))
    _upgrade(scratch_url, REVISION)
    assert asyncio.run(_rows(scratch_url)) == {
        "roles": [("lbbd", "admin"), ("lbbd", "author"), ("nct", "admin"), ("nct", "author")],
        "files": [("lbbd", b"draft"), ("nct", b"draft")],
    }

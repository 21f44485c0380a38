"""The per-caller idempotency migration keeps the records it finds, under no caller: nobody
sends as the nil UUID, so they are never replayed to anyone and wait to expire. Run on a
scratch database brought to the migration before it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.migration_support import downgrade as _downgrade
from tests.migration_support import dsn as _dsn
from tests.migration_support import run as _run
from tests.migration_support import scratch_database
from tests.migration_support import upgrade as _upgrade

BEFORE, REVISION = "3f6c1a9d2b47", "9b2e4c7d1a05"
NOBODY = uuid.UUID(int=0)


@pytest.fixture
def scratch_url(database_url: str) -> Iterator[str]:
    with scratch_database(database_url, "idempotency_callers") as url:
        yield url


async def _records(url: str) -> list[tuple[uuid.UUID, str]]:
    conn = await asyncpg.connect(_dsn(url, make_url(url).database or ""))
    try:
        rows = await conn.fetch("SELECT caller_id, key FROM idempotency_records ORDER BY key")
    finally:
        await conn.close()
    return [(r["caller_id"], r["key"]) for r in rows]


def test_existing_records_are_kept_under_no_caller_and_the_way_back_keeps_one_per_key(
    scratch_url: str,
) -> None:
    _upgrade(scratch_url, BEFORE)
    org, now = uuid.uuid4(), datetime.now(UTC)
    insert = (
        "INSERT INTO idempotency_records (organisation_id, key, fingerprint, state, locked_at, "
        "created_at, response_status) VALUES ($1, $2, $3, 'done', $4, $4, 201)"
    )
    asyncio.run(
        _run(
            scratch_url,
            [
                ("INSERT INTO organisations (id, slug, name) VALUES ($1, 'nct', 'NCT')", (org,)),
                (insert, (org, "create-pol-7", "f" * 64, now)),
            ],
        )
    )

    _upgrade(scratch_url, REVISION)

    assert asyncio.run(_records(scratch_url)) == [(NOBODY, "create-pol-7")]
    # Two callers now use the same key; going back keeps one record for it.
    caller = uuid.uuid4()
    insert_for_caller = (
        "INSERT INTO idempotency_records (organisation_id, caller_id, key, fingerprint, state, "
        "locked_at, created_at, response_status) VALUES ($1, $2, $3, $4, 'done', $5, $5, 201)"
    )
    asyncio.run(
        _run(scratch_url, [(insert_for_caller, (org, caller, "create-pol-7", "e" * 64, now))])
    )

    _downgrade(scratch_url, BEFORE)

    assert asyncio.run(_fingerprints(scratch_url)) == ["e" * 64]


async def _fingerprints(url: str) -> list[str]:
    conn = await asyncpg.connect(_dsn(url, make_url(url).database or ""))
    try:
        rows = await conn.fetch("SELECT fingerprint FROM idempotency_records")
    finally:
        await conn.close()
    return [r["fingerprint"] for r in rows]

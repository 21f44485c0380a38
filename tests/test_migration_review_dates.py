"""The review-date migration sorts out existing rows by the one rule: an agreed schedule lost to
a route's interval is put back, copies of defaults are cleared, and every document in force is
given a review date. Run on a scratch database brought to the migration before it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import asyncpg
import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy.engine import make_url

from tests.migration_support import dsn as _dsn
from tests.migration_support import run as _run
from tests.migration_support import scratch_database
from tests.migration_support import upgrade as _upgrade

BEFORE, REVISION = "86d827131189", "980cd6a375f3"


@pytest.fixture
def scratch_url(database_url: str) -> Iterator[str]:
    with scratch_database(database_url, "review_dates") as url:
        yield url


async def _documents(url: str) -> dict[str, tuple[int | None, date | None]]:
    conn = await asyncpg.connect(_dsn(url, make_url(url).database or ""))
    try:
        rows = await conn.fetch(
            "SELECT reference, review_interval_months, next_review_due FROM documents"
        )
    finally:
        await conn.close()
    return {r["reference"]: (r["review_interval_months"], r["next_review_due"]) for r in rows}


def test_existing_rows_follow_the_one_rule_after_the_migration(scratch_url: str) -> None:
    _upgrade(scratch_url, BEFORE)
    org, route, route_v1 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    ids: dict[str, uuid.UUID] = {}
    statements: list[tuple[str, tuple[Any, ...]]] = [
        ("INSERT INTO organisations (id, slug, name) VALUES ($1, 'lbbd', 'LBBD')", (org,)),
        (
            "INSERT INTO document_kinds (id, organisation_id, key, label, "
            "default_review_interval_months) VALUES ($1, $2, 'policy', 'Policy', 6), "
            "($3, $2, 'procedure', 'Procedure', NULL), ($4, $2, 'form', 'Form', NULL)",
            (uuid.uuid4(), org, uuid.uuid4(), uuid.uuid4()),
        ),
        # LBBD's route for procedures: reviewed every 12 months unless agreed otherwise.
        (
            "INSERT INTO governance_routes (id, organisation_id, key, name, kinds) "
            "VALUES ($1, $2, 'approval', 'Approval', '{procedure}')",
            (route, org),
        ),
        (
            "INSERT INTO route_versions (id, organisation_id, route_id, number, definition, "
            "created_at) VALUES ($1, $2, $3, 1, $4::jsonb, now())",
            (route_v1, org, route, '{"stages": [], "review_interval_months": 12}'),
        ),
    ]

    def document(reference: str, kind: str, status: str, **fields: Any) -> None:
        ids[reference] = uuid.uuid4()
        columns = ["id", "organisation_id", "reference", "title", "kind", "status", *fields]
        values = [ids[reference], org, reference, reference, kind, status, *fields.values()]
        marks = ", ".join(f"${n}" for n in range(1, len(values) + 1))
        statements.append(
            (f"INSERT INTO documents ({', '.join(columns)}) VALUES ({marks})", tuple(values))
        )

    def issued(reference: str, major: int, issued_on: date, stated: int | None) -> None:
        version = uuid.uuid4()
        statements.append(
            (
                "INSERT INTO document_versions (id, organisation_id, document_id, major, minor, "
                "filename, media_type, size_bytes, sha256, issued_on) "
                "VALUES ($1, $2, $3, $4, 0, 'v.txt', 'text/plain', 1, 'x', $5)",
                (version, org, ids[reference], major, issued_on),
            )
        )
        statements.append(
            (
                "INSERT INTO sign_offs (id, organisation_id, document_id, version_id, "
                "route_version_id, status, answers, approvers, previous_status, submitted_at, "
                "review_interval_months, issued_version_id) VALUES ($1, $2, $3, $4, $5, "
                "'completed', '{}', '{}', 'draft', $6::date, $7, $4)",
                (uuid.uuid4(), org, ids[reference], version, route_v1, issued_on, stated),
            )
        )

    # LBBD: 18 months agreed at the first sign-off, written over by the route's 12 at the next.
    document("PROC-LOST", "procedure", "published", review_interval_months=12,
             next_review_due=date(2027, 6, 1))  # fmt: skip
    issued("PROC-LOST", 1, date(2025, 1, 10), 18)
    issued("PROC-LOST", 2, date(2026, 6, 1), None)
    # Only ever the route's 12, copied at issue: cleared (the route's applies through the rule).
    document("PROC-ROUTE", "procedure", "published", review_interval_months=12,
             next_review_due=date(2027, 3, 1))  # fmt: skip
    issued("PROC-ROUTE", 1, date(2026, 3, 1), None)
    # A copy of the kind's six months made at creation: cleared. One set apart from it: kept.
    document("POL-COPY", "policy", "draft", review_interval_months=6)
    document("POL-AGREED", "policy", "draft", review_interval_months=18)
    # In force with no review date: from the issue, the last review or the migration day.
    document("PROC-ISSUED", "procedure", "published")
    issued("PROC-ISSUED", 1, date(2026, 8, 31), None)
    document("FORM-REVIEWED", "form", "under_review", last_reviewed_on=date(2026, 1, 15))
    document("POL-NOTHING", "policy", "published", review_interval_months=3)
    # Not in force: left without a date.
    document("FORM-DRAFT", "form", "draft")
    asyncio.run(_run(scratch_url, statements))

    _upgrade(scratch_url, REVISION)

    today = asyncio.run(_london_today(scratch_url))
    assert asyncio.run(_documents(scratch_url)) == {
        "PROC-LOST": (18, date(2027, 6, 1)),
        "PROC-ROUTE": (None, date(2027, 3, 1)),
        "POL-COPY": (None, None),
        "POL-AGREED": (18, None),
        # The route's 12 months from the end of August.
        "PROC-ISSUED": (None, date(2027, 8, 31)),
        # No route or kind interval for forms: the organisation's default, 12.
        "FORM-REVIEWED": (None, date(2027, 1, 15)),
        "POL-NOTHING": (3, _months_after(today, 3)),
        "FORM-DRAFT": (None, None),
    }


async def _london_today(url: str) -> date:
    conn = await asyncpg.connect(_dsn(url, make_url(url).database or ""))
    try:
        day: date = await conn.fetchval("SELECT (now() AT TIME ZONE 'Europe/London')::date")
    finally:
        await conn.close()
    return day


def _months_after(day: date, months: int) -> date:
    return day + relativedelta(months=months)

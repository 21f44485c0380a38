"""EXPLAIN ANALYZE of the SQL our service really emits, captured with auto_explain.

The domain function runs on a SQLAlchemy session whose connection has auto_explain switched on
with client_min_messages = log, so PostgreSQL sends each executed plan back as a notice. Each case
runs several times on one connection: asyncpg prepares statements, and from the sixth execution
PostgreSQL may switch to a generic plan, which is what a long-lived API connection ends up using.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.access import service as access
from services.domain.authz.principal import Principal
from services.domain.db import make_engine, make_sessionmaker
from services.domain.documents import search
from services.domain.models.people import Person, PersonRole
from tests.bench.dataset import dsn
from tests.bench.reference_app import NOT_RETURNED, document_sql

RUNS = 7
# The top node's "actual time=startup..total": the execution time of the query proper.
TOP_NODE_TIME = re.compile(r"actual time=[\d.]+\.\.([\d.]+)")


@dataclass
class Case:
    name: str
    filters: search.DocumentFilters
    as_author: bool = False  # a person without a managing role: the other search branch
    # Another domain query to explain instead of list_documents (the tracker's, for one).
    run: Callable[[AsyncSession, Principal], Awaitable[Any]] | None = None


@dataclass
class Plan:
    name: str
    first_ms: float
    last_ms: float
    first_plan: str
    last_plan: str

    @property
    def summary(self) -> str:
        nodes = [
            line.strip().lstrip("-> ").split("  (")[0]
            for line in self.last_plan.splitlines()
            if "(cost=" in line
        ]
        return " > ".join(nodes[:4])

    @property
    def changed_plan(self) -> bool:
        def shape(plan: str) -> list[str]:
            return [line.split("(cost=")[0] for line in plan.splitlines() if "(cost=" in line]

        return shape(self.first_plan) != shape(self.last_plan)


async def capture_plans(url: str, api_key: str, cases: list[Case]) -> list[Plan]:
    engine = make_engine(url)
    plans: list[Plan] = []
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            admin = await access.authenticate_api_key(session, api_key)
            author_id = (
                await session.execute(
                    select(Person.id)
                    .join(PersonRole, PersonRole.person_id == Person.id)
                    .where(Person.organisation_id == admin.organisation_id)
                    .where(PersonRole.role == "author")
                    .order_by(Person.email)
                    .limit(1)
                )
            ).scalar_one()
            author = Principal(admin.organisation_id, author_id, frozenset({"author"}), "bench")
            raw = await (await session.connection()).get_raw_connection()
            driver: asyncpg.Connection = raw.driver_connection
            notices: list[str] = []
            driver.add_log_listener(lambda _conn, message: notices.append(message.message))
            for statement in (
                "LOAD 'auto_explain'",
                "SET auto_explain.log_min_duration = 0",
                "SET auto_explain.log_analyze = on",
                "SET auto_explain.log_buffers = on",
                "SET client_min_messages = log",
            ):
                await session.execute(text(statement))
            for case in cases:
                principal = author if case.as_author else admin
                runs: list[tuple[float, str]] = []
                for _ in range(RUNS):
                    notices.clear()
                    if case.run is not None:
                        await case.run(session, principal)
                    else:
                        await search.list_documents(
                            session, principal, case.filters, after=None, limit=50
                        )
                    # auto_explain reports when the portal closes; a simple query closes it.
                    await driver.execute("SELECT 1")
                    await asyncio.sleep(0)
                    # A search reads its tiers in turn: one statement each, all counted.
                    found = [n for n in notices if "FROM documents" in n]
                    plan = "\n-- next statement --\n".join(found)
                    times = [TOP_NODE_TIME.search(n) for n in found]
                    total = sum(float(m.group(1)) for m in times if m)
                    runs.append((total if found else -1.0, plan))
                plans.append(Plan(case.name, runs[0][0], runs[-1][0], runs[0][1], runs[-1][1]))
            await session.execute(text("SET client_min_messages = notice"))
            await session.rollback()
    finally:
        await engine.dispose()
    return plans


async def text_columns_cost(
    url: str, organisation_id: uuid.UUID, ids: list[str], rounds: int = 2000
) -> dict[str, Any]:
    """Time the get-by-id SELECT with and without latest_text/published_text."""
    full = document_sql()
    head, _, tail = full.partition("\nFROM ")
    lean_columns = [
        c for c in head.removeprefix("SELECT ").split(", ") if c.split(".")[-1] not in NOT_RETURNED
    ]
    lean = "SELECT " + ", ".join(lean_columns) + "\nFROM " + tail
    conn = await asyncpg.connect(dsn(url))
    out: dict[str, Any] = {}
    try:
        for label, sql in (("with_text_columns", full), ("without_text_columns", lean)):
            statement = await conn.prepare(sql)
            keys = [uuid.UUID(i) for i in ids]
            started = time.perf_counter()
            for i in range(rounds):
                await statement.fetchrow(keys[i % len(keys)], organisation_id)
            elapsed = time.perf_counter() - started
            rows = [await statement.fetchrow(k, organisation_id) for k in keys[:200]]
            chars = sum(len(str(v)) for row in rows if row for v in row.values())
            out[label] = {
                "mean_us": round(elapsed / rounds * 1e6, 1),
                "mean_row_chars": round(chars / max(len(rows), 1)),
            }
    finally:
        await conn.close()
    return out

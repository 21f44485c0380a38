"""Rows a fixture builds once per test process, put back for each later test in one round trip.

`world` (two organisations, a person and an API key per role) costs about 70 statements through
the domain, some 100 ms, and nearly every test asks for it; the fuzz tests' seeds cost as much
again. They are built once per process through the domain as before, on empty tables; their rows are
then copied, server-side, into a schema of their own, and every test gets them back with one
script of INSERT ... SELECT. The rows are the same, byte for byte (ids, key hashes, audit
records, outbox events), so a test cannot tell the difference, except that their timestamps are
those of the first build.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

T = TypeVar("T")
KEPT = {"alembic_version"}
# name -> (the script that puts the rows back, what the build returned)
_TAKEN: dict[str, tuple[str, Any]] = {}


async def built_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    name: str,
    build: Callable[[], Awaitable[T]],
    empty_first: str,
) -> T:
    """``build()``'s result: built now by the first caller of the process, else its rows put
    back. ``empty_first`` empties the tables: before a snapshot taken on top of rows another
    fixture put there (they are in the snapshot too), and before they are put back."""
    if name not in _TAKEN:
        result = await build()
        async with sessionmaker() as session:
            _TAKEN[name] = (await _take(await session.connection(), name), result)
        return result
    script, result = _TAKEN[name]
    await run_scripts(sessionmaker, empty_first, script)
    return result  # type: ignore[no-any-return]


async def taken_alone(
    sessionmaker: async_sessionmaker[AsyncSession],
    name: str,
    build: Callable[[], Awaitable[T]],
    empty: str,
) -> tuple[str, T]:
    """Build on empty tables, take the snapshot, empty them again: the script that puts the
    rows back and ``build()``'s result. For a session-scoped fixture, which pytest sets up
    before any of a test's own: no row of anything else can be in the snapshot."""
    await run_scripts(sessionmaker, empty)
    result = await build()
    async with sessionmaker() as session:
        script = await _take(await session.connection(), name)
    await run_scripts(sessionmaker, empty)
    return script, result


async def run_scripts(sessionmaker: async_sessionmaker[AsyncSession], *scripts: str) -> None:
    """Run SQL scripts on one connection: asyncpg sends a script without arguments as one
    simple query, so each is one round trip however many statements it holds."""
    async with sessionmaker() as session:
        raw = await _raw(await session.connection())
        for script in scripts:
            await raw.execute(script)


async def _raw(conn: AsyncConnection) -> Any:
    raw = (await conn.get_raw_connection()).driver_connection
    assert raw is not None
    return raw


async def _take(conn: AsyncConnection, name: str) -> str:
    """Copy every non-empty table into schema ``name``; return the script that puts the rows
    back into empty tables (foreign keys and triggers off while it runs, as for the cleanup)."""
    raw = await _raw(conn)
    await raw.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE; CREATE SCHEMA "{name}"')
    columns = await raw.fetch(
        """
        SELECT c.relname AS table, array_agg(quote_ident(a.attname) ORDER BY a.attnum) AS names
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0
          AND NOT a.attisdropped AND a.attgenerated = ''
        GROUP BY c.relname
        ORDER BY c.relname
        """
    )
    statements: list[str] = []
    for row in columns:
        table, names = row["table"], ", ".join(row["names"])
        if table in KEPT or not await raw.fetchval(f'SELECT EXISTS (SELECT FROM "{table}")'):
            continue
        await raw.execute(f'CREATE TABLE "{name}"."{table}" AS SELECT {names} FROM "{table}"')
        statements.append(
            f'INSERT INTO public."{table}" ({names}) SELECT {names} FROM "{name}"."{table}";'
        )
    return " ".join(
        ["BEGIN; SET LOCAL session_replication_role = replica;", *statements, "COMMIT;"]
    )

"""The database the command works on: made if missing, migrated, one transaction a command."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.domain.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parents[2]


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def ensure_database(url: str) -> bool:
    """Create the database named in ``url`` if it does not exist; True if it was created."""
    name = make_url(url).database
    try:
        conn = await asyncpg.connect(_asyncpg_dsn(url))
        await conn.close()
        return False
    except asyncpg.InvalidCatalogNameError:
        pass
    conn = await asyncpg.connect(_asyncpg_dsn(url, "postgres"))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    except asyncpg.DuplicateDatabaseError:
        return False
    finally:
        await conn.close()
    return True


def _alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = url
    return config


def migrate(url: str | None = None) -> None:
    """Bring the database schema to the newest migration (creating the database if needed)."""
    from alembic import command

    url = url or get_settings().database_url
    if asyncio.run(ensure_database(url)):
        print(f"created database {make_url(url).database}")
    command.upgrade(_alembic_config(url), "head")
    print("database is at the newest migration")


async def _applied_revisions(url: str) -> set[str]:
    """The revisions recorded in the database; none when it or its schema is not made yet."""
    try:
        conn = await asyncpg.connect(_asyncpg_dsn(url))
    except asyncpg.InvalidCatalogNameError:
        return set()
    try:
        if await conn.fetchval("SELECT to_regclass('alembic_version')") is None:
            return set()
        return {row[0] for row in await conn.fetch("SELECT version_num FROM alembic_version")}
    finally:
        await conn.close()


def schema_state(url: str) -> tuple[bool, str]:
    """Whether this code may run on the database's schema, and why: at this code's newest
    migration, or past it (a migration this code does not know, so a newer release's: each
    works with the code before it, so a rollback runs on it). Behind: not yet."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    script = ScriptDirectory.from_config(_alembic_config(url))
    heads = set(script.get_heads())
    applied = asyncio.run(_applied_revisions(url))
    if applied == heads:
        return True, f"at the newest migration ({', '.join(sorted(heads))})"
    for revision in sorted(applied):
        try:
            script.get_revision(revision)
        except CommandError:
            return True, f"past this release's newest migration: at {revision}, a newer one's"
    at = ", ".join(sorted(applied)) or "no migration"
    return False, f"behind: at {at}, waiting for {', '.join(sorted(heads))}"


def check_migrations(wait_seconds: float = 0, every_seconds: float = 5) -> int:
    """0 once the schema is one this code runs on (``schema_state``), waiting up to
    ``wait_seconds`` for the migrations (and for PostgreSQL); 1 if it is still behind. An init
    container runs it, so a release's pods start only after its migrate Job."""
    from services.domain.db import is_unavailable

    url = get_settings().database_url
    deadline = time.monotonic() + wait_seconds
    said = ""
    while True:
        try:
            ready, state = schema_state(url)
        except Exception as exc:
            if not is_unavailable(exc) or time.monotonic() >= deadline:
                raise
            ready, state = False, f"unreachable: {type(exc).__name__}"
        if ready or time.monotonic() >= deadline:
            print(f"database schema: {state}")
            return 0 if ready else 1
        if state != said:
            print(f"database schema: {state}; checking every {every_seconds:g} s", flush=True)
            said = state
        time.sleep(every_seconds)


def command_engine(settings: Settings) -> AsyncEngine:
    """The engine of a one-off command (seed-demo, move-files, the notifier's --once runs):
    the service's database, through PgBouncer's rules when the settings say it is behind one."""
    from services.domain.db import make_engine

    return make_engine(settings.database_url, pgbouncer=settings.database_pgbouncer)


async def in_transaction(work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    from services.domain.db import make_sessionmaker
    from services.domain.documents.files import session_info

    settings = get_settings()
    engine = command_engine(settings)
    try:
        async with (
            make_sessionmaker(engine, session_info(get_settings()))() as session,
            session.begin(),
        ):
            return await work(session)
    finally:
        await engine.dispose()

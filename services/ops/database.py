"""The database the command works on: made if missing, migrated, one transaction a command."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.settings import get_settings

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


def migrate(url: str | None = None) -> None:
    """Bring the database schema to the newest migration (creating the database if needed)."""
    from alembic import command
    from alembic.config import Config

    url = url or get_settings().database_url
    if asyncio.run(ensure_database(url)):
        print(f"created database {make_url(url).database}")
    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = url
    command.upgrade(config, "head")
    print("database is at the newest migration")


async def in_transaction(work: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
    from services.domain.db import make_engine, make_sessionmaker
    from services.domain.documents.files import session_info

    engine = make_engine(get_settings().database_url)
    try:
        async with (
            make_sessionmaker(engine, session_info(get_settings()))() as session,
            session.begin(),
        ):
            return await work(session)
    finally:
        await engine.dispose()

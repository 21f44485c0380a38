"""A scratch database brought to one migration, for tests of what a migration does to rows."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from services.cli import ROOT


def dsn(url: str, database: str) -> str:
    return make_url(url).set(drivername="postgresql", database=database).render_as_string(False)


@contextmanager
def scratch_database(database_url: str, suffix: str) -> Iterator[str]:
    """A new, empty database beside the test database, dropped afterwards; its URL."""
    name = f"{make_url(database_url).database}_{suffix}"

    async def recreate(drop_only: bool = False) -> None:
        conn = await asyncpg.connect(dsn(database_url, "postgres"))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not drop_only:
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(recreate())
    try:
        yield make_url(database_url).set(database=name).render_as_string(False)
    finally:
        asyncio.run(recreate(drop_only=True))


def _config(url: str) -> Config:
    config = Config(toml_file=str(ROOT / "pyproject.toml"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str) -> None:
    command.upgrade(_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(_config(url), revision)


async def run(url: str, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
    conn = await asyncpg.connect(dsn(url, make_url(url).database or ""))
    try:
        for sql, args in statements:
            await conn.execute(sql, *args)
    finally:
        await conn.close()

"""Test harness: real PostgreSQL and Redis, from TEST_DATABASE_URL / TEST_REDIS_URL (set by the
Makefile) or from testcontainers where Docker runs. The schema is built by the migrations, so
every run tests them; each test starts from empty tables."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from httpx import ASGITransport, AsyncClient
from redis.asyncio import Redis
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.api.app import create_app
from services.cli import migrate
from services.domain.db import make_engine, make_sessionmaker
from services.domain.settings import Settings
from tests.factories import World, build_world
from tests.faults.outages import TcpProxy


def _container_url(kind: str) -> str:
    if kind == "postgres":
        from testcontainers.postgres import PostgresContainer

        pg = PostgresContainer("postgres:16-alpine", driver="asyncpg").start()
        return str(pg.get_connection_url())
    from testcontainers.redis import RedisContainer

    redis = RedisContainer("redis:7-alpine").start()
    return f"redis://{redis.get_container_host_ip()}:{redis.get_exposed_port(6379)}/0"


async def _recreate_database(url: str) -> None:
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    conn = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL") or _container_url("postgres")
    asyncio.run(_recreate_database(url))
    migrate(url)
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL") or _container_url("redis")

    async def flush() -> None:
        # The test Redis database starts empty, like the test PostgreSQL database.
        client = Redis.from_url(url)
        await client.flushdb()
        await client.aclose()

    asyncio.run(flush())
    return url


@pytest.fixture(scope="session")
def settings(
    database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        secret_key="test-secret-key",
        max_upload_bytes=1024 * 1024,
        mail_dir=tmp_path_factory.mktemp("mail"),
    )


@pytest.fixture(scope="session")
async def sessionmaker(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(settings.database_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


TABLES_KEPT = {"alembic_version"}


@pytest.fixture(autouse=True)
async def _empty_tables(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[None]:
    yield
    async with sessionmaker() as session:
        conn = await session.connection()
        rows = await conn.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        )
        tables = [r[0] for r in rows if r[0] not in TABLES_KEPT]
        # DELETE with foreign keys and triggers off (replica role) rather than TRUNCATE: on
        # tables this small it takes about 30 ms where TRUNCATE of every table took over a
        # second, after each of the suite's tests. The append-only triggers stay in force for
        # the code under test; only this cleanup steps round them.
        await conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for table in tables:
            await conn.exec_driver_sql(f'DELETE FROM "{table}"')
        await session.commit()


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[object]:
    application = create_app(settings)
    yield application
    await application.state.redis.aclose()
    await application.state.engine.dispose()


@pytest.fixture
async def client(app: object) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app)  # type: ignore[arg-type]
    async with AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def world(sessionmaker: async_sessionmaker[AsyncSession]) -> World:
    """Two organisations, each with one person per role and an API key for each."""
    return await build_world(sessionmaker)


@pytest.fixture
async def database_proxy(settings: Settings) -> AsyncIterator[TcpProxy]:
    """A TCP proxy to the test PostgreSQL that a test can cut and restore (an outage)."""
    url = make_url(settings.database_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    yield proxy
    await proxy.cut()


@pytest.fixture
def anyio_backend() -> Iterator[str]:
    yield "asyncio"

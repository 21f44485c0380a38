"""Test harness: real PostgreSQL and Redis, from TEST_DATABASE_URL / TEST_REDIS_URL (set by the
Makefile) or from testcontainers where Docker runs. The schema is built by the migrations, so
every run tests them; each test starts from empty tables.

`make test` runs the suite in several processes (pytest-xdist). Each worker has a database and a
Redis database of its own: worker gwN uses `<name>_gwN` and Redis database `<n> - N` (so with 15,
gw0 uses 15, gw1 14 and so on). Tests marked `alone` (timing checks: is /healthz answered while a
heavy request runs?) run while no other worker runs a test, so the figure they check is the
code's, not a busy neighbour's.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from httpx import ASGITransport, AsyncClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.api.app import create_app
from services.cli import migrate
from services.domain import reactions
from services.domain.db import make_engine, make_sessionmaker
from services.domain.settings import Settings
from tests import snapshots
from tests.factories import Org, World, build_world
from tests.faults.outages import TcpProxy
from tests.register_writes import RegisterWrites
from tests.reporting import FUZZ_REQUESTS
from tests.s3_store import s3_api, s3_app, s3_endpoint, s3_settings  # noqa: F401  fixtures

# Hypothesis's wall-clock checks (a deadline per example, "input generation is slow") fail on
# a busy machine, not on a bug: the suite runs in four processes on two cores, and a fresh
# clone builds Hypothesis's character tables in the first test that needs them. Speed is for
# the benchmarks (make bench); every other health check stays.
hypothesis_settings.register_profile(
    "policygov", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("policygov")

# "gw0", "gw1", ... in a pytest-xdist worker; None in a run of one process.
WORKER = os.environ.get("PYTEST_XDIST_WORKER")

# As every process does at start-up: domain tests call use cases without an app.
reactions.install()


def _worker_number() -> int:
    return int(WORKER.removeprefix("gw")) if WORKER else 0


def worker_database_url(url: str) -> str:
    """This worker's own database: the run recreates it, so workers must not share one."""
    if WORKER is None:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{WORKER}").render_as_string(hide_password=False)


def worker_redis_url(url: str) -> str:
    """This worker's own Redis database, counting down from the one the URL names."""
    if WORKER is None:
        return url
    base, _, number = url.rpartition("/")
    own = int(number or 0) - _worker_number()
    if own < 0:
        raise pytest.UsageError(
            f"{WORKER} would need Redis database {own}: name a higher one in TEST_REDIS_URL "
            "(each worker counts down from it) or run fewer workers (TEST_WORKERS)."
        )
    return f"{base}/{own}"


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
    url = worker_database_url(os.environ.get("TEST_DATABASE_URL") or _container_url("postgres"))
    asyncio.run(_recreate_database(url))
    migrate(url)
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = worker_redis_url(os.environ.get("TEST_REDIS_URL") or _container_url("redis"))

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


@pytest.fixture(scope="session")
async def _emptying_script(sessionmaker: async_sessionmaker[AsyncSession]) -> str:
    async with sessionmaker() as session:
        rows = await session.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        )
        tables = sorted(r[0] for r in rows if r[0] not in snapshots.KEPT)
    # DELETE with foreign keys and triggers off (replica role) rather than TRUNCATE: on tables
    # this small it is about 1 ms (as one script, one round trip) where TRUNCATE of every table
    # took over a second, after each of the suite's tests. The append-only triggers stay in
    # force for the code under test; only this cleanup steps round them.
    return "".join(
        ["BEGIN; SET LOCAL session_replication_role = replica; "]
        + [f'DELETE FROM "{table}"; ' for table in tables]
        + ["COMMIT;"]
    )


@pytest.fixture(autouse=True)
async def _empty_tables(
    sessionmaker: async_sessionmaker[AsyncSession], _emptying_script: str
) -> AsyncIterator[None]:
    yield
    await snapshots.run_scripts(sessionmaker, _emptying_script)


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[object]:
    application = create_app(settings)
    application.state.register_writes = RegisterWrites(application.state.engine)
    yield application
    await application.state.redis.aclose()
    await application.state.engine.dispose()


@pytest.fixture
async def client(app: Any) -> AsyncIterator[AsyncClient]:
    # Each test starts from rows put back by hand (the world's snapshot), as a restore would:
    # pages kept from the test before are no longer true.
    app.state.pages.clear()
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
    unrecorded, app.state.register_writes.unrecorded = app.state.register_writes.unrecorded, []
    assert not unrecorded, f"the API wrote the register without an audit record: {unrecorded}"


@pytest.fixture(scope="session")
async def _world_rows(
    sessionmaker: async_sessionmaker[AsyncSession], _emptying_script: str
) -> tuple[str, World]:
    """The world built once per process through the domain, on empty tables, and the script
    that puts its rows back (tests/snapshots.py)."""
    return await snapshots.taken_alone(
        sessionmaker, "world_snapshot", lambda: build_world(sessionmaker), _emptying_script
    )


@pytest.fixture
async def world(
    sessionmaker: async_sessionmaker[AsyncSession], _world_rows: tuple[str, World]
) -> World:
    """Two organisations, each with one person per role and an API key for each."""
    script, built = _world_rows
    await snapshots.run_scripts(sessionmaker, script)
    # Copies of the organisations: a test may change its own.
    a, b = (Org(org.id, org.slug, dict(org.members)) for org in (built.a, built.b))
    return World(a=a, b=b, sessionmaker=sessionmaker)


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


# One lock file per test database, so separate runs (another checkout, a helper) do not wait on
# each other. Every test holds it shared; an `alone` test holds it exclusively. The turnstile
# stops a stream of shared holders from starving the exclusive one.
def _lock_path(kind: str) -> Path:
    url = make_url(os.environ.get("TEST_DATABASE_URL", "postgresql://local/policygov_test"))
    return Path(tempfile.gettempdir()) / f"{url.database}-{kind}.lock"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> object:
    if WORKER is None:
        return (yield)
    alone = item.get_closest_marker("alone") is not None
    with open(_lock_path("turnstile"), "a") as turnstile, open(_lock_path("run"), "a") as run:
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        if not alone:
            fcntl.flock(turnstile, fcntl.LOCK_UN)
        fcntl.flock(run, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        try:
            return (yield)
        finally:
            fcntl.flock(run, fcntl.LOCK_UN)
            fcntl.flock(turnstile, fcntl.LOCK_UN)


def pytest_sessionfinish(session: pytest.Session) -> None:
    # In a worker: hand this worker's fuzz count to the controller (pytest_testnodedown).
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["fuzz_requests"] = session.config.stash.get(FUZZ_REQUESTS, 0)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    config: pytest.Config = node.config  # type: ignore[attr-defined]
    sent = node.workeroutput.get("fuzz_requests", 0)  # type: ignore[attr-defined]
    config.stash[FUZZ_REQUESTS] = config.stash.get(FUZZ_REQUESTS, 0) + sent


def pytest_terminal_summary(terminalreporter: object, config: pytest.Config) -> None:
    # The size of the fuzz run, in pytest's own output: the figure the closing notes quote.
    sent = config.stash.get(FUZZ_REQUESTS, 0)
    if sent and not hasattr(config, "workeroutput"):
        terminalreporter.write_line(f"schemathesis sent {sent} requests")  # type: ignore[attr-defined]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # pytest-xdist hands tests to workers by node id: two tests with one id would run as one.
    seen: set[str] = set()
    twice = sorted({item.nodeid for item in items if item.nodeid in seen or seen.add(item.nodeid)})
    if twice:
        raise pytest.UsageError(f"tests share a node id (pytest-xdist would run one): {twice[:5]}")

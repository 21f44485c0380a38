"""Reads that tolerate lag go to the read replica (services/api/replica.py): the register's
lists and searches, the tracker, the calendar feeds; never a caller's reads just after its own
write, and never a write.

The "replica" is a second real database, migrated, holding the same world plus a document of
its own, so which database answered shows in the answer. The app reaches it as a role that may
only read, with read-only transactions by default, as on a hot standby: a write sent there
fails instead of passing unnoticed."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from httpx import ASGITransport, AsyncClient
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url

from services.api.app import create_app
from services.api.replica import ReadRouting, caller_key
from services.cli import migrate
from services.domain.authz.principal import Principal
from services.domain.settings import Settings
from tests.factories import World, document_body

ONLY_ON_REPLICA = "Lone working on the replica"
# How long a writer's reads stay on the primary. The writer's reads right after its write must
# fall inside it however busy the machine is: at 1 s, a fresh-clone run with three workers on two
# cores once read the tracker after the window had passed (and so from the replica).
WINDOW_SECONDS = 4.0


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(url: str) -> asyncpg.Connection:
    """A superuser connection that may write the replica (to set it up or let it catch up)."""
    return await asyncpg.connect(
        _dsn(url), server_settings={"default_transaction_read_only": "off"}
    )


@pytest.fixture(scope="session")
def replica_url(database_url: str) -> str:
    """The replica's database, migrated, as the superuser."""
    url = make_url(database_url)
    replica = url.set(database=f"{url.database}_replica")

    async def recreate() -> None:
        conn = await asyncpg.connect(_dsn(str(url.set(database="postgres"))))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{replica.database}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{replica.database}"')
        finally:
            await conn.close()

    asyncio.run(recreate())
    rendered = replica.render_as_string(hide_password=False)
    migrate(rendered)
    return rendered


@pytest.fixture(scope="session")
def standby_url(replica_url: str) -> str:
    """The replica as the app reaches it: a role that may read everything and write nothing."""
    url = make_url(replica_url)
    role = f"{url.database}_standby"

    async def create_role() -> None:
        conn = await asyncpg.connect(_dsn(replica_url))
        try:
            if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
                await conn.execute(f'CREATE ROLE "{role}" LOGIN')
            await conn.execute(f'GRANT pg_read_all_data TO "{role}"')
            await conn.execute(
                f'ALTER ROLE "{role}" IN DATABASE "{url.database}" '
                "SET default_transaction_read_only = on"
            )
        finally:
            await conn.close()

    asyncio.run(create_role())
    return url.set(username=role).render_as_string(hide_password=False)


@pytest.fixture
async def replica(
    replica_url: str, world: World, database_url: str, _emptying_script: str
) -> AsyncIterator[str]:
    """The replica holding the world: every row of the primary, copied as replay would."""
    primary = await asyncpg.connect(_dsn(database_url))
    conn = await _admin(replica_url)
    try:
        tables = await primary.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"
        )
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            for (table,) in tables:
                copied = io.BytesIO()
                await primary.copy_from_table(table, output=copied, format="binary")
                copied.seek(0)
                await conn.copy_to_table(table, source=copied, format="binary")
        yield replica_url
        await conn.execute(_emptying_script)
    finally:
        await primary.close()
        await conn.close()


@pytest.fixture
async def app(settings: Settings, standby_url: str, replica: str) -> AsyncIterator[Any]:
    changes = {"database_replica_url": standby_url, "replica_after_write_seconds": WINDOW_SECONDS}
    application = create_app(settings.model_copy(update=changes))
    if marks := await application.state.redis.keys("policygov:wrote:*"):
        await application.state.redis.delete(*marks)  # a test's writes do not outlive it
    yield application
    await application.state.redis.aclose()
    await application.state.engine.dispose()
    await application.state.replica_engine.dispose()


@pytest.fixture
async def client(app: Any) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as c:
        yield c


@pytest.fixture
async def replica_document(settings: Settings, replica: str, world: World) -> dict[str, Any]:
    """A document only the replica has, owned by the world's reader, made through the API of an
    app whose primary is the replica's database."""
    other = create_app(settings.model_copy(update={"database_url": replica}))
    body = document_body(
        title=ONLY_ON_REPLICA,
        status="published",
        next_review_due="2020-01-06",
        owner_id=str(world.a.reader.person_id),
    )
    try:
        async with AsyncClient(transport=ASGITransport(app=other), base_url="http://t") as c:
            response = await c.post(
                "/v1/documents", json=body, headers=world.a.policy_officer.headers
            )
    finally:
        await other.state.redis.aclose()
        await other.state.engine.dispose()
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def _titles(client: AsyncClient, headers: dict[str, str], path: str) -> list[str]:
    response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


async def _create(client: AsyncClient, world: World, title: str) -> dict[str, Any]:
    body = document_body(title=title, status="published", next_review_due="2020-01-06")
    response = await client.post("/v1/documents", json=body, headers=world.a.policy_officer.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_lists_searches_the_tracker_and_feeds_are_read_from_the_replica(
    client: AsyncClient, world: World, replica_document: dict[str, Any]
) -> None:
    headers = world.a.admin.headers
    assert await _titles(client, headers, "/v1/documents") == [ONLY_ON_REPLICA]
    assert await _titles(client, headers, "/v1/documents?q=lone+working") == [ONLY_ON_REPLICA]
    assert await _titles(client, headers, "/v1/tracker") == [ONLY_ON_REPLICA]
    summary = await client.get("/v1/tracker/summary", headers=headers)
    assert summary.json()["organisation"]["total"] == 1
    reviews = await client.get("/v1/reviews", headers=headers)
    assert reviews.status_code == 200, reviews.text
    # The feed's address comes from the primary; the calendar it opens, from the replica.
    reader = world.a.reader
    address = await client.get(
        f"/v1/people/{reader.person_id}/calendar-feed", headers=reader.headers
    )
    feed = await client.get(address.json()["url"].removeprefix("http://t"))
    assert feed.status_code == 200, feed.text
    assert ONLY_ON_REPLICA in feed.text
    # What must not lag is read from the primary, which has no such document.
    missing = await client.get(f"/v1/documents/{replica_document['id']}", headers=headers)
    assert missing.status_code == 404


async def test_a_callers_own_write_is_read_back_from_the_primary_and_others_read_the_replica(
    client: AsyncClient, world: World, replica_document: dict[str, Any]
) -> None:
    writer, other = world.a.policy_officer.headers, world.a.admin.headers
    await _create(client, world, "Fresh policy")
    # Right after its own write, the writer reads the primary: its document, not the replica's.
    assert await _titles(client, writer, "/v1/documents") == ["Fresh policy"]
    assert await _titles(client, writer, "/v1/tracker") == ["Fresh policy"]
    # Another caller in the same organisation still reads the replica, which has not caught up.
    assert await _titles(client, other, "/v1/documents") == [ONLY_ON_REPLICA]
    # Once the window has passed, the writer's reads go back to the replica.
    await asyncio.sleep(WINDOW_SECONDS + 0.2)
    assert await _titles(client, writer, "/v1/documents") == [ONLY_ON_REPLICA]


async def test_a_read_only_request_does_not_keep_its_caller_on_the_primary(
    client: AsyncClient, world: World, replica_document: dict[str, Any]
) -> None:
    headers = world.a.policy_officer.headers
    # A request in a transaction that wrote nothing (a 404 from a Session route).
    response = await client.get(f"/v1/publications/{uuid.uuid4()}", headers=headers)
    assert response.status_code == 404
    assert await _titles(client, headers, "/v1/documents") == [ONLY_ON_REPLICA]


async def test_writes_never_go_to_the_replica(
    client: AsyncClient, world: World, replica: str, replica_document: dict[str, Any]
) -> None:
    async def counts() -> tuple[int, int]:
        conn = await _admin(replica)
        try:
            documents = await conn.fetchval("SELECT count(*) FROM documents")
            audit = await conn.fetchval("SELECT count(*) FROM audit_records")
            return documents, audit
        finally:
            await conn.close()

    before = await counts()
    headers = world.a.policy_officer.headers
    body = document_body(title="Fresh policy")
    created = await client.post("/v1/documents", json=body, headers=headers)
    assert created.status_code == 201, created.text
    path = f"/v1/documents/{created.json()['id']}"
    changed = await client.patch(
        path,
        json={"title": "Fresh policy, revised"},
        headers={**headers, "If-Match": created.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text
    assert await counts() == before
    assert (await client.get(path, headers=headers)).json()["title"] == "Fresh policy, revised"


async def test_a_page_made_on_the_lagging_replica_is_made_again_once_it_catches_up(
    client: AsyncClient, world: World, replica: str, replica_document: dict[str, Any]
) -> None:
    """A page made on the replica is labelled with the replica's chain head: labelled with the
    primary's, a page from before a write would pass for current once the replica caught up."""
    reader = world.a.admin.headers
    assert await _titles(client, reader, "/v1/documents") == [ONLY_ON_REPLICA]
    fresh = await _create(client, world, "Fresh policy")
    # The replica lags: the other caller's page is still the replica's (kept or made again).
    assert await _titles(client, reader, "/v1/documents") == [ONLY_ON_REPLICA]
    await _catch_up(world, replica, uuid.UUID(fresh["id"]))
    caught_up = await _titles(client, reader, "/v1/documents")
    assert sorted(caught_up) == sorted(["Fresh policy", ONLY_ON_REPLICA])


async def _catch_up(world: World, replica: str, document_id: uuid.UUID) -> None:
    """What replay does: the replica gets the primary's new document and its chain head."""
    async with world.sessionmaker() as session:
        raw = (await (await session.connection()).get_raw_connection()).driver_connection
        assert raw is not None
        columns = [
            r[0]
            for r in await raw.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                "'public' AND table_name = 'documents' AND is_generated = 'NEVER'"
            )
        ]
        row = await raw.fetchrow(
            f"SELECT {', '.join(columns)} FROM documents WHERE id = $1", document_id
        )
        head = await raw.fetchrow(
            "SELECT last_seq, last_hash FROM audit_chain_heads WHERE organisation_id = $1",
            world.a.id,
        )
    conn = await _admin(replica)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute(
                f"INSERT INTO documents ({', '.join(columns)}) VALUES "
                f"({', '.join(f'${n}' for n in range(1, len(columns) + 1))})",
                *row.values(),
            )
            await conn.execute(
                "UPDATE audit_chain_heads SET last_seq = $1, last_hash = $2 "
                "WHERE organisation_id = $3",
                head["last_seq"],
                head["last_hash"],
                world.a.id,
            )
    finally:
        await conn.close()


async def test_lag_tolerant_transactions_are_read_only_on_either_database(
    settings: Settings, app: Any
) -> None:
    """A write in a lag-tolerant route fails on the primary too, not only on a standby."""
    plain = create_app(settings)
    makers = [app.state.reads.replica, app.state.read_only_sessionmaker]
    try:
        for maker in [*makers, plain.state.read_only_sessionmaker]:
            async with maker() as session:
                assert await session.scalar(text("SHOW transaction_read_only")) == "on"
        async with plain.state.sessionmaker() as session:
            assert await session.scalar(text("SHOW transaction_read_only")) == "off"
    finally:
        await plain.state.redis.aclose()
        await plain.state.engine.dispose()


async def test_with_the_replica_away_its_reads_answer_503_and_the_rest_works(
    settings: Settings, world: World
) -> None:
    """No silent fallback: a replica that is down is an outage of the lag-tolerant routes,
    reported as one (retry later), while the primary's routes answer."""
    away = "postgresql+asyncpg://postgres@127.0.0.1:1/policygov"
    changes = {"database_replica_url": away, "db_connect_timeout_seconds": 1.0}
    other = create_app(settings.model_copy(update=changes))
    headers = world.a.policy_officer.headers
    try:
        async with AsyncClient(transport=ASGITransport(app=other), base_url="http://t") as c:
            # (The reader: the officer may have written within the window in a test before.)
            listed = await c.get("/v1/documents", headers=world.a.reader.headers)
            created = await c.post("/v1/documents", json=document_body(), headers=headers)
    finally:
        await other.state.redis.aclose()
        await other.state.engine.dispose()
        await other.state.replica_engine.dispose()
    assert listed.status_code == 503, listed.text
    assert created.status_code == 201, created.text


async def test_with_redis_away_a_read_goes_to_the_primary(app: Any, world: World) -> None:
    away = Redis.from_url("redis://127.0.0.1:1/0")
    routing = ReadRouting(app.state.reads.replica, app.state.reads.replica, away, 5.0)
    caller = Principal(
        organisation_id=world.a.id,
        person_id=world.a.reader.person_id,
        roles=frozenset({"reader"}),
        label="reader",
    )
    try:
        assert not await routing.use_replica(caller)
        # Marking a write with Redis away still keeps this process's reads on the primary.
        await routing.mark(caller)
        assert not await routing.use_replica(caller)
        # Nobody to keep on the primary (a public feed): the replica, whatever Redis says.
        assert await routing.use_replica(None)
    finally:
        await away.aclose()
    assert caller_key(caller).endswith(str(world.a.reader.person_id))

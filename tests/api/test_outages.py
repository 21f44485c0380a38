"""PostgreSQL unavailable: the API says so with a 503 and a time to come back, never a 500,
and recovers by itself when the database returns."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy.engine import make_url

from services.api.app import create_app
from services.domain.settings import Settings
from tests.factories import World
from tests.faults.outages import TcpProxy
from tests.notifier.smtp_sink import free_port


async def _client_for(
    settings: Settings, database_url: str, **changes: object
) -> AsyncIterator[AsyncClient]:
    app = create_app(settings.model_copy(update={"database_url": database_url, **changes}))
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.redis.aclose()
    await app.state.engine.dispose()


@pytest.fixture
async def proxied(settings: Settings, database_proxy: TcpProxy) -> AsyncIterator[AsyncClient]:
    url = make_url(settings.database_url).set(port=database_proxy.port)
    async for client in _client_for(settings, url.render_as_string(hide_password=False)):
        yield client


@pytest.fixture
async def refused(settings: Settings) -> AsyncIterator[AsyncClient]:
    url = make_url(settings.database_url).set(port=free_port())  # nothing listens there
    async for client in _client_for(settings, url.render_as_string(hide_password=False)):
        yield client


@pytest.fixture
async def silent(settings: Settings) -> AsyncIterator[AsyncClient]:
    """A database host that accepts connections and never answers."""

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client gives up

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    url = make_url(settings.database_url).set(port=port).render_as_string(hide_password=False)
    async for client in _client_for(settings, url, db_connect_timeout_seconds=0.5):
        yield client
    server.close()


def assert_unavailable(response: object) -> None:
    assert response.status_code == 503, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    assert int(response.headers["retry-after"]) > 0  # type: ignore[attr-defined]
    assert response.json()["type"].endswith("/unavailable")  # type: ignore[attr-defined]
    assert "bug" not in response.text  # type: ignore[attr-defined]


async def test_with_the_database_refusing_connections_the_api_answers_503_with_retry_after(
    refused: AsyncClient, world: World
) -> None:
    assert_unavailable(await refused.get("/v1/documents", headers=world.a.reader.headers))
    assert_unavailable(
        await refused.post(
            "/v1/documents",
            json={"reference": "X-1", "title": "X", "kind": "policy"},
            headers=world.a.admin.headers,
        )
    )
    # The idempotency store is in PostgreSQL too: a keyed request is a 503 as well.
    assert_unavailable(
        await refused.post(
            "/v1/documents",
            json={"reference": "X-1", "title": "X", "kind": "policy"},
            headers={**world.a.admin.headers, "Idempotency-Key": "outage-1"},
        )
    )


async def test_a_database_that_does_not_answer_is_a_503_after_the_connect_timeout(
    silent: AsyncClient, world: World
) -> None:
    started = time.monotonic()
    assert_unavailable(await silent.get("/v1/documents", headers=world.a.reader.headers))
    assert time.monotonic() - started < 5  # not asyncpg's default minute


async def test_readiness_names_the_database_as_down_in_a_problem(refused: AsyncClient) -> None:
    ready = await refused.get("/readyz")
    assert ready.status_code == 503
    # A problem like every other 503, with the time to come back.
    assert ready.headers["Content-Type"] == "application/problem+json"
    assert ready.headers["Retry-After"] == "5"
    assert ready.json()["status"] == 503
    assert ready.json()["detail"] == "Not ready: database down."
    checks = ready.json()["checks"]
    assert checks["database"].startswith("down: ")
    assert checks["redis"] == "ok"
    assert (await refused.get("/healthz")).status_code == 200


async def test_a_database_cut_mid_flight_is_a_503_and_the_api_recovers_without_a_restart(
    proxied: AsyncClient, database_proxy: TcpProxy, world: World
) -> None:
    headers = world.a.reader.headers
    assert (await proxied.get("/v1/documents", headers=headers)).status_code == 200
    await database_proxy.cut()  # the pooled connection dies under the next request
    assert_unavailable(await proxied.get("/v1/documents", headers=headers))
    assert_unavailable(await proxied.get("/v1/documents", headers=headers))  # and reconnecting
    assert (await proxied.get("/readyz")).json()["checks"]["database"].startswith("down: ")
    await database_proxy.restore()
    assert (await proxied.get("/v1/documents", headers=headers)).status_code == 200
    assert (await proxied.get("/readyz")).status_code == 200

"""The read-replica rule against a real hot standby: a PostgreSQL primary and a streaming
replica (pg_basebackup) of their own, on free ports, made for this module. Replay is paused to
make the replica lag for as long as a test needs, and resumed to let it catch up, so the lag in
these tests is PostgreSQL's own (tests/api/test_read_replica.py tells the databases apart by
their rows instead).

Needs the PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup), there wherever the local
PostgreSQL `make test` uses is installed."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from httpx import ASGITransport, AsyncClient

from services.api.app import create_app
from services.cli import migrate
from services.domain.db import make_engine, make_sessionmaker
from services.domain.settings import Settings
from tests.factories import World, build_world, document_body

WINDOW_SECONDS = 1.0


def _bindir() -> Path | None:
    """Where initdb, pg_ctl and pg_basebackup are: on PATH, or (Debian) under
    /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("initdb")
    candidates = [Path(found).resolve().parent] if found else []
    candidates += [Path(p).parent for p in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))]
    for bindir in candidates:
        if all((bindir / tool).exists() for tool in ("initdb", "pg_ctl", "pg_basebackup")):
            return bindir
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Pair:
    primary: str
    standby: str


def _run(*argv: str | Path) -> None:
    # initdb and pg_ctl refuse root: as root, run them as the postgres user.
    user = "postgres" if os.geteuid() == 0 else None
    subprocess.run([str(a) for a in argv], check=True, capture_output=True, user=user)


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    bindir = _bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (initdb) to make a streaming replica with")
    home = Path(tempfile.mkdtemp(prefix="policygov-streaming-"))
    home.chmod(0o777)
    primary, standby = home / "primary", home / "standby"
    ports = _free_port(), _free_port()
    options = "-c listen_addresses=127.0.0.1 -c shared_buffers=16MB -c max_connections=80"
    started: list[Path] = []
    try:
        _run(bindir / "initdb", "-D", primary, "-U", "postgres", "-A", "trust")
        with (primary / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        for directory, port in ((primary, ports[0]), (standby, ports[1])):
            if directory is standby:
                _run(
                    bindir / "pg_basebackup",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(ports[0]),
                    "-U",
                    "postgres",
                    "-D",
                    standby,
                    "-R",
                    "-X",
                    "stream",
                )
            _run(
                bindir / "pg_ctl",
                "-D",
                directory,
                "-w",
                "-l",
                home / f"{directory.name}.log",
                "-o",
                f"-p {port} -k {home} {options}",
                "start",
            )
            started.append(directory)
        url = "postgresql+asyncpg://postgres@127.0.0.1:{}/policygov"
        yield Pair(url.format(ports[0]), url.format(ports[1]))
    finally:
        for directory in reversed(started):
            _run(bindir / "pg_ctl", "-D", directory, "-m", "immediate", "stop")
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def world_on_pair(pair: Pair) -> World:
    """The world, built on the primary (and replayed on the standby)."""
    migrate(pair.primary)

    async def build() -> World:
        engine = make_engine(pair.primary)
        try:
            return await build_world(make_sessionmaker(engine))
        finally:
            await engine.dispose()

    return asyncio.run(build())


@pytest.fixture
async def client(
    settings: Settings, pair: Pair, world_on_pair: World
) -> AsyncIterator[AsyncClient]:
    changes = {
        "database_url": pair.primary,
        "database_replica_url": pair.standby,
        "replica_after_write_seconds": WINDOW_SECONDS,
    }
    app = create_app(settings.model_copy(update=changes))
    try:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as c:
            yield c
    finally:
        await app.state.redis.aclose()
        await app.state.engine.dispose()
        await app.state.replica_engine.dispose()


async def _connect(url: str) -> asyncpg.Connection:
    return await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))


async def _caught_up(pair: Pair) -> None:
    """Wait until the standby has replayed everything the primary has written."""
    primary, standby = await _connect(pair.primary), await _connect(pair.standby)
    try:
        written = await primary.fetchval("SELECT pg_current_wal_lsn()")
        for _ in range(200):
            if await standby.fetchval("SELECT pg_last_wal_replay_lsn() >= $1", written):
                return
            await asyncio.sleep(0.05)
        raise AssertionError("the standby did not catch up within 10 s")
    finally:
        await primary.close()
        await standby.close()


async def _titles(client: AsyncClient, headers: dict[str, str], path: str) -> list[str]:
    response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


async def test_while_the_standby_lags_the_writer_reads_its_write_and_others_read_the_standby(
    client: AsyncClient, pair: Pair, world_on_pair: World
) -> None:
    officer, admin = world_on_pair.a.policy_officer.headers, world_on_pair.a.admin.headers
    await _caught_up(pair)
    assert await _titles(client, admin, "/v1/documents") == []  # kept, made on the standby
    standby = await _connect(pair.standby)
    try:
        await standby.execute("SELECT pg_wal_replay_pause()")
        body = document_body(title="Streamed policy", status="published")
        body["next_review_due"] = "2020-01-06"
        created = await client.post("/v1/documents", json=body, headers=officer)
        assert created.status_code == 201, created.text
        # The writer reads its own write, from the primary.
        assert await _titles(client, officer, "/v1/documents") == ["Streamed policy"]
        assert await _titles(client, officer, "/v1/tracker") == ["Streamed policy"]
        # Another caller reads the standby, which has not replayed it.
        assert await _titles(client, admin, "/v1/documents") == []
        assert await _titles(client, admin, "/v1/tracker") == []
        # A write sent to the standby would fail: it is PostgreSQL's hot standby.
        with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
            await standby.execute("DELETE FROM documents")
    finally:
        await standby.execute("SELECT pg_wal_replay_resume()")
        await standby.close()
    await _caught_up(pair)
    # Caught up: the pages made while it lagged are not served as current.
    assert await _titles(client, admin, "/v1/documents") == ["Streamed policy"]
    assert await _titles(client, admin, "/v1/tracker") == ["Streamed policy"]
    await asyncio.sleep(WINDOW_SECONDS + 0.2)
    assert await _titles(client, officer, "/v1/documents?q=streamed") == ["Streamed policy"]

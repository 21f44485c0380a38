"""The API behind PgBouncer in transaction mode (POLICYGOV_DATABASE_PGBOUNCER): a real pgbouncer,
started for these tests on a free port with two server connections to share among the app's
many, and a day's work through the API with no prepared statement lost or taken twice.

`make test` installs pgbouncer where it is missing (deploy/ensure-pgbouncer.sh)."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy.engine import make_url

from services.api.app import create_app
from services.domain.settings import Settings
from tests.factories import World, document_body

# What asyncpg says when a server connection lacks, or already has, a statement it prepared.
_STATEMENT_ERRORS = ("does not exist", "already exists")


def _binary() -> str:
    found = shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )
    if found is None:
        pytest.fail(
            "pgbouncer is not installed: `make test` installs it (deploy/ensure-pgbouncer.sh), "
            "or run `apt-get install -y pgbouncer`"
        )
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def pgbouncer(database_url: str) -> Iterator[str]:
    """A pgbouncer in transaction mode in front of the test database; its URL."""
    url = make_url(database_url)
    # Not under pytest's own (private) directory: run as root, pgbouncer becomes nobody.
    home = Path(tempfile.mkdtemp(prefix="policygov-pgbouncer-"))
    home.chmod(0o777)
    port = _free_port()
    (home / "userlist.txt").write_text(f'"{url.username}" ""\n')
    (home / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={url.host or '127.0.0.1'} port={url.port or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {home / 'userlist.txt'}\n"
        "pool_mode = transaction\n"
        # Two server connections for the app's many: every transaction may land on either.
        "default_pool_size = 2\nmax_client_conn = 200\n"
        f"logfile = {home / 'pgbouncer.log'}\n"
    )
    command = [_binary(), str(home / "pgbouncer.ini")]
    if os.geteuid() == 0:
        command[1:1] = ["-u", "nobody"]  # pgbouncer will not run as root
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (
                        (home / "pgbouncer.log").read_text()
                        if (home / "pgbouncer.log").exists()
                        else ""
                    )
                    raise RuntimeError(f"pgbouncer did not start: {log}") from None
                time.sleep(0.1)
        yield url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(home, ignore_errors=True)


@asynccontextmanager
async def _client(settings: Settings, url: str, *, pgbouncer: bool) -> AsyncIterator[AsyncClient]:
    changes = {"database_url": url, "database_pgbouncer": pgbouncer, "page_cache_mb": 0}
    app = create_app(settings.model_copy(update=changes))
    try:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
            yield client
    finally:
        await app.state.redis.aclose()
        await app.state.engine.dispose()


@pytest.fixture
async def client(settings: Settings, pgbouncer: str) -> AsyncIterator[AsyncClient]:
    async with _client(settings, pgbouncer, pgbouncer=True) as client:
        yield client


async def _day(client: AsyncClient, world: World) -> list[Response]:
    """A day's work, much of it at once: documents made and changed (transactions of many
    statements), the register listed and searched, the tracker, documents read by id
    (ReadSession)."""
    officer, reader = world.a.policy_officer.headers, world.a.reader.headers
    made = await asyncio.gather(
        *(
            client.post(
                "/v1/documents",
                json=document_body(title=f"Lone working {n}", status="published"),
                headers=officer,
            )
            for n in range(12)
        )
    )
    answers = list(made)
    ids = [r.json()["id"] for r in made if r.status_code == 201]
    reads = [
        *(client.get("/v1/documents?limit=5", headers=reader) for _ in range(10)),
        *(client.get("/v1/documents?q=lone+working", headers=reader) for _ in range(10)),
        *(client.get("/v1/tracker", headers=officer) for _ in range(5)),
        *(client.get("/v1/tracker/summary", headers=officer) for _ in range(5)),
        *(client.get(f"/v1/documents/{i}", headers=reader) for i in ids),
    ]
    changes = [
        client.patch(
            f"/v1/documents/{r.json()['id']}",
            json={"summary": "Revised after the lone working audit."},
            headers={**officer, "If-Match": r.headers["ETag"]},
        )
        for r in made
        if r.status_code == 201
    ]
    answers += await asyncio.gather(*reads, *changes)
    return answers


async def test_a_days_work_through_pgbouncer_in_transaction_mode_loses_no_statement(
    client: AsyncClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(3):
        answers = await _day(client, world)
        failed = [(r.request.url, r.status_code, r.text[:200]) for r in answers if r.is_error]
        assert failed == []
    listed = await client.get("/v1/documents?limit=100", headers=world.a.reader.headers)
    assert len(listed.json()["items"]) == 36
    assert not _statement_error(caplog.text)


async def test_without_the_setting_pgbouncer_loses_prepared_statements(
    settings: Settings, pgbouncer: str, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """What POLICYGOV_DATABASE_PGBOUNCER is for: the same work without it fails."""
    errors: list[str] = []
    async with _client(settings, pgbouncer, pgbouncer=False) as client:
        for _ in range(3):
            try:
                answers = await _day(client, world)
            except Exception as exc:  # an error the app did not turn into a problem
                errors.append(repr(exc))
                continue
            errors += [r.text for r in answers if r.status_code >= 500]
    assert errors, "the same work without the setting went through pgbouncer unharmed"
    # asyncpg's own words: 'prepared statement "__asyncpg_stmt_140__" does not exist'.
    assert _statement_error(caplog.text)


def _statement_error(logged: str) -> bool:
    return "prepared statement" in logged and any(w in logged for w in _STATEMENT_ERRORS)

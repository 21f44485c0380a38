"""The policygov command, run as a newcomer or a script would run it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from httpx import AsyncClient
from sqlalchemy import func, select, update

from services.domain.demo.loader import load_data
from services.domain.models.documents import Document
from services.domain.settings import Settings
from tests.factories import World, document_body
from tests.notifier.smtp_sink import free_port


def policygov(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "POLICYGOV_DATABASE_URL": settings.database_url,
        "POLICYGOV_REDIS_URL": settings.redis_url,
        "POLICYGOV_SECRET_KEY": str(settings.secret_key),
    }
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *args], env=env, capture_output=True, text=True
    )


async def test_create_org_then_a_key_printed_alone_on_the_last_line(
    client: AsyncClient, settings: Settings
) -> None:
    created = policygov(settings, "create-org", "--slug", "nct", "--name", "NCT")
    assert created.returncode == 0, created.stderr
    again = policygov(settings, "create-org", "--slug", "nct", "--name", "NCT")
    assert again.returncode != 0
    result = policygov(settings, "create-api-key", "--org", "nct", "--role", "admin")
    assert result.returncode == 0, result.stderr
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("pgv_") and " " not in key
    me = await client.get("/v1/organisation", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200
    assert me.json()["slug"] == "nct"


async def test_seed_demo_loads_five_organisations_once(
    client: AsyncClient, settings: Settings, world: World, tmp_path: Path
) -> None:
    keys_file = tmp_path / "keys.json"
    first = policygov(settings, "seed-demo", "--keys-file", str(keys_file))
    assert first.returncode == 0, first.stderr
    async with world.sessionmaker() as session:
        count = await session.scalar(select(func.count()).select_from(Document))
    second = policygov(settings, "seed-demo", "--keys-file", str(keys_file))
    assert second.returncode == 0, second.stderr
    assert second.stdout.count("nothing new") == 5
    async with world.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Document)) == count
    keys = json.loads(keys_file.read_text())
    assert set(keys) == {"lbbd", "bct", "cafcass", "nct", "dorset"}
    first_board = {o["slug"]: o["boards"][0]["name"] for o in load_data()["organisations"]}
    assert keys == json.loads(keys_file.read_text())  # reused, not reissued
    for slug, key in keys.items():
        assert key in first.stdout
        docs = await client.get("/v1/documents", headers={"Authorization": f"Bearer {key}"})
        assert docs.status_code == 200
        items = docs.json()["items"]
        assert len(items) >= 5, slug
        # Some reviews are overdue and some due soon, as a real register would show.
        dues = sorted(d["next_review_due"] for d in items if d["next_review_due"])
        assert dues[0] < dues[-1]
        # Each organisation's deciding board (listed first in the data), with its year of meetings.
        boards = (await client.get("/v1/boards", headers={"Authorization": f"Bearer {key}"})).json()
        assert boards and all(b["members"] for b in boards), slug
        deciding = next(b for b in boards if b["name"] == first_board[slug])
        meetings = await client.get(
            "/v1/meetings",
            params={"board_id": deciding["id"], "limit": 200},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert len(meetings.json()["items"]) >= 10, slug
    verify = policygov(settings, "verify-audit")
    assert verify.returncode == 0
    assert verify.stdout.count("intact") == 7  # the five demo organisations and the test world


def test_version_is_the_one_installed() -> None:
    import tomllib

    result = subprocess.run(
        [sys.executable, "-m", "services.cli", "--version"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    assert result.stdout.strip() == f"policygov {project['project']['version']}"


def test_help_for_a_new_key_lists_every_role() -> None:
    from services.domain.models.people import ROLES

    result = subprocess.run(
        [sys.executable, "-m", "services.cli", "create-api-key", "--help"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    said = " ".join(result.stdout.split())  # argparse wraps the help text
    assert "what the key may do: " + ", ".join(ROLES) in said


def one_line_of_stderr(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    [line] = result.stderr.splitlines()
    assert result.stdout == ""
    return line


async def test_an_unknown_organisation_or_role_is_refused_in_one_line(
    settings: Settings, world: World
) -> None:
    nowhere = policygov(settings, "create-api-key", "--org", "nowhere", "--role", "admin")
    assert nowhere.returncode == 2
    line = one_line_of_stderr(nowhere)
    assert line == "policygov create-api-key: No organisation with slug 'nowhere'.", line
    boss = policygov(settings, "create-api-key", "--org", "alpha", "--role", "boss")
    assert boss.returncode == 2
    line = one_line_of_stderr(boss)
    assert line.startswith("policygov create-api-key: argument --role: invalid choice: 'boss'")
    assert "'integration'" in line
    taken = policygov(settings, "create-org", "--slug", "alpha", "--name", "Alpha again")
    assert taken.returncode == 2
    assert "already exists" in one_line_of_stderr(taken)


@pytest.mark.parametrize(
    "command",
    [
        ["migrate"],
        ["create-org", "--slug", "nct", "--name", "NCT"],
        ["create-api-key", "--org", "nct", "--role", "admin"],
        ["verify-audit"],
    ],
)
@pytest.mark.parametrize(
    "address",
    [
        "postgresql+asyncpg://postgres:hunter2@127.0.0.1:{port}/policygov",  # nothing listens
        "postgresql+asyncpg://nobody:hunter2@{host}:{pg_port}/policygov",  # no such user
    ],
)
def test_a_database_out_of_reach_is_one_line_naming_it_without_the_password(
    settings: Settings, command: list[str], address: str
) -> None:
    from sqlalchemy.engine import make_url

    ours = make_url(settings.database_url)
    url = address.format(port=free_port(), host=ours.host, pg_port=ours.port or 5432)
    result = subprocess.run(
        [sys.executable, "-m", "services.cli", *command],
        env={**os.environ, "POLICYGOV_DATABASE_URL": url, "POLICYGOV_SECRET_KEY": "k"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    line = one_line_of_stderr(result)
    where = url.replace("hunter2", "***")
    assert line.startswith(f"policygov {command[0]}: cannot use the database at {where}: "), line


def service_env(settings: Settings, tmp_path: Path, port: int, **overrides: str) -> dict[str, str]:
    """The environment of a service started by the tests: their database, Redis and key."""
    return {
        **os.environ,
        "POLICYGOV_DATABASE_URL": settings.database_url,
        "POLICYGOV_REDIS_URL": settings.redis_url,
        "POLICYGOV_SECRET_KEY": str(settings.secret_key),
        "POLICYGOV_API_PORT": str(port),
        "POLICYGOV_NOTIFIER_HEALTH_FILE": str(tmp_path / "notifier-health.json"),
        "POLICYGOV_MAIL_DIR": str(tmp_path / "mail"),
        # Never `policygov run`'s shared defaults (9464, 9465): tests run side by side.
        "POLICYGOV_API_METRICS_PORT": str(free_port()),
        "POLICYGOV_NOTIFIER_METRICS_PORT": str(free_port()),
        **overrides,
    }


@contextlib.asynccontextmanager
async def policygov_started(
    settings: Settings, tmp_path: Path, *args: str, **env: str
) -> AsyncIterator[tuple[subprocess.Popen[bytes], int]]:
    """``policygov <args>`` on a free port, ready; its output in ``tmp_path/<command>.log``."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", *args],
        env=service_env(settings, tmp_path, port, **env),
        stdout=(tmp_path / f"{args[0]}.log").open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        await wait_until_ready(port)
        yield process, port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def policygov_run(
    settings: Settings, tmp_path: Path
) -> contextlib.AbstractAsyncContextManager[tuple[subprocess.Popen[bytes], int]]:
    """``policygov run`` on a free port, ready; its output in ``tmp_path/run.log``."""
    return policygov_started(settings, tmp_path, "run")


async def wait_until_ready(port: int) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            try:
                if (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("the API did not start")


def children_of(pid: int) -> dict[str, int]:
    """The living children of ``pid`` by their policygov command (serve, worker)."""
    found = {}
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        with contextlib.suppress(OSError):
            # python -m services.cli <command>; a zombie's command line is empty.
            argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            if len(argv) > 3:
                found[argv[3].decode()] = int(child)
    return found


def assert_sigterm_stops_all(process: subprocess.Popen[bytes], log: Path) -> None:
    children = children_of(process.pid)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0, log.read_text()
    for pid in children.values():
        status = Path(f"/proc/{pid}/status")
        assert not status.exists() or "zombie" in status.read_text(), f"{pid} outlived its parent"


async def test_run_starts_api_and_notifier_and_sigterm_stops_both(
    settings: Settings, tmp_path: Path
) -> None:
    async with policygov_run(settings, tmp_path) as (process, _):
        assert set(children_of(process.pid)) == {"serve", "worker"}  # the API and the notifier
        assert_sigterm_stops_all(process, tmp_path / "run.log")


async def test_run_restarts_a_killed_notifier_and_the_api_keeps_answering(
    settings: Settings, tmp_path: Path
) -> None:
    async with policygov_run(settings, tmp_path) as (process, port):
        first = children_of(process.pid)
        os.kill(first["worker"], signal.SIGKILL)
        answered, restarted = [], None
        async with httpx.AsyncClient(timeout=5) as http:
            for _ in range(150):  # 30 s at most; the first restart comes within a second
                answered.append((await http.get(f"http://127.0.0.1:{port}/healthz")).status_code)
                now = children_of(process.pid)
                if now.get("worker") not in (None, first["worker"]):
                    restarted = now
                    break
                await asyncio.sleep(0.2)
        log = (tmp_path / "run.log").read_text()
        assert restarted, f"the notifier was not started again:\n{log}"
        assert set(answered) == {200}, answered  # the API never stopped
        assert restarted["serve"] == first["serve"]  # nor was it restarted
        assert process.poll() is None
        said = [
            line
            for line in log.splitlines()
            if line.startswith("policygov run:") and "metrics at" not in line
        ]
        assert len(said) == 1 and "worker was killed by SIGKILL" in said[0], log
        assert_sigterm_stops_all(process, tmp_path / "run.log")


async def test_notifier_sweep_once_creates_todays_review_reminders_once(
    client: AsyncClient, settings: Settings, world: World
) -> None:
    from datetime import timedelta

    from services.domain.documents.versions import london_today
    from services.domain.models.notifications import Notification

    due = london_today() + timedelta(days=7)
    response = await client.post(
        "/v1/documents",
        json={
            "reference": "PROC-7",
            "title": "Strategy discussions",
            "kind": "procedure",
            "owner_id": str(world.a.approver.person_id),
            "responsible_officer_id": str(world.a.author.person_id),
            "next_review_due": due.isoformat(),
        },
        headers=world.a.policy_officer.headers,
    )
    assert response.status_code == 201
    first = policygov(settings, "notifier", "sweep", "--once")
    assert first.returncode == 0, first.stderr
    assert "review notices created: 2" in first.stdout
    second = policygov(settings, "notifier", "sweep", "--once")
    assert "review notices created: 0" in second.stdout
    async with world.sessionmaker() as session:
        kinds = sorted(
            (n.kind, n.recipient_email)
            for n in (await session.execute(select(Notification))).scalars()
        )
    assert kinds == [
        ("review.due_soon", "approver@alpha.example.org"),
        ("review.due_soon", "author@alpha.example.org"),
    ]


async def test_notifier_prune_once_deletes_published_events_past_their_period_and_says_so(
    client: AsyncClient, settings: Settings, world: World
) -> None:
    from datetime import timedelta

    from services.domain.db import utcnow
    from services.domain.models.outbox import OutboxEvent

    h = world.a.policy_officer.headers
    assert (await client.post("/v1/documents", json=document_body(), headers=h)).status_code == 201
    long_ago = utcnow() - timedelta(days=91)
    async with world.sessionmaker() as session, session.begin():
        events = (
            await session.execute(
                update(OutboxEvent).values(published_at=long_ago, created_at=long_ago)
            )
        ).rowcount
    assert events >= 1

    first = policygov(settings, "notifier", "prune", "--once")
    assert first.returncode == 0, first.stderr
    assert f"outbox_events {events}," in first.stdout
    second = policygov(settings, "notifier", "prune", "--once")
    assert "outbox_events 0," in second.stdout
    async with world.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxEvent)) == 0


async def test_import_tracker_lists_problems_by_row_and_column_then_imports_all_or_nothing(
    client: AsyncClient, settings: Settings, world: World, tmp_path: Path
) -> None:
    header = "Reference,Title,Kind,RSM email,Next review due\n"
    broken = tmp_path / "broken.csv"
    broken.write_text(
        header + "PROC-1,Strategy,procedure,approver@alpha.example.org,31/03/2026\n"
        "PROC-2,,procedure,,soon\n",
        encoding="utf-8",
    )
    result = policygov(settings, "import-tracker", str(broken), "--organisation", "alpha")
    assert result.returncode == 1, result.stderr
    assert "row 3 [Title]: A title is required." in result.stdout
    assert "row 3 [RSM email]" in result.stdout and "row 3 [Next review due]" in result.stdout
    assert "nothing was imported" in result.stdout
    assert "checking" in result.stderr  # the progress bar
    async with world.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Document)) == 0

    good = tmp_path / "good.csv"
    good.write_text(
        header + "PROC-1,Strategy,procedure,approver@alpha.example.org,31/03/2026\n"
        "POL-2,Neglect,policy,,\n",
        encoding="utf-8",
    )
    dry = policygov(settings, "import-tracker", str(good), "--organisation", "alpha", "--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "would create 2" in dry.stdout
    async with world.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Document)) == 0
    done = policygov(settings, "import-tracker", str(good), "--organisation", "alpha")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "created 2" in done.stdout and "importing" in done.stderr
    docs = await client.get("/v1/documents", headers=world.a.reader.headers)
    assert {d["reference"]: d["next_review_due"] for d in docs.json()["items"]} == {
        "POL-2": None,
        "PROC-1": "2026-03-31",
    }
    unknown = policygov(settings, "import-tracker", str(good), "--organisation", "nowhere")
    assert unknown.returncode == 2 and "nowhere" in unknown.stderr


# Set and empty: unset, whatever a .env file may hold.
KEYLESS = {"POLICYGOV_SECRET_KEY": "", "POLICYGOV_SECRET_KEY_PREVIOUS": ""}


@pytest.mark.parametrize("command", [["serve"], ["worker"], ["run"]])
def test_without_a_secret_key_the_services_refuse_to_start_in_one_line(
    settings: Settings, tmp_path: Path, command: list[str]
) -> None:
    # Before, each started and signed with the default published in the source (the timeout).
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", *command],
        env=service_env(settings, tmp_path, free_port(), **KEYLESS),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:  # it started: stop it and whatever it started
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 2
    assert stdout == ""
    [line] = stderr.splitlines()
    assert line.startswith(f"policygov {command[0]}: POLICYGOV_SECRET_KEY is not set"), line
    assert "Traceback" not in stderr


async def test_run_with_a_local_secret_makes_one_key_readable_by_its_owner_and_reuses_it(
    client: AsyncClient, world: World, settings: Settings, tmp_path: Path
) -> None:
    from tests.api.boards_support import create_board

    board = await create_board(client, world)
    key_file = tmp_path / "var" / "secret-key"
    feeds = []
    for _ in range(2):
        started = policygov_started(
            settings, tmp_path, "run", "--local-secret", str(key_file), **KEYLESS
        )
        async with started as (process, port):
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                feed = await http.get(
                    f"/v1/boards/{board['id']}/calendar-feed", headers=world.a.reader.headers
                )
                url = feed.json()["url"]
                assert (await http.get(url[url.index("/v1/") :])).status_code == 200
                feeds.append(url[url.index("/v1/") :])
            assert_sigterm_stops_all(process, tmp_path / "run.log")
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert len(key_file.read_text().strip()) >= 32
    assert feeds[0] == feeds[1]  # the same key the second time: addresses handed out still work
    # Not the tests' key: the feed was signed with the one made for this install.
    assert (await client.get(feeds[0])).status_code == 404
    log = (tmp_path / "run.log").read_text()
    assert log.count("made a secret key for this install") == 1, log


@pytest.mark.parametrize("trusted", [True, False])
async def test_serve_believes_forwarded_headers_only_from_the_proxies_it_is_told_of(
    client: AsyncClient, world: World, settings: Settings, tmp_path: Path, trusted: bool
) -> None:
    # A proxy on this host (127.0.0.1) says the client is 203.0.113.9 and spoke HTTPS: believed
    # when POLICYGOV_FORWARDED_ALLOW_IPS names it, ignored when it names another address.
    from tests.api.boards_support import create_board

    board = await create_board(client, world)
    allowed = "127.0.0.1" if trusted else "192.0.2.1"
    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    started = policygov_started(
        settings, tmp_path, "serve", "--workers", "1", POLICYGOV_FORWARDED_ALLOW_IPS=allowed
    )
    async with started as (process, port):
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            feed = await http.get(
                f"/v1/boards/{board['id']}/calendar-feed",
                headers={**world.a.reader.headers, **forwarded},
            )
        assert feed.status_code == 200, feed.text
        url = feed.json()["url"]
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    log = (tmp_path / "serve.log").read_text()
    if trusted:
        assert url.startswith("https://"), url
        assert "203.0.113.9" in log
    else:
        assert url.startswith(f"http://127.0.0.1:{port}/"), url
        assert "203.0.113.9" not in log


@pytest.fixture
def bare_database(settings: Settings) -> Iterator[str]:
    """A database of its own, made empty; dropped afterwards."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    bare = url.set(database=f"{url.database}_schema_check")
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(False)

    async def run(statement: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run(f'DROP DATABASE IF EXISTS "{bare.database}" WITH (FORCE)'))
    asyncio.run(run(f'CREATE DATABASE "{bare.database}"'))
    yield bare.render_as_string(hide_password=False)
    asyncio.run(run(f'DROP DATABASE IF EXISTS "{bare.database}" WITH (FORCE)'))


def migrate_check(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POLICYGOV_DATABASE_URL": url}
    command = [sys.executable, "-m", "services.cli", "migrate", "--check", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def stamp(url: str, revision: str) -> None:
    """Record ``revision`` as the schema's, as alembic would, with no table made."""

    async def run() -> None:
        conn = await asyncpg.connect(url.replace("+asyncpg", ""))
        try:
            await conn.execute("CREATE TABLE IF NOT EXISTS alembic_version (version_num text)")
            await conn.execute("DELETE FROM alembic_version")
            await conn.execute("INSERT INTO alembic_version VALUES ($1)", revision)
        finally:
            await conn.close()

    asyncio.run(run())


def test_migrate_check_lets_a_release_start_at_or_past_its_newest_migration_only(
    settings: Settings, bare_database: str
) -> None:
    # Kubernetes' init containers run it: a release's pods wait for its migrate Job, and a
    # rollback's older pods start on the newer schema (each migration works with the code before).
    from alembic.script import ScriptDirectory

    from services.ops.database import _alembic_config

    script = ScriptDirectory.from_config(_alembic_config(settings.database_url))
    [head] = script.get_heads()
    first = [revision.revision for revision in script.walk_revisions()][-1]

    at_head = migrate_check(settings.database_url)
    assert at_head.returncode == 0
    assert at_head.stdout == f"database schema: at the newest migration ({head})\n"
    empty = migrate_check(bare_database)
    assert empty.returncode == 1
    assert empty.stdout == f"database schema: behind: at no migration, waiting for {head}\n"
    stamp(bare_database, first)
    behind = migrate_check(bare_database)
    assert behind.returncode == 1 and f"behind: at {first}," in behind.stdout, behind.stdout
    stamp(bare_database, "f00dfeedbeef")
    newer = migrate_check(bare_database)
    assert newer.returncode == 0
    assert "past this release's newest migration: at f00dfeedbeef" in newer.stdout


def test_migrate_check_waits_for_the_migrations_then_lets_the_release_start(
    bare_database: str, settings: Settings
) -> None:
    from services.ops.database import migrate

    env = {**os.environ, "POLICYGOV_DATABASE_URL": bare_database}
    command = [sys.executable, "-m", "services.cli", "migrate", "--check", "--wait", "120"]
    waiting = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert waiting.stdout is not None
        assert waiting.stdout.readline().startswith("database schema: behind: at no migration")
        assert waiting.poll() is None
        migrate(bare_database)
        assert waiting.wait(timeout=60) == 0
        assert "at the newest migration" in waiting.stdout.read()
    finally:
        waiting.kill()


def test_migrate_check_gives_up_after_its_wait_with_the_database_out_of_reach() -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/policygov"
    result = migrate_check(url, "--wait", "1")
    assert result.returncode == 3
    assert result.stdout.startswith("database schema: unreachable: ConnectionRefusedError")


@pytest.mark.parametrize(
    ("status", "age_seconds", "health", "alive"),
    [("ok", 1, 0, 0), ("degraded", 1, 1, 0), ("ok", 600, 2, 2), ("degraded", 600, 2, 2)],
)
def test_notifier_health_alive_fails_only_when_the_notifier_is_silent(
    tmp_path: Path, status: str, age_seconds: int, health: int, alive: int
) -> None:
    # The liveness probe: a restart mends a silent notifier, not a Redis or PostgreSQL outage.
    from datetime import timedelta

    from services.domain.db import utcnow

    path = tmp_path / "notifier-health.json"
    # Silent after 3 x 60 s here: a loaded machine starting each command slowly (seen: 16 s for
    # two) does not make a fresh report look old; 600 s is silent still.
    env = {
        **os.environ,
        "POLICYGOV_NOTIFIER_HEALTH_FILE": str(path),
        "POLICYGOV_NOTIFIER_HEALTH_SECONDS": "60",
    }
    command = [sys.executable, "-m", "services.cli", "notifier", "health"]

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        at = (utcnow() - timedelta(seconds=age_seconds)).isoformat()
        path.write_text(json.dumps({"status": status, "at": at, "down": {}}))
        return subprocess.run(
            [*command, *extra], env=env, capture_output=True, text=True, timeout=60
        )

    plain, probe = run(), run("--alive")
    assert (plain.returncode, probe.returncode) == (health, alive), plain.stdout + probe.stdout

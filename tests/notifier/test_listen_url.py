"""Where the relay LISTENs (services/notifier/worker.py listen_url): never through PgBouncer in
transaction mode, which lends a server connection per transaction and passes no NOTIFY on."""

from __future__ import annotations

from services.domain.settings import Settings
from services.notifier.relay import _listen
from services.notifier.worker import listen_url

DIRECT = "postgresql+asyncpg://postgres@db.internal:5432/policygov"
BOUNCER = "postgresql+asyncpg://postgres@pgbouncer.internal:6432/policygov"


def test_the_relay_listens_on_the_database_it_uses_when_that_is_postgresql_itself() -> None:
    assert listen_url(Settings(database_url=DIRECT)) == DIRECT


def test_behind_pgbouncer_the_relay_listens_direct_or_polls_only() -> None:
    assert listen_url(Settings(database_url=BOUNCER, database_pgbouncer=True)) is None
    direct = Settings(database_url=BOUNCER, database_pgbouncer=True, database_listen_url=DIRECT)
    assert listen_url(direct) == DIRECT


async def test_with_nowhere_to_listen_the_relay_waits_on_its_poll() -> None:
    assert await _listen(None, lambda: None) is None

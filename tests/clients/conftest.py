"""A live API for the generated clients: uvicorn in its own process on a loopback port, reading
the test database and Redis, as a client on another machine would meet it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.domain.settings import Settings
from tests.bench.servers import start_uvicorn


@pytest.fixture(scope="session")
def live_api(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a running API. The world fixture's keys work there: same database."""
    logs = tmp_path_factory.mktemp("live-api")
    env = {
        "POLICYGOV_DATABASE_URL": settings.database_url,
        "POLICYGOV_REDIS_URL": settings.redis_url,
        "POLICYGOV_SECRET_KEY": settings.secret_key or "",
        "POLICYGOV_MAIL_DIR": str(logs / "mail"),
    }
    server = start_uvicorn("api", "services.api.app:create_app", env, logs)
    try:
        yield server.base_url
    finally:
        server.stop()

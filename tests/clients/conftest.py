"""A live API for the generated clients: uvicorn in its own process on a loopback port, reading
the test database and Redis, as a client on another machine would meet it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from services.domain.settings import Settings
from tests.bench.servers import start_uvicorn
from tests.once import once_per_run


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


REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "openapi" / "openapi.json"


@dataclass
class Generated:
    """A client generated from the committed spec: where it is and what the generator said."""

    root: Path  # holds the package; put it on sys.path or PYTHONPATH
    output: str


@pytest.fixture(scope="session")
def python_client(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """openapi-python-client (pinned in pyproject) run on openapi/openapi.json, as an integrator
    would, with clients/python/config.yaml; its ruff post-hooks find ruff beside it. Once per
    run: every worker uses the one generated package (tests/once.py)."""
    generated = once_per_run(
        tmp_path_factory,
        "python-client",
        _generate_python_client,
        lambda saved: Generated(Path(saved["root"]), saved["output"]),
    )
    if str(generated.root) not in sys.path:
        sys.path.insert(0, str(generated.root))
    return generated


def _generate_python_client(root: Path) -> Generated:
    bin_dir = Path(sys.executable).parent
    generated = subprocess.run(
        [
            str(bin_dir / "openapi-python-client"), "generate",
            "--path", str(SPEC),
            "--config", str(REPO / "clients" / "python" / "config.yaml"),
            "--meta", "none",
            "--output-path", str(root / "policygov_client"),
        ],
        cwd=root,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    return Generated(root, output)

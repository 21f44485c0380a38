"""A real S3-compatible store for the tests: moto's standalone server, over HTTP on a free
local port (no MinIO binary or Docker needed), and an API whose file store is S3 on it."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import boto3
import pytest
from httpx import ASGITransport, AsyncClient
from moto.server import ThreadedMotoServer

from services.api.app import create_app
from services.domain.settings import Settings
from tests.register_writes import RegisterWrites


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The address of a running S3-compatible server; boto3 signs with made-up keys, taken
    from the standard variables as in production."""
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        os.environ.setdefault(name, value)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3_client(endpoint: str) -> Any:
    """boto3 on the test server, to look at (or damage) what the service stored."""
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


@pytest.fixture(scope="session")
def s3_settings(settings: Settings, s3_endpoint: str) -> Settings:
    """The test settings with files written to a bucket of their own on the test server."""
    bucket = f"policygov-{uuid.uuid4().hex[:12]}"
    s3_client(s3_endpoint).create_bucket(Bucket=bucket)
    return settings.model_copy(
        update={
            "file_store": "s3",
            "s3_bucket": bucket,
            "s3_endpoint_url": s3_endpoint,
            "s3_prefix": "files/",
            "s3_timeout_seconds": 2.0,
        }
    )


@pytest.fixture(scope="session")
async def s3_app(s3_settings: Settings) -> AsyncIterator[Any]:
    application = create_app(s3_settings)
    application.state.register_writes = RegisterWrites(application.state.engine)
    yield application
    await application.state.redis.aclose()
    await application.state.engine.dispose()


@pytest.fixture
async def s3_api(s3_app: Any) -> AsyncIterator[AsyncClient]:
    """A client of the API that writes version files to the S3 store."""
    s3_app.state.pages.clear()
    async with AsyncClient(transport=ASGITransport(app=s3_app), base_url="http://testserver") as c:
        yield c

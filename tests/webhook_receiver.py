"""A real webhook receiver on 127.0.0.1 (Starlette served by uvicorn), scripted per test.

It verifies every message with the ``standardwebhooks`` package, as a subscriber would, and
records what arrived so tests can count requests and compare headers and bodies.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.tls import Certificate


@dataclass
class Reply:
    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body: bytes = b""


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    # The parsed body if the signature verified with the receiver's secret, else the error.
    verified: Any = None


@dataclass
class Receiver:
    secret: str | None = None
    replies: list[Reply] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    port: int = 0

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, *replies: Reply | int) -> None:
        """Script the next answers, in order; afterwards every request gets 204."""
        self.replies.extend(r if isinstance(r, Reply) else Reply(r) for r in replies)

    def requests_to(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]

    async def _endpoint(self, request: Request) -> Response:
        body = await request.body()
        headers = dict(request.headers)
        entry = Received(request.url.path, headers, body)
        if self.secret is not None:
            try:
                entry.verified = Webhook(self.secret).verify(body, headers)
            except WebhookVerificationError as exc:
                entry.verified = exc
        self.received.append(entry)
        reply = self.replies.pop(0) if self.replies else Reply()
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.status < 300 and isinstance(entry.verified, Exception):
            return Response(status_code=401)  # a real subscriber refuses what it cannot verify
        return Response(reply.body, status_code=reply.status, headers=reply.headers)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{path:path}", self._endpoint, methods=["POST"])])


@asynccontextmanager
async def running(
    receiver: Receiver, certificate: Certificate | None = None
) -> AsyncIterator[Receiver]:
    """Serve ``receiver`` on a free port of 127.0.0.1 until the block ends (over TLS with
    ``certificate``)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    receiver.port = sock.getsockname()[1]
    tls: dict[str, Any] = {}
    if certificate is not None:
        tls = {"ssl_certfile": certificate.cert_file, "ssl_keyfile": certificate.key_file}
    config = uvicorn.Config(
        receiver.app(), log_level="warning", lifespan="off", timeout_graceful_shutdown=3, **tls
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield receiver
    finally:
        server.should_exit = True
        await task
        sock.close()


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

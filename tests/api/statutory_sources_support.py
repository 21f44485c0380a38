"""Helpers for statutory sources: published documents, sources, and a real local HTTP server
serving Atom feeds (the tests read feeds over the network, through the checked client)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from httpx import AsyncClient

from tests.api.sign_off_support import create_document
from tests.factories import World

WORKING_TOGETHER = "Working Together to Safeguard Children 2023"
WT_URL = "https://www.gov.uk/government/publications/working-together-to-safeguard-children--2"


async def published_document(client: AsyncClient, world: World, **overrides: Any) -> str:
    """A procedure issued as 1.0: owner (RSM) the approver, RO and author the author."""
    document_id = await create_document(client, world, **overrides)
    issued = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("issued.txt", b"The procedure.", "text/plain")},
        data={"issued": "true"},
        headers=world.a.policy_officer.headers,
    )
    assert issued.status_code == 201, issued.text
    return document_id


async def create_source(client: AsyncClient, world: World, **overrides: Any) -> dict[str, Any]:
    body = {
        "title": WORKING_TOGETHER,
        "kind": "statutory_guidance",
        "url": WT_URL,
        "publisher": "Department for Education",
        **overrides,
    }
    created = await client.post(
        "/v1/statutory-sources", json=body, headers=world.a.policy_officer.headers
    )
    assert created.status_code == 201, created.text
    data: dict[str, Any] = created.json()
    return data


async def link(
    client: AsyncClient, world: World, source_id: str, document_id: str, reason: str = ""
) -> None:
    linked = await client.post(
        f"/v1/statutory-sources/{source_id}/documents",
        json={"document_id": document_id, "reason": reason},
        headers=world.a.policy_officer.headers,
    )
    assert linked.status_code == 201, linked.text


def atom(*entries: tuple[str, str, datetime], extra: str = "") -> bytes:
    """An Atom feed of (id, title, updated) entries, newest first as GOV.UK writes them."""
    items = "".join(
        f"<entry><id>{entry_id}</id><title>{title}</title>"
        f'<link rel="alternate" type="text/html" href="https://www.gov.uk/changes/{i}"/>'
        f"<updated>{updated.isoformat()}</updated>"
        f"<summary>{title} in detail.</summary></entry>"
        for i, (entry_id, title, updated) in enumerate(entries)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>tag:www.gov.uk,2005:/wt</id><title>Working Together</title>{extra}{items}</feed>"
    ).encode()


@dataclass
class FeedServer:
    """A real HTTP server on 127.0.0.1 serving what each path is set to."""

    port: int = 0
    bodies: dict[str, tuple[int, bytes, float]] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)

    def serve(self, path: str, body: bytes, status: int = 200, delay: float = 0.0) -> str:
        self.bodies[path] = (status, body, delay)
        return self.url(path)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def run_feed_server() -> Iterator[FeedServer]:
    feeds = FeedServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            feeds.hits[self.path] = feeds.hits.get(self.path, 0) + 1
            status, body, delay = feeds.bodies.get(self.path, (404, b"not here", 0.0))
            if delay:
                time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Type", "application/atom+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    feeds.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield feeds
    finally:
        server.shutdown()
        server.server_close()

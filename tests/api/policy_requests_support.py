"""HTTP calls the tests of requests to the policy service repeat."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import select

from services.domain.models.notifications import Notification
from services.notifier.relay import relay_once
from tests.api.sign_off_support import create_document
from tests.factories import World
from tests.notifier.conftest import RecordingTransport


async def ask(
    client: AsyncClient, headers: dict[str, str], expect: int = 201, **fields: Any
) -> dict[str, Any]:
    """POST a request (a new document unless ``kind`` says otherwise); its body."""
    body: dict[str, Any] = {
        "kind": "new_document",
        "title": "A procedure for children missing from care",
        "details": "Social workers have no written procedure for return interviews.",
        **fields,
    }
    made = await client.post("/v1/policy-requests", json=body, headers=headers)
    assert made.status_code == expect, made.text
    found: dict[str, Any] = made.json()
    return found


async def read(client: AsyncClient, headers: dict[str, str], request_id: str) -> Response:
    return await client.get(f"/v1/policy-requests/{request_id}", headers=headers)


async def triage(
    client: AsyncClient,
    headers: dict[str, str],
    request_id: str,
    action: str,
    body: dict[str, Any] | None = None,
) -> Response:
    """POST accept, decline or withdraw with the request's current ETag (read as the policy
    team can, else as the caller)."""
    current = await read(client, headers, request_id)
    etag = current.headers.get("ETag", '"r1"')
    return await client.post(
        f"/v1/policy-requests/{request_id}/{action}",
        json=body,
        headers={**headers, "If-Match": etag},
    )


async def relay(world: World) -> None:
    """What the notifier does with the outbox: every event fanned out into notifications."""
    while await relay_once(world.sessionmaker, RecordingTransport()):
        pass


async def notices(world: World, kind: str) -> list[Notification]:
    async with world.sessionmaker() as session:
        rows = await session.execute(
            select(Notification)
            .where(Notification.kind == kind)
            .order_by(Notification.recipient_email)
        )
        return list(rows.scalars())


async def published_document(client: AsyncClient, world: World, **overrides: Any) -> str:
    """A procedure of the world's first organisation issued as 1.0 (readers see it)."""
    document_id = await create_document(client, world, **overrides)
    issued = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("issued.txt", b"The procedure.", "text/plain")},
        data={"issued": "true"},
        headers=world.a.policy_officer.headers,
    )
    assert issued.status_code == 201, issued.text
    return document_id

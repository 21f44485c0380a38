"""Builders for the engagement session tests, through the HTTP API only."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from services.domain.clock import london_today
from tests.factories import World


async def record_session(
    client: AsyncClient,
    world: World,
    document_id: str,
    headers: dict[str, str] | None = None,
    **body: Any,
) -> Any:
    fields: dict[str, Any] = {
        "kind": "workshop",
        "title": "Co-production workshop",
        "held_on": london_today().isoformat(),
        **body,
    }
    return await client.post(
        f"/v1/documents/{document_id}/engagement-sessions",
        json=fields,
        headers=headers or world.a.author.headers,
    )

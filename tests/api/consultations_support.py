"""Builders for the consultation tests, through the HTTP API (and the sweep's functions)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from httpx import AsyncClient, Response

from services.domain.consultations import lifecycle
from tests.factories import World


def in_hours(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


async def open_consultation(
    client: AsyncClient,
    world: World,
    document_id: str,
    version_id: str,
    *,
    headers: dict[str, str] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """An internal consultation of the world's reader, closing in two weeks unless told."""
    body: dict[str, Any] = {
        "document_id": document_id,
        "version_id": version_id,
        "kind": "internal",
        "audience": {"people": [str(world.a.reader.person_id)]},
        "closes_at": in_hours(24 * 14),
    }
    body.update(overrides)
    response = await client.post(
        "/v1/consultations", json=body, headers=headers or world.a.author.headers
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    data["etag"] = response.headers["ETag"]
    return data


async def respond(
    client: AsyncClient,
    consultation_id: str,
    headers: dict[str, str],
    position: str = "support",
    **body: Any,
) -> Response:
    return await client.put(
        f"/v1/consultations/{consultation_id}/response",
        json={"position": position, **body},
        headers=headers,
    )


async def consultees(
    client: AsyncClient, world: World, consultation_id: str
) -> list[dict[str, Any]]:
    response = await client.get(
        f"/v1/consultations/{consultation_id}/consultees", headers=world.a.author.headers
    )
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def sweep_close(world: World, after: timedelta = timedelta(days=400)) -> int:
    """What the notifier's sweep does once the closing time has passed."""
    async with world.sessionmaker() as session, session.begin():
        return await lifecycle.close_due(session, datetime.now(UTC) + after)


async def sweep_open(world: World, at: datetime) -> int:
    async with world.sessionmaker() as session, session.begin():
        return await lifecycle.open_due(session, at)


async def responses_of(
    client: AsyncClient, consultation_id: str, headers: dict[str, str]
) -> dict[str, dict[str, Any]]:
    """{consultee name: response} as the caller may see them."""
    response = await client.get(f"/v1/consultations/{consultation_id}/responses", headers=headers)
    assert response.status_code == 200, response.text
    return {r["consultee_name"]: r for r in response.json()}


def as_uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)

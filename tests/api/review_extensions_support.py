"""Requests to move a review date, through the API: asking, deciding, reading."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from httpx import AsyncClient, Response

from services.domain.clock import london_today
from tests.factories import World


def day(offset: int) -> date:
    return london_today() + timedelta(days=offset)


async def ask(
    client: AsyncClient,
    world: World,
    document_id: str,
    requested_due: date,
    headers: dict[str, str] | None = None,
    reasons: str = "The Review Session cannot meet until the new structure is in place.",
) -> Response:
    return await client.post(
        f"/v1/documents/{document_id}/review-extensions",
        json={"requested_due": requested_due.isoformat(), "reasons": reasons},
        headers=headers or world.a.author.headers,
    )


async def asked(
    client: AsyncClient, world: World, document_id: str, requested_due: date, **kw: Any
) -> dict[str, Any]:
    response = await ask(client, world, document_id, requested_due, **kw)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    data["etag"] = response.headers["ETag"]
    return data


async def act(
    client: AsyncClient,
    extension: dict[str, Any],
    action: str,
    headers: dict[str, str],
    body: dict[str, Any] | None = None,
) -> Response:
    """POST .../agree, .../refuse or .../withdraw with the request's ETag as If-Match."""
    got = await client.get(f"/v1/review-extensions/{extension['id']}", headers=headers)
    assert got.status_code == 200, got.text
    if body is None:
        body = {"reason": "Not needed now."} if action == "withdraw" else {"note": "Agreed."}
    return await client.post(
        f"/v1/review-extensions/{extension['id']}/{action}",
        json=body,
        headers={**headers, "If-Match": got.headers["ETag"]},
    )


async def set_limits(
    client: AsyncClient, world: World, max_months: int, max_extensions: int
) -> Response:
    got = await client.get(
        "/v1/organisation/review-extension-limits", headers=world.a.policy_officer.headers
    )
    assert got.status_code == 200, got.text
    return await client.put(
        "/v1/organisation/review-extension-limits",
        json={"max_months": max_months, "max_extensions": max_extensions},
        headers={**world.a.policy_officer.headers, "If-Match": got.headers["ETag"]},
    )


async def tracker_row(client: AsyncClient, world: World, document_id: str) -> dict[str, Any]:
    got = await client.get("/v1/tracker?limit=200", headers=world.a.policy_officer.headers)
    assert got.status_code == 200, got.text
    [row] = [r for r in got.json()["items"] if r["document_id"] == document_id]
    found: dict[str, Any] = row
    return found

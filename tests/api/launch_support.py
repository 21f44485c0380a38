"""Documents with drafts and issues, communication plans and digest subscriptions, through the
API (LBBD 10, Birmingham 11, Cafcass 4.15 and 7.1, Dorset 5.2)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from httpx import AsyncClient, Response

from services.domain.clock import london_today
from tests.factories import Org, document_body


def day(offset: int) -> str:
    return (london_today() + timedelta(days=offset)).isoformat()


async def document_with_draft(client: AsyncClient, org: Org, **overrides: Any) -> str:
    """A policy with draft 0.1, written by the author and owned by the approver."""
    fields: dict[str, Any] = {
        "owner_id": str(org.approver.person_id),
        "author_id": str(org.author.person_id),
        **overrides,
    }
    created = await client.post(
        "/v1/documents", json=document_body(**fields), headers=org.policy_officer.headers
    )
    assert created.status_code == 201, created.text
    document_id = str(created.json()["id"])
    await add_version(client, org, document_id, issued=False)
    return document_id


async def add_version(
    client: AsyncClient, org: Org, document_id: str, *, issued: bool, summary: str = "A change"
) -> dict[str, Any]:
    """A draft, or a version registered as issued (already live on Tri.x)."""
    added = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("policy.md", b"# Policy\n\nWhat staff do.", "text/markdown")},
        data={"change_summary": summary}
        | ({"issued": "true", "issued_on": day(0)} if issued else {"issued": "false"}),
        headers=org.policy_officer.headers,
    )
    assert added.status_code == 201, added.text
    data: dict[str, Any] = added.json()
    return data


def item_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "audience": "Team and Service Managers",
        "channel": "team_meetings",
        "planned_on": day(7),
        "service_areas": ["Adult Social Care"],
    }
    body.update(overrides)
    return body


async def add_item(
    client: AsyncClient,
    org: Org,
    document_id: str,
    version: str = "0.1",
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> Response:
    return await client.post(
        f"/v1/documents/{document_id}/versions/{version}/communication-plan",
        json=item_body(**fields),
        headers=headers or org.author.headers,
    )


async def added_item(
    client: AsyncClient, org: Org, document_id: str, version: str = "0.1", **fields: Any
) -> dict[str, Any]:
    response = await add_item(client, org, document_id, version, **fields)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def subscribe(
    client: AsyncClient, org: Org, role: str = "reader", **choice: Any
) -> dict[str, Any]:
    member = getattr(org, role)
    response = await client.put(
        f"/v1/people/{member.person_id}/digest-subscription",
        json=choice,
        headers=member.headers,
    )
    assert response.status_code in (200, 201), response.text
    data: dict[str, Any] = response.json()
    return data

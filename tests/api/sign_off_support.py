"""Builders for the sign-off tests, through the HTTP API only."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.api.boards_support import in_days
from tests.factories import World, document_body


def person_stage(key: str, role: str = "owner", **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "name": key.replace("_", " ").title(),
        "decider": {"kind": "document_role", "role": role},
        **extra,
    }


def people_stage(key: str, people: list[str], rule: str = "all", **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "name": key.replace("_", " ").title(),
        "decider": {"kind": "people", "people": people, "rule": rule},
        **extra,
    }


def board_stage(key: str, board_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "name": key.replace("_", " ").title(),
        "decider": {"kind": "board", "board_id": board_id},
        **extra,
    }


async def create_route(
    client: AsyncClient,
    world: World,
    stages: list[dict[str, Any]],
    *,
    key: str = "default",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    definition = {"stages": stages, **extra.pop("definition", {})}
    body = {"key": key, "name": key.replace("_", " ").title(), "definition": definition, **extra}
    response = await client.post(
        "/v1/routes", json=body, headers=headers or world.a.policy_officer.headers
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    data["etag"] = response.headers["ETag"]
    return data


async def create_document(client: AsyncClient, world: World, **overrides: Any) -> str:
    """A procedure owned (RSM) by the world's approver, with the author as its RO."""
    fields: dict[str, Any] = {
        "kind": "procedure",
        "owner_id": str(world.a.approver.person_id),
        "author_id": str(world.a.author.person_id),
        "responsible_officer_id": str(world.a.author.person_id),
        **overrides,
    }
    body = document_body(**fields)
    created = await client.post("/v1/documents", json=body, headers=world.a.policy_officer.headers)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def upload_draft(
    client: AsyncClient, world: World, document_id: str, text: bytes = b"Draft text."
) -> dict[str, Any]:
    uploaded = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("draft.txt", text, "text/plain")},
        headers=world.a.author.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    data: dict[str, Any] = uploaded.json()
    return data


async def submit(
    client: AsyncClient,
    world: World,
    document_id: str,
    version_id: str,
    headers: dict[str, str] | None = None,
    **body: Any,
) -> Any:
    return await client.post(
        "/v1/sign-offs",
        json={"document_id": document_id, "version_id": version_id, **body},
        headers=headers or world.a.author.headers,
    )


async def decide(
    client: AsyncClient,
    sign_off: dict[str, Any],
    headers: dict[str, str],
    outcome: str = "approved",
    **body: Any,
) -> Any:
    return await client.post(
        f"/v1/sign-offs/{sign_off['id']}/decisions",
        json={"version_id": sign_off["version_id"], "outcome": outcome, **body},
        headers=headers,
    )


def stage(sign_off: dict[str, Any], key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in sign_off["stages"] if s["key"] == key)
    return found


async def hold_meeting(client: AsyncClient, world: World, meeting_id: str) -> None:
    """The meeting happens: moved into the past with the chair present, ready for minutes."""
    headers = world.a.policy_officer.headers
    got = await client.get(f"/v1/meetings/{meeting_id}", headers=headers)
    moved = await client.patch(
        f"/v1/meetings/{meeting_id}",
        json={"starts_at": in_days(-1)},
        headers={**headers, "If-Match": got.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.text
    attended = await client.put(
        f"/v1/meetings/{meeting_id}/attendance",
        json={"attendance": [{"person_id": str(world.a.approver.person_id), "status": "present"}]},
        headers=headers,
    )
    assert attended.status_code == 200, attended.text


async def minute(
    client: AsyncClient, world: World, meeting_id: str, item_id: str, outcome: str, **body: Any
) -> Any:
    return await client.post(
        f"/v1/meetings/{meeting_id}/decisions",
        json={"agenda_item_id": item_id, "outcome": outcome, "method": "consensus", **body},
        headers=world.a.policy_officer.headers,
    )

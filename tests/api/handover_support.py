"""Builders for the handover tests (issue 20, orphaned owners), through the HTTP API only: a
leaver who owns a draft under sign-off (so decides its stage), is the RO of a published
procedure, owns a monitoring action on it and is assigned its update cycle item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient, Response

from tests.api.monitoring_support import action_body, set_action
from tests.api.policy_requests_support import published_document
from tests.api.sign_off_support import (
    create_document,
    create_route,
    person_stage,
    submit,
    upload_draft,
)
from tests.factories import World


@dataclass(frozen=True)
class Leaver:
    person_id: str
    draft_id: str  # owned by the leaver, under sign-off: the leaver decides its stage
    sign_off: dict[str, Any]
    published_id: str  # the leaver is its RO
    action_id: str
    item_id: str


async def add_leaver(client: AsyncClient, world: World, name: str = "Lee Leaver") -> str:
    email = name.lower().replace(" ", ".") + "@alpha.example.org"
    made = await client.post(
        "/v1/people",
        json={"name": name, "email": email, "roles": ["approver"], "service_area": "CIN"},
        headers=world.a.admin.headers,
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def leaver_holding_everything(client: AsyncClient, world: World) -> Leaver:
    person_id = await add_leaver(client, world)
    await create_route(client, world, [person_stage("rsm")])
    # Written by the admin (who may decide stages, but not this one: they wrote the draft).
    draft_id = await create_document(
        client, world, owner_id=person_id, author_id=str(world.a.admin.person_id)
    )
    version = await upload_draft(client, world, draft_id)
    submitted = await submit(client, world, draft_id, version["id"])
    assert submitted.status_code == 201, submitted.text
    published_id = await published_document(
        client, world, responsible_officer_id=person_id, reference="CS-PR-012"
    )
    action = await set_action(
        client, published_id, world.a.policy_officer.headers, action_body(person_id)
    )
    cycle = await client.post(
        "/v1/update-cycles",
        json={
            "name": "Tri.x update June",
            "items": [{"chapter": "CS-PR-012", "recommendation": "Reflect the new guidance."}],
        },
        headers=world.a.policy_officer.headers,
    )
    assert cycle.status_code == 201, cycle.text
    [item] = cycle.json()["items"]
    assert item["assigned_to_id"] == person_id
    return Leaver(
        person_id,
        draft_id,
        submitted.json(),
        published_id,
        action.json()["id"],
        item["id"],
    )


async def holdings(client: AsyncClient, world: World, person_id: str) -> dict[str, Any]:
    found = await client.get(
        f"/v1/people/{person_id}/holdings", headers=world.a.policy_officer.headers
    )
    assert found.status_code == 200, found.text
    data: dict[str, Any] = found.json()
    return data


async def deactivate(client: AsyncClient, world: World, person_id: str) -> Response:
    current = await client.get(f"/v1/people/{person_id}", headers=world.a.admin.headers)
    return await client.patch(
        f"/v1/people/{person_id}",
        json={"is_active": False},
        headers={**world.a.admin.headers, "If-Match": current.headers["ETag"]},
    )


async def reassign(
    client: AsyncClient,
    world: World,
    person_id: str,
    to_person_id: str,
    items: list[dict[str, Any]],
    headers: dict[str, str] | None = None,
) -> Response:
    return await client.post(
        f"/v1/people/{person_id}/reassignments",
        json={"to_person_id": to_person_id, "items": items},
        headers=headers or world.a.policy_officer.headers,
    )


def staff_csv(*rows: str) -> bytes:
    return ("Email,Name,Status,Leaving date,Service area\n" + "\n".join(rows) + "\n").encode()


async def send_staff_list(
    client: AsyncClient,
    world: World,
    content: bytes,
    *,
    dry_run: bool = True,
    headers: dict[str, str] | None = None,
) -> Response:
    return await client.post(
        f"/v1/staff-lists?dry_run={'true' if dry_run else 'false'}",
        files={"file": ("HR leavers November.csv", content, "text/csv")},
        headers=headers or world.a.policy_officer.headers,
    )

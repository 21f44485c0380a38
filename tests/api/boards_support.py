"""Builders for the boards and meetings tests, through the HTTP API only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from httpx import AsyncClient

from tests.factories import World, document_body

DORSET_RULE = "FREQ=MONTHLY;BYDAY=+2TU;BYMONTH=1,2,3,4,5,6,7,9,10,11"
# Dorset PPP Group terms of reference 6 and 9.1.
DORSET_DEADLINES = {
    "agenda": {"amount": 10, "unit": "working_days"},
    "papers": {"amount": 3, "unit": "working_days"},
}


async def add_person(client: AsyncClient, world: World, name: str) -> str:
    email = name.lower().replace(" ", ".") + "@alpha.example.org"
    response = await client.post(
        "/v1/people",
        json={"name": name, "email": email, "roles": ["reader"]},
        headers=world.a.admin.headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def create_board(client: AsyncClient, world: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Practice, Policy and Procedures Group",
        "purpose": "Approves the documents that govern Children's Services practice.",
        "deadline_rules": DORSET_DEADLINES,
        "members": [
            {"person_id": str(world.a.approver.person_id), "role": "chair"},
            {"person_id": str(world.a.reader.person_id), "role": "member"},
        ],
    }
    body.update(overrides)
    response = await client.post("/v1/boards", json=body, headers=world.a.policy_officer.headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    data["etag"] = response.headers["ETag"]
    return data


def in_days(days: int, hour: int = 10) -> str:
    moment = datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    return (moment + timedelta(days=days)).isoformat()


async def create_meeting(
    client: AsyncClient, world: World, board_id: str, starts_at: str, **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        "/v1/meetings",
        json={"board_id": board_id, "starts_at": starts_at, **extra},
        headers=world.a.policy_officer.headers,
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    data["etag"] = response.headers["ETag"]
    return data


async def create_document_with_draft(
    client: AsyncClient, world: World, reference: str = "PROC-1"
) -> tuple[str, str]:
    """A procedure written by the world's author, with a draft 0.1 only its team may see."""
    body = document_body(
        reference=reference,
        kind="policy",
        title="Allegations against staff",
        author_id=str(world.a.author.person_id),
        responsible_officer_id=str(world.a.author.person_id),
    )
    created = await client.post("/v1/documents", json=body, headers=world.a.policy_officer.headers)
    assert created.status_code == 201, created.text
    document_id = created.json()["id"]
    uploaded = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("draft.txt", b"Draft procedure text.", "text/plain")},
        headers=world.a.author.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    return document_id, uploaded.json()["id"]


async def submit(
    client: AsyncClient, world: World, board_id: str, headers: dict[str, str], **body: Any
) -> Any:
    return await client.post(
        "/v1/agenda-items", json={"board_id": board_id, **body}, headers=headers
    )


async def propose(
    client: AsyncClient, world: World, board_id: str, meeting_id: str, document_id: str
) -> Any:
    """The document's author asks the board for a decision on its latest draft."""
    return await submit(
        client,
        world,
        board_id,
        world.a.author.headers,
        meeting_id=meeting_id,
        document_id=document_id,
        ask="decision",
    )

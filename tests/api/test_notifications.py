"""The state of every notification is visible through the API."""

from __future__ import annotations

from httpx import AsyncClient

from services.notifier.relay import relay_once
from tests.factories import World, document_body
from tests.notifier.conftest import RecordingTransport


async def test_the_policy_team_sees_what_the_notifier_owes(
    client: AsyncClient, world: World
) -> None:
    response = await client.post(
        "/v1/documents",
        json=document_body(owner_id=str(world.a.approver.person_id)),
        headers=world.a.policy_officer.headers,
    )
    doc = response.json()
    await relay_once(world.sessionmaker, RecordingTransport())
    listed = await client.get("/v1/notifications", headers=world.a.policy_officer.headers)
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert [(n["kind"], n["status"], n["document_id"]) for n in items] == [
        ("document.assigned", "pending", doc["id"])
    ]
    assert items[0]["recipient_email"] == "approver@alpha.example.org"
    filtered = await client.get(
        "/v1/notifications?status=sent", headers=world.a.policy_officer.headers
    )
    assert filtered.json()["items"] == []
    assert (
        await client.get("/v1/notifications", headers=world.a.reader.headers)
    ).status_code == 403
    other = await client.get("/v1/notifications", headers=world.b.admin.headers)
    assert other.json()["items"] == []

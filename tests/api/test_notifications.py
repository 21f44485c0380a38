"""The state of every notification is visible through the API."""

from __future__ import annotations

import uuid

from httpx import AsyncClient

from services.domain.models.notifications import Notification
from services.domain.notices import kinds
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


async def test_every_kind_the_notifier_sends_can_be_filtered(
    client: AsyncClient, world: World
) -> None:
    """The filter takes every kind in the notifier's one registry, walked here, so a new kind
    cannot be forgotten (it once accepted 4 of them)."""
    async with world.sessionmaker() as session, session.begin():
        for kind in kinds.NAMES:
            session.add(
                Notification(
                    id=uuid.uuid4(),
                    organisation_id=world.a.id,
                    kind=kind,
                    dedupe_key=f"test:{kind}",
                    recipient_email="someone@alpha.example.org",
                    context={},
                    status="sent",
                )
            )
    h = world.a.policy_officer.headers
    for kind in kinds.NAMES:
        response = await client.get("/v1/notifications", params={"kind": kind}, headers=h)
        assert response.status_code == 200, (kind, response.text)
        assert [n["kind"] for n in response.json()["items"]] == [kind]
    unknown = await client.get("/v1/notifications?kind=review.forgotten", headers=h)
    assert unknown.status_code == 422
    assert unknown.headers["content-type"].startswith("application/problem+json")
    # The OpenAPI document lists exactly the registry.
    schema = (await client.get("/openapi.json")).json()
    assert sorted(schema["components"]["schemas"]["NotificationKind"]["enum"]) == sorted(
        kinds.NAMES
    )

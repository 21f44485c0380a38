"""Builders for the voting and time limit tests, through the HTTP API only."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.api.sign_off_support import create_document, create_route, submit, upload_draft
from tests.factories import Member, World


async def voters(client: AsyncClient, world: World, count: int) -> list[Member]:
    """``count`` approvers of the world's first organisation, each with their own API key."""
    made: list[Member] = []
    for n in range(count):
        person = await client.post(
            "/v1/people",
            json={
                "name": f"Panel Member {n + 1}",
                "email": f"panel.member.{n + 1}@alpha.example.org",
                "roles": ["approver"],
            },
            headers=world.a.admin.headers,
        )
        assert person.status_code == 201, person.text
        key = await client.post(
            "/v1/api-keys",
            json={"name": f"panel {n + 1}", "role": "approver", "person_id": person.json()["id"]},
            headers=world.a.admin.headers,
        )
        assert key.status_code == 201, key.text
        made.append(Member(person.json()["id"], person.json()["email"], key.json()["key"]))
    return made


DECIDER_KEYS = ("count", "quorum", "allow_abstention")


def panel_stage(panel: list[Member], rule: str, key: str = "panel", **extra: Any) -> dict[str, Any]:
    """A stage decided by ``panel`` under ``rule``; ``extra`` holds the decider's count, quorum
    and allow_abstention, and the stage's own fields (its time limit)."""
    people = [str(m.person_id) for m in panel]
    decider = {k: v for k, v in extra.items() if k in DECIDER_KEYS}
    own = {k: v for k, v in extra.items() if k not in DECIDER_KEYS}
    return {
        "key": key,
        "name": "Heads of Profession",
        "decider": {"kind": "people", "people": people, "rule": rule, **decider},
        **own,
    }


async def submitted(
    client: AsyncClient, world: World, stages: list[dict[str, Any]]
) -> dict[str, Any]:
    """A procedure submitted on a route of ``stages``."""
    await create_route(client, world, stages)
    document_id = await create_document(client, world)
    draft = await upload_draft(client, world, document_id)
    response = await submit(client, world, document_id, draft["id"])
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data

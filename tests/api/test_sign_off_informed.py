"""Informing without deciding, through the HTTP API: a route stage shows the draft to posts
and people (``inform``), who acknowledge it; nothing waits on them, and only they acknowledge."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy import select

from services.domain.models.notifications import Notification
from services.notifier.relay import relay_once
from tests.api.sign_off_support import (
    create_document,
    create_route,
    decide,
    person_stage,
    stage,
    submit,
    upload_draft,
)
from tests.factories import World
from tests.notifier.conftest import RecordingTransport


async def _cabinet_member(client: AsyncClient, world: World) -> None:
    """The reader holds the post of Cabinet Member (organisation-wide)."""
    made = await client.post(
        "/v1/posts",
        json={"post": "cabinet_member", "person_id": str(world.a.reader.person_id)},
        headers=world.a.admin.headers,
    )
    assert made.status_code == 201, made.text


async def _submitted(client: AsyncClient, world: World, inform: dict[str, Any]) -> dict[str, Any]:
    await create_route(client, world, [person_stage("rsm", inform=inform)])
    document_id = await create_document(client, world)
    draft = await upload_draft(client, world, document_id)
    response = await submit(client, world, document_id, draft["id"])
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def _acknowledge(
    client: AsyncClient, sign_off: dict[str, Any], headers: dict[str, str], comment: str = ""
) -> Any:
    return await client.post(
        f"/v1/sign-offs/{sign_off['id']}/acknowledgements",
        json={"comment": comment},
        headers=headers,
    )


async def test_a_stage_informs_the_post_holder_and_named_people_when_it_starts(
    client: AsyncClient, world: World
) -> None:
    await _cabinet_member(client, world)
    sign_off = await _submitted(
        client,
        world,
        {"posts": ["cabinet_member"], "people": [str(world.a.admin.person_id)]},
    )
    informed = {row["person_id"]: row for row in sign_off["informed"]}
    assert set(informed) == {str(world.a.reader.person_id), str(world.a.admin.person_id)}
    assert informed[str(world.a.reader.person_id)]["post"] == "cabinet_member"
    assert informed[str(world.a.admin.person_id)]["post"] is None
    assert all(row["stage_id"] == stage(sign_off, "rsm")["id"] for row in sign_off["informed"])
    assert all(row["acknowledged_at"] is None for row in sign_off["informed"])
    # Informed is not deciding: the stage waits for its decider only.
    assert stage(sign_off, "rsm")["participants"] == [str(world.a.approver.person_id)]
    # The informed person may read the sign-off they were shown.
    seen = await client.get(f"/v1/sign-offs/{sign_off['id']}", headers=world.a.reader.headers)
    assert seen.status_code == 200, seen.text
    listed = await client.get("/v1/sign-offs", headers=world.a.reader.headers)
    assert [s["id"] for s in listed.json()["items"]] == [sign_off["id"]]


async def test_the_informed_are_emailed_to_acknowledge(client: AsyncClient, world: World) -> None:
    await _cabinet_member(client, world)
    sign_off = await _submitted(client, world, {"posts": ["cabinet_member"]})
    await relay_once(world.sessionmaker, RecordingTransport())
    async with world.sessionmaker() as session:
        rows = await session.execute(
            select(Notification).where(Notification.kind == "sign_off.informed")
        )
        told = list(rows.scalars())
    assert [n.recipient_email for n in told] == [world.a.reader.email]
    assert told[0].context["acknowledge_path"] == (
        f"/v1/sign-offs/{sign_off['id']}/acknowledgements"
    )


async def test_the_sign_off_issues_the_version_while_the_informed_have_not_acknowledged(
    client: AsyncClient, world: World
) -> None:
    await _cabinet_member(client, world)
    sign_off = await _submitted(client, world, {"posts": ["cabinet_member"]})
    decided = await decide(client, sign_off, world.a.approver.headers)
    assert decided.status_code == 201, decided.text
    done = decided.json()
    assert done["status"] == "completed"
    assert done["issued_version_id"] is not None
    assert done["informed"][0]["acknowledged_at"] is None
    # They can still acknowledge after the issue.
    late = await _acknowledge(client, sign_off, world.a.reader.headers, "Noted.")
    assert late.status_code == 200, late.text
    assert late.json()["informed"][0]["comment"] == "Noted."


async def test_only_the_informed_person_acknowledges_and_again_changes_nothing(
    client: AsyncClient, world: World
) -> None:
    await _cabinet_member(client, world)
    sign_off = await _submitted(client, world, {"posts": ["cabinet_member"]})
    for other in (world.a.policy_officer, world.a.approver, world.a.admin):
        refused = await _acknowledge(client, sign_off, other.headers)
        assert refused.status_code == 403, refused.text
        assert refused.json()["rule"] == "informed"
    # Another organisation's caller does not see the sign-off at all.
    foreign = await _acknowledge(client, sign_off, world.b.admin.headers)
    assert foreign.status_code == 404, foreign.text

    first = await _acknowledge(client, sign_off, world.a.reader.headers, "Seen; content.")
    assert first.status_code == 200, first.text
    row = first.json()["informed"][0]
    assert row["acknowledged_at"] is not None
    assert row["comment"] == "Seen; content."
    again = await _acknowledge(client, sign_off, world.a.reader.headers, "Seen twice.")
    assert again.status_code == 200, again.text
    assert again.json()["informed"][0] == row


async def test_a_route_informing_a_post_nobody_holds_is_refused(
    client: AsyncClient, world: World
) -> None:
    body = {
        "key": "informs_unknown",
        "name": "Informs unknown",
        "definition": {"stages": [person_stage("rsm", inform={"posts": ["head_of_nowhere"]})]},
    }
    response = await client.post("/v1/routes", json=body, headers=world.a.policy_officer.headers)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert "head_of_nowhere" in problem["detail"]
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_the_timeline_shows_who_was_told_and_who_acknowledged(
    client: AsyncClient, world: World
) -> None:
    await _cabinet_member(client, world)
    sign_off = await _submitted(client, world, {"posts": ["cabinet_member"]})
    acknowledged = await _acknowledge(client, sign_off, world.a.reader.headers, "Noted.")
    assert acknowledged.status_code == 200, acknowledged.text
    response = await client.get(
        f"/v1/documents/{sign_off['document_id']}/timeline",
        headers=world.a.policy_officer.headers,
    )
    assert response.status_code == 200, response.text
    entries = [e for e in response.json()["entries"] if e["type"].startswith("sign_off.")]
    types = [e["type"] for e in entries]
    assert types.index("sign_off.stage_started") < types.index("sign_off.informed")
    assert types.index("sign_off.informed") < types.index("sign_off.acknowledged")
    told = next(e for e in entries if e["type"] == "sign_off.informed")
    assert "as cabinet member" in told["summary"]
    assert told["refs"]["person_id"] == str(world.a.reader.person_id)
    seen = next(e for e in entries if e["type"] == "sign_off.acknowledged")
    assert seen["actor_id"] == str(world.a.reader.person_id)
    assert seen["details"]["comment"] == "Noted."


async def test_a_route_informing_another_organisations_person_is_refused(
    client: AsyncClient, world: World
) -> None:
    stage_body = person_stage("rsm", inform={"people": [str(world.b.reader.person_id)]})
    body = {
        "key": "informs_foreign",
        "name": "Informs foreign",
        "definition": {"stages": [stage_body]},
    }
    response = await client.post("/v1/routes", json=body, headers=world.a.policy_officer.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")

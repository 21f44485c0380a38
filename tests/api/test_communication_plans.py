"""Communication plans through the API (LBBD 10, Cafcass 4.15 and 7.1): who writes them, what
an item holds, saying it went, the plan carried from the final draft to the issue, the gate, the
timeline, isolation between organisations."""

from __future__ import annotations

import uuid
from typing import Any

from httpx import AsyncClient

from services.domain.gates.service import missing_gates
from services.domain.models.documents import Document, DocumentVersion
from tests.api.launch_support import add_item, add_version, added_item, day, document_with_draft
from tests.factories import World


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    return problem


async def test_the_author_plans_the_cascade_and_the_plan_lists_it_soonest_first(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id = await document_with_draft(client, a)
    later = await added_item(client, a, document_id, planned_on=day(14), channel="newsletter",
                             channel_name="ASC newsletter", audience="All ASC staff")  # fmt: skip
    sooner = await added_item(client, a, document_id, owner_id=str(a.policy_officer.person_id))
    assert later["channel_name"] == "ASC newsletter"
    assert later["owner_id"] == str(a.author.person_id)  # the caller when nobody is named
    assert sooner["owner_id"] == str(a.policy_officer.person_id)
    assert (sooner["sent_at"], sooner["is_overdue"]) == (None, False)

    plan = await client.get(
        f"/v1/documents/{document_id}/versions/0.1/communication-plan", headers=a.author.headers
    )
    assert plan.status_code == 200, plan.text
    body = plan.json()
    assert [i["id"] for i in body["items"]] == [sooner["id"], later["id"]]
    assert (body["version"], body["sent"], body["overdue"]) == ("0.1", 0, 0)


async def test_a_newsletter_is_named_and_bad_items_are_refused_whole(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id = await document_with_draft(client, a)
    unnamed = await add_item(client, a, document_id, channel="newsletter")
    assert _problem(unnamed, 422)["invalid_params"][0]["name"] == "channel_name"
    blank = await add_item(client, a, document_id, audience="   ")
    assert _problem(blank, 422)["invalid_params"][0]["name"] == "audience"
    unknown = await add_item(client, a, document_id, channel="carrier_pigeon")
    _problem(unknown, 422)
    foreign_board = await client.get("/v1/boards", headers=world.b.policy_officer.headers)
    assert foreign_board.status_code == 200
    # Another organisation's person or board answers like one that does not exist.
    stranger = await add_item(client, a, document_id, owner_id=str(world.b.author.person_id))
    assert _problem(stranger, 422)["invalid_params"][0]["name"] == "owner_id"
    too_many = await add_item(client, a, document_id, service_areas=[f"A{i}" for i in range(21)])
    _problem(too_many, 422)
    plan = await client.get(
        f"/v1/documents/{document_id}/versions/0.1/communication-plan", headers=a.author.headers
    )
    assert plan.json()["items"] == []


async def test_only_the_documents_people_and_the_policy_team_write_the_plan(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    # Owned by the approver, written by the author: the reader is not named on it, and
    # another organisation sees no such document.
    document_id = await document_with_draft(client, a)
    # A draft is hidden from the reader; its issue is not, but its plan is not theirs.
    _problem(await add_item(client, a, document_id, headers=a.reader.headers), 404)
    await add_version(client, a, document_id, issued=True)
    refused = await add_item(client, a, document_id, "1.0", headers=a.reader.headers)
    assert _problem(refused, 403)["rule"] == "named_on_document"
    assert (
        await add_item(client, a, document_id, headers=a.policy_officer.headers)
    ).status_code == 201
    assert (await add_item(client, a, document_id, headers=a.approver.headers)).status_code == 201
    foreign = await add_item(client, a, document_id, headers=world.b.policy_officer.headers)
    _problem(foreign, 404)


async def test_an_item_is_changed_with_if_match_and_once_sent_is_kept_as_it_went(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id = await document_with_draft(client, a)
    item = await added_item(client, a, document_id)
    url = f"/v1/communication-plan-items/{item['id']}"
    _problem(await client.patch(url, json={"planned_on": day(3)}, headers=a.author.headers), 428)
    stale = await client.patch(
        url, json={"planned_on": day(3)}, headers={**a.author.headers, "If-Match": '"r9"'}
    )
    _problem(stale, 412)
    changed = await client.patch(
        url, json={"planned_on": day(3)}, headers={**a.author.headers, "If-Match": '"r1"'}
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["planned_on"], changed.headers["ETag"]) == (day(3), '"r2"')

    future = await client.post(f"{url}/sent", json={"sent_on": day(1)}, headers=a.author.headers)
    assert _problem(future, 422)["invalid_params"][0]["name"] == "sent_on"
    # The reader is not named on the document, nor on the item: a draft's item is hidden.
    _problem(await client.post(f"{url}/sent", json={}, headers=a.reader.headers), 404)
    approver = await client.post(f"{url}/sent", json={}, headers=a.approver.headers)
    assert approver.status_code == 200, approver.text  # the owner of the document
    sent = approver
    assert sent.json()["sent_on"] == day(0)
    assert sent.json()["sent_by_id"] == str(a.approver.person_id)
    again = await client.post(f"{url}/sent", json={}, headers=a.author.headers)
    _problem(again, 409)
    etag = sent.headers["ETag"]
    late = await client.patch(
        url, json={"audience": "Everyone"}, headers={**a.author.headers, "If-Match": etag}
    )
    _problem(late, 409)
    _problem(await client.delete(url, headers={**a.author.headers, "If-Match": etag}), 409)


async def test_an_item_not_sent_is_removed(client: AsyncClient, world: World) -> None:
    a = world.a
    document_id = await document_with_draft(client, a)
    item = await added_item(client, a, document_id)
    url = f"/v1/communication-plan-items/{item['id']}"
    removed = await client.delete(url, headers={**a.author.headers, "If-Match": '"r1"'})
    assert removed.status_code == 204, removed.text
    _problem(await client.get(url, headers=a.author.headers), 404)


async def test_the_plan_of_the_final_draft_becomes_the_plan_of_the_issue(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id = await document_with_draft(client, a)
    item = await added_item(client, a, document_id)
    issued = await add_version(client, a, document_id, issued=True, summary="First issue")
    assert issued["number"] == "1.0"
    plan = await client.get(
        f"/v1/documents/{document_id}/versions/1.0/communication-plan", headers=a.reader.headers
    )
    assert plan.status_code == 200, plan.text
    [carried] = plan.json()["items"]
    assert carried["id"] == item["id"]
    assert carried["version_id"] == issued["id"]
    assert carried["drafted_for_version_id"] == item["version_id"]
    draft_plan = await client.get(
        f"/v1/documents/{document_id}/versions/0.1/communication-plan", headers=a.author.headers
    )
    assert draft_plan.json()["items"] == []
    # A reader sees the issue's plan, never a draft's.
    _problem(
        await client.get(
            f"/v1/documents/{document_id}/versions/0.1/communication-plan",
            headers=a.reader.headers,
        ),
        404,
    )


async def test_the_plan_is_on_the_documents_timeline(client: AsyncClient, world: World) -> None:
    a = world.a
    document_id = await document_with_draft(client, a)
    item = await added_item(client, a, document_id, audience="Regional Directors",
                            channel="email")  # fmt: skip
    sent = await client.post(
        f"/v1/communication-plan-items/{item['id']}/sent",
        json={"note": "Emailed by the Policy Sponsor."},
        headers=a.author.headers,
    )
    assert sent.status_code == 200, sent.text
    timeline = await client.get(
        f"/v1/documents/{document_id}/timeline", headers=a.policy_officer.headers
    )
    assert timeline.status_code == 200, timeline.text
    entries = [e for e in timeline.json()["entries"] if e["type"].startswith("communication_plan")]
    assert [e["type"] for e in entries] == [
        "communication_plan.item_added",
        "communication_plan.item_sent",
    ]
    assert "Regional Directors" in entries[0]["summary"]
    assert entries[1]["summary"].endswith("Emailed by the Policy Sponsor.")


async def _missing(world: World, document_id: str, version_id: str) -> list[str]:
    async with world.sessionmaker() as session:
        document = await session.get(Document, uuid.UUID(document_id))
        version = await session.get(DocumentVersion, uuid.UUID(version_id))
        assert document is not None and version is not None
        found = await missing_gates(session, document, version, ("communication_plan_ready",))
        return [m.detail for m in found]


async def test_the_gate_needs_a_plan_written_for_the_drafts_since_the_last_issue(
    client: AsyncClient, world: World
) -> None:
    """Cafcass: "The final draft version is submitted to ECMT with a full communications
    plan"; a route lists `communication_plan_ready` to ask for it."""
    a = world.a
    document_id = await document_with_draft(client, a)
    versions = await client.get(f"/v1/documents/{document_id}/versions", headers=a.author.headers)
    first = versions.json()[0]["id"]
    [detail] = await _missing(world, document_id, first)
    assert detail.startswith("No communication plan for draft 0.1")
    await added_item(client, a, document_id)
    second = (await add_version(client, a, document_id, issued=False))["id"]
    # A plan of an earlier draft counts for the later one.
    assert await _missing(world, document_id, second) == []
    await add_version(client, a, document_id, issued=True)
    # After the issue, the next draft needs a plan of its own: the last one went with 1.0.
    third = await add_version(client, a, document_id, issued=False)
    assert third["number"] == "1.1"
    assert len(await _missing(world, document_id, third["id"])) == 1
    await added_item(client, a, document_id, "1.1")
    assert await _missing(world, document_id, third["id"]) == []


async def test_whoever_an_item_names_says_it_went(client: AsyncClient, world: World) -> None:
    """Cafcass 7.1: a communications officer (a reader here, named on no document) sends the
    Channel C article the plan gives them, and says so."""
    a = world.a
    document_id = await document_with_draft(client, a)
    item = await added_item(client, a, document_id, channel="newsletter", channel_name="Channel C",
                            owner_id=str(a.reader.person_id))  # fmt: skip
    url = f"/v1/communication-plan-items/{item['id']}"
    # Naming them lets them say it went, not change the plan.
    changed = await client.patch(
        url, json={"audience": "Everyone"}, headers={**a.reader.headers, "If-Match": '"r1"'}
    )
    assert _problem(changed, 403)["rule"] == "named_on_document"
    sent = await client.post(f"{url}/sent", json={"note": "Issue 212"}, headers=a.reader.headers)
    assert sent.status_code == 200, sent.text
    assert (sent.json()["sent_by_id"], sent.json()["sent_note"]) == (
        str(a.reader.person_id),
        "Issue 212",
    )

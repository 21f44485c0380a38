"""Monitoring actions through the API (Cafcass 7.4, Dorset xi): who sets them and who works
them, the dates, evidence, closing, the organisation's list, and isolation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from httpx import AsyncClient

from services.domain.clock import london_today
from tests.api.assessments_support import events_of
from tests.api.dis_applications_support import in_force_document
from tests.api.monitoring_support import action_body, backdate, day, set_action
from tests.factories import World, document_body


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    return problem


async def test_the_documents_owner_sets_an_action_and_its_owner_evidences_and_completes_it(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id = await in_force_document(client, a)
    made = await set_action(client, document_id, a.approver.headers, action_body(a))
    action = made.json()
    assert made.headers["Location"] == f"/v1/monitoring-actions/{action['id']}"
    assert made.headers["ETag"] == '"r1"'
    assert (action["status"], action["issued_version"], action["is_overdue"]) == (
        "open",
        "1.0",
        False,
    )
    assert action["created_by_id"] == str(a.approver.person_id)
    assigned = await events_of(world, "monitoring_action.assigned")
    assert [e["owner_id"] for e in assigned] == [str(a.reader.person_id)]

    url = f"/v1/monitoring-actions/{action['id']}"
    bad_link = await client.post(
        f"{url}/evidence",
        json={"note": "See the audit.", "url": "javascript:alert(1)"},
        headers=a.reader.headers,
    )
    assert _problem(bad_link, 422)["invalid_params"][0]["name"] == "url"
    noted = await client.post(
        f"{url}/evidence",
        json={"note": "Eight of ten files use it.", "url": "https://audit.example.org/r/12"},
        headers=a.reader.headers,
    )
    assert noted.status_code == 201, noted.text
    [evidence] = noted.json()["evidence"]
    assert (evidence["kind"], evidence["recorded_by_id"]) == ("link", str(a.reader.person_id))

    done = await client.post(
        f"{url}/completion",
        json={"outcome": "Two teams retrained; re-audit in three months."},
        headers=a.reader.headers,
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["closed_by_id"]) == (
        "done",
        str(a.reader.person_id),
    )
    again = await client.post(
        f"{url}/completion", json={"outcome": "Again."}, headers=a.reader.headers
    )
    _problem(again, 409)
    late_evidence = await client.post(
        f"{url}/evidence", json={"note": "Too late."}, headers=a.reader.headers
    )
    _problem(late_evidence, 409)
    closed = await events_of(world, "monitoring_action.closed")
    assert [(e["status"], e["closed_by_id"]) for e in closed] == [("done", str(a.reader.person_id))]


async def test_only_the_documents_people_or_the_policy_team_set_and_cancel_actions(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id = await in_force_document(client, a)
    # An author not named on the document may not set one; a reader's role has no such right.
    stranger = await set_action(client, document_id, a.author.headers, action_body(a), expect=403)
    assert stranger.json()["rule"] == "named_on_document"
    reader = await set_action(client, document_id, a.reader.headers, action_body(a), expect=403)
    assert reader.json()["rule"] == "role"

    action = (
        await set_action(client, document_id, a.policy_officer.headers, action_body(a))
    ).json()
    url = f"/v1/monitoring-actions/{action['id']}"
    # The action's owner works it but does not cancel it; nor may anyone else add evidence.
    _problem(
        await client.post(f"{url}/cancellation", json={"reason": "No."}, headers=a.reader.headers),
        403,
    )
    outsider = await client.post(f"{url}/evidence", json={"note": "x"}, headers=a.author.headers)
    assert _problem(outsider, 403)["rule"] == "monitoring_action_owner"
    blank = await client.post(
        f"{url}/cancellation", json={"reason": " "}, headers=a.approver.headers
    )
    _problem(blank, 422)
    cancelled = await client.post(
        f"{url}/cancellation",
        json={"reason": "The review replaces this part of the policy."},
        headers=a.approver.headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["outcome"]) == (
        "cancelled",
        "The review replaces this part of the policy.",
    )


async def test_an_action_needs_a_document_in_force_a_colleague_and_a_date_ahead(
    client: AsyncClient, world: World
) -> None:
    a, b = world.a, world.b
    draft = await client.post(
        "/v1/documents",
        json=document_body(owner_id=str(a.approver.person_id)),
        headers=a.policy_officer.headers,
    )
    assert draft.status_code == 201, draft.text
    not_in_force = await set_action(
        client, draft.json()["id"], a.policy_officer.headers, action_body(a), expect=409
    )
    assert "in force" in not_in_force.json()["detail"]

    document_id = await in_force_document(client, a)
    foreign = await set_action(
        client,
        document_id,
        a.policy_officer.headers,
        action_body(str(b.reader.person_id)),
        expect=422,
    )
    assert foreign.json()["invalid_params"][0]["name"] == "owner_id"
    past = await set_action(
        client, document_id, a.policy_officer.headers, action_body(a, due_on=day(-1)), expect=422
    )
    assert past.json()["invalid_params"][0]["name"] == "due_on"
    too_far = await set_action(
        client, document_id, a.policy_officer.headers, action_body(a, due_on=day(731)), expect=422
    )
    assert too_far.json()["invalid_params"][0]["name"] == "due_on"
    long_title = await set_action(
        client, document_id, a.policy_officer.headers, action_body(a, title="x" * 301), expect=422
    )
    assert long_title.json()["invalid_params"][0]["name"] == "title"
    # Another organisation's document answers as a missing one.
    await set_action(client, document_id, b.policy_officer.headers, action_body(b), expect=404)


async def test_a_change_of_owner_needs_if_match_and_tells_the_new_owner(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id = await in_force_document(client, a)
    made = await set_action(client, document_id, a.policy_officer.headers, action_body(a))
    url = f"/v1/monitoring-actions/{made.json()['id']}"
    change = {"owner_id": str(a.author.person_id), "due_on": day(60)}
    _problem(await client.patch(url, json=change, headers=a.policy_officer.headers), 428)
    stale = await client.patch(
        url, json=change, headers={**a.policy_officer.headers, "If-Match": '"r9"'}
    )
    _problem(stale, 412)
    matching = {**a.policy_officer.headers, "If-Match": made.headers["ETag"]}
    for empty in ({"owner_id": None}, {"title": None}, {"due_on": None}):
        _problem(await client.patch(url, json=empty, headers=matching), 422)
    changed = await client.patch(url, json=change, headers=matching)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["owner_id"], changed.json()["due_on"]) == (
        str(a.author.person_id),
        day(60),
    )
    assert changed.headers["ETag"] == '"r2"'
    assigned = await events_of(world, "monitoring_action.assigned")
    assert [e["owner_id"] for e in assigned] == [
        str(a.reader.person_id),
        str(a.author.person_id),
    ]


async def test_the_organisations_list_filters_by_owner_status_and_overdue_and_pages(
    client: AsyncClient, world: World
) -> None:
    a, b = world.a, world.b
    document_id = await in_force_document(client, a)
    first = (
        await set_action(
            client, document_id, a.policy_officer.headers, action_body(a, due_on=day(5))
        )
    ).json()
    second = (
        await set_action(
            client,
            document_id,
            a.policy_officer.headers,
            action_body(str(a.author.person_id), title="Check the Mosaic form", due_on=day(9)),
        )
    ).json()
    await backdate(world, first["id"], london_today() - timedelta(days=2))

    async def ids(query: str, headers: dict[str, str] | None = None) -> list[str]:
        got = await client.get(
            f"/v1/monitoring-actions{query}", headers=headers or a.reader.headers
        )
        assert got.status_code == 200, got.text
        return [item["id"] for item in got.json()["items"]]

    assert await ids("") == [first["id"], second["id"]]
    assert await ids("?overdue=true") == [first["id"]]
    assert await ids(f"?owner_id={a.author.person_id}") == [second["id"]]
    assert await ids("?status=done") == []
    assert await ids(f"?document_id={document_id}") == [first["id"], second["id"]]
    page = await client.get("/v1/monitoring-actions?limit=1", headers=a.reader.headers)
    assert [i["id"] for i in page.json()["items"]] == [first["id"]]
    assert page.json()["items"][0]["is_overdue"] is True
    cursor = page.json()["next_cursor"]
    rest = await client.get(
        f"/v1/monitoring-actions?limit=1&cursor={cursor}", headers=a.reader.headers
    )
    assert [i["id"] for i in rest.json()["items"]] == [second["id"]]
    # Another organisation sees none of them, and a foreign id answers as a missing one.
    assert await ids("", b.reader.headers) == []
    foreign = await client.get(f"/v1/monitoring-actions/{first['id']}", headers=b.reader.headers)
    _problem(foreign, 404)
    on_document = await client.get(
        f"/v1/documents/{document_id}/monitoring-actions", headers=a.reader.headers
    )
    assert [i["id"] for i in on_document.json()["items"]] == [first["id"], second["id"]]

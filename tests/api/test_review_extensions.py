"""Review extensions through the API: the RO asks to move a review date with reasons; the
owner (RSM) or the policy team agrees or refuses, never the requester; the organisation's
limits; the tracker and the timeline show it; foreign ids answer like missing ones."""

from __future__ import annotations

from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from httpx import AsyncClient, Response

from tests.api.assessments_support import events_of
from tests.api.review_extensions_support import act, ask, asked, day, set_limits, tracker_row
from tests.api.test_reviews import document_of, published_document, set_review_due
from tests.factories import World


def _problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    return problem


async def _due(client: AsyncClient, world: World, document_id: str) -> date:
    return date.fromisoformat((await document_of(client, world, document_id))["next_review_due"])


async def test_the_ro_asks_the_owner_agrees_and_the_review_date_the_tracker_and_timeline_follow(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    await set_review_due(client, world, document_id, day(20))
    made = await asked(client, world, document_id, day(60))
    assert (made["status"], made["is_current"]) == ("pending", True)
    assert (made["current_due"], made["original_due"]) == (day(20).isoformat(),) * 2
    assert made["requested_by_id"] == str(world.a.author.person_id)
    assert made["sequence"] == 1 and made["etag"] == '"r1"'
    row = await tracker_row(client, world, document_id)
    assert row["pending_extension_id"] == made["id"] and row["is_extended"] is False

    agreed = await act(client, made, "agree", world.a.approver.headers, {"note": "Fine."})
    assert agreed.status_code == 200, agreed.text
    body = agreed.json()
    assert (body["status"], body["agreed_due"]) == ("agreed", day(60).isoformat())
    assert body["decided_by_id"] == str(world.a.approver.person_id)
    assert await _due(client, world, document_id) == day(60)

    row = await tracker_row(client, world, document_id)
    assert row["next_review_due"] == day(60).isoformat()
    assert (row["is_extended"], row["original_review_due"]) == (True, day(20).isoformat())
    assert (row["times_extended"], row["pending_extension_id"]) == (1, None)
    extended = await client.get("/v1/tracker?extended=true", headers=world.a.reader.headers)
    assert [r["document_id"] for r in extended.json()["items"]] == [document_id]
    others = await client.get("/v1/tracker?extended=false", headers=world.a.reader.headers)
    assert document_id not in [r["document_id"] for r in others.json()["items"]]

    timeline = await client.get(
        f"/v1/documents/{document_id}/timeline", headers=world.a.author.headers
    )
    assert timeline.status_code == 200, timeline.text
    entries = [e for e in timeline.json()["entries"] if e["type"].startswith("review_extension")]
    assert [e["type"] for e in entries] == [
        "review_extension.requested",
        "review_extension.decided",
    ]
    assert entries[1]["details"]["agreed_due"] == day(60).isoformat()
    [decided] = await events_of(world, "review_extension.decided")
    assert (decided["status"], decided["agreed_due"]) == ("agreed", day(60).isoformat())


async def test_an_owner_standing_in_as_ro_cannot_agree_to_their_own_request(
    client: AsyncClient, world: World
) -> None:
    # NCT 2.3.4: with no RO named the RSM stands in, and asks; the policy team decides.
    document_id = await published_document(client, world, responsible_officer_id=None)
    made = await asked(client, world, document_id, day(400), headers=world.a.approver.headers)
    refused = await act(client, made, "agree", world.a.approver.headers)
    assert _problem(refused, 403)["rule"] == "segregation_of_duties"
    by_team = await act(client, made, "agree", world.a.policy_officer.headers)
    assert by_team.status_code == 200, by_team.text
    assert by_team.json()["decided_by_id"] == str(world.a.policy_officer.person_id)


async def test_only_the_responsible_officer_asks_and_only_the_owner_or_policy_team_decides(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world, owner_id=str(world.a.admin.person_id))
    due = await _due(client, world, document_id)
    owner_asks = await ask(
        client, world, document_id, due + relativedelta(months=1), headers=world.a.admin.headers
    )
    assert _problem(owner_asks, 403)["rule"] == "responsible_officer"
    reader_asks = await ask(
        client, world, document_id, due + relativedelta(months=1), headers=world.a.reader.headers
    )
    assert _problem(reader_asks, 403)["rule"] == "role"
    made = await asked(client, world, document_id, due + relativedelta(months=1))
    not_owner = await act(client, made, "agree", world.a.approver.headers)
    assert _problem(not_owner, 403)["rule"] == "document_owner"
    assert await _due(client, world, document_id) == due


async def test_a_request_beyond_the_organisations_limits_is_refused_at_once_naming_the_limit(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    first_due = await _due(client, world, document_id)
    # By default: three months past the date first due, once per review period.
    too_far = await ask(client, world, document_id, first_due + relativedelta(months=3, days=1))
    problem = _problem(too_far, 422)
    assert problem["limit"] == "max_months"
    assert (first_due + relativedelta(months=3)).isoformat() in problem["detail"]
    made = await asked(client, world, document_id, first_due + relativedelta(months=2))
    assert (await act(client, made, "agree", world.a.approver.headers)).status_code == 200

    again = await ask(client, world, document_id, first_due + relativedelta(months=3))
    assert _problem(again, 409)["limit"] == "max_extensions"

    assert (await set_limits(client, world, max_months=4, max_extensions=2)).status_code == 200
    # The second extension counts from the date first due, not from the extended one.
    beyond = await ask(client, world, document_id, first_due + relativedelta(months=4, days=1))
    assert _problem(beyond, 422)["limit"] == "max_months"
    second = await asked(client, world, document_id, first_due + relativedelta(months=4))
    assert (second["sequence"], second["original_due"]) == (2, first_due.isoformat())
    assert (await act(client, second, "agree", world.a.approver.headers)).status_code == 200
    row = await tracker_row(client, world, document_id)
    assert (row["times_extended"], row["original_review_due"]) == (2, first_due.isoformat())

    assert (await set_limits(client, world, max_months=4, max_extensions=0)).status_code == 200
    none = await ask(client, world, document_id, first_due + relativedelta(months=4, days=2))
    assert "no review extensions" in _problem(none, 409)["detail"]


async def test_the_limits_are_set_by_the_policy_team_with_if_match(
    client: AsyncClient, world: World
) -> None:
    url = "/v1/organisation/review-extension-limits"
    got = await client.get(url, headers=world.a.reader.headers)
    assert got.json() == {"max_months": 3, "max_extensions": 1}
    assert got.headers["ETag"] == '"r0"'
    body = {"max_months": 6, "max_extensions": 2}
    assert (
        await client.put(url, json=body, headers=world.a.policy_officer.headers)
    ).status_code == 428
    reader = await client.put(
        url, json=body, headers={**world.a.reader.headers, "If-Match": '"r0"'}
    )
    assert _problem(reader, 403)["rule"] == "role"
    out_of_bounds = await client.put(
        url,
        json={"max_months": 25, "max_extensions": 2},
        headers={**world.a.policy_officer.headers, "If-Match": '"r0"'},
    )
    assert out_of_bounds.status_code == 422
    put = await client.put(
        url, json=body, headers={**world.a.policy_officer.headers, "If-Match": '"r0"'}
    )
    assert put.status_code == 200 and put.json() == body and put.headers["ETag"] == '"r1"'
    stale = await client.put(url, json=body, headers={**world.a.admin.headers, "If-Match": '"r0"'})
    assert stale.status_code == 412
    other = await client.get(url, headers=world.b.reader.headers)
    assert other.json() == {"max_months": 3, "max_extensions": 1}


async def test_one_request_waits_per_document_and_a_decided_one_is_final(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    due = await _due(client, world, document_id)
    made = await asked(client, world, document_id, due + relativedelta(months=1))
    second = await ask(client, world, document_id, due + relativedelta(months=2))
    assert _problem(second, 409)["call"] == f"/v1/review-extensions/{made['id']}"
    no_note = await act(client, made, "refuse", world.a.approver.headers, {"note": " "})
    assert no_note.status_code == 422
    refused = await act(client, made, "refuse", world.a.approver.headers, {"note": "Do it now."})
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert await _due(client, world, document_id) == due
    assert _problem(await act(client, made, "agree", world.a.approver.headers), 409)
    assert _problem(await act(client, made, "withdraw", world.a.author.headers), 409)
    stale = await client.post(
        f"/v1/review-extensions/{made['id']}/agree",
        json={"note": "x"},
        headers={**world.a.approver.headers, "If-Match": made["etag"]},
    )
    assert stale.status_code == 412


async def test_the_decider_may_agree_an_earlier_date_but_not_a_later_one(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    due = await _due(client, world, document_id)
    made = await asked(client, world, document_id, due + relativedelta(months=2))
    later = await act(
        client,
        made,
        "agree",
        world.a.approver.headers,
        {"note": "Yes.", "agreed_due": (due + relativedelta(months=2, days=1)).isoformat()},
    )
    assert _problem(later, 422)["invalid_params"][0]["name"] == "agreed_due"
    earlier = await act(
        client,
        made,
        "agree",
        world.a.approver.headers,
        {"note": "One month.", "agreed_due": (due + relativedelta(months=1)).isoformat()},
    )
    assert earlier.status_code == 200, earlier.text
    assert await _due(client, world, document_id) == due + relativedelta(months=1)


async def test_a_request_whose_review_date_moved_meanwhile_cannot_be_agreed_and_lapses(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    await set_review_due(client, world, document_id, day(30))
    made = await asked(client, world, document_id, day(50))
    await set_review_due(client, world, document_id, day(40))
    got = await client.get(f"/v1/review-extensions/{made['id']}", headers=world.a.author.headers)
    assert (got.json()["status"], got.json()["is_current"]) == ("pending", False)
    assert (
        "has changed since"
        in _problem(await act(client, made, "agree", world.a.approver.headers), 409)["detail"]
    )
    assert await _due(client, world, document_id) == day(40)
    again = await asked(client, world, document_id, day(60))
    assert again["current_due"] == day(40).isoformat()
    old = await client.get(f"/v1/review-extensions/{made['id']}", headers=world.a.author.headers)
    assert old.json()["status"] == "lapsed" and old.json()["ended_by_id"] is None
    listed = await client.get(
        f"/v1/review-extensions?document_id={document_id}&status=pending",
        headers=world.a.reader.headers,
    )
    assert [e["id"] for e in listed.json()["items"]] == [again["id"]]


async def test_the_requester_withdraws_and_the_list_pages_oldest_first(
    client: AsyncClient, world: World
) -> None:
    ids = []
    for _ in range(3):
        document_id = await published_document(client, world)
        due = await _due(client, world, document_id)
        ids.append((await asked(client, world, document_id, due + relativedelta(months=1)))["id"])
    withdrawn = await act(client, {"id": ids[0]}, "withdraw", world.a.author.headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["ended_by_id"] == str(world.a.author.person_id)
    first = await client.get("/v1/review-extensions?limit=2", headers=world.a.reader.headers)
    assert [e["id"] for e in first.json()["items"]] == ids[:2]
    rest = await client.get(
        f"/v1/review-extensions?limit=2&cursor={first.json()['next_cursor']}",
        headers=world.a.reader.headers,
    )
    assert [e["id"] for e in rest.json()["items"]] == ids[2:]
    assert rest.json()["next_cursor"] is None
    pending = await client.get(
        "/v1/review-extensions?status=pending", headers=world.a.reader.headers
    )
    assert [e["id"] for e in pending.json()["items"]] == ids[1:]


async def test_another_organisations_document_or_request_answers_like_a_missing_one(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    due = await _due(client, world, document_id)
    made = await asked(client, world, document_id, due + relativedelta(months=1))
    b = world.b
    foreign = await ask(
        client, world, document_id, due + relativedelta(months=1), headers=b.author.headers
    )
    assert _problem(foreign, 404)
    assert (
        await client.get(f"/v1/review-extensions/{made['id']}", headers=b.reader.headers)
    ).status_code == 404
    agree = await client.post(
        f"/v1/review-extensions/{made['id']}/agree",
        json={"note": "x"},
        headers={**b.admin.headers, "If-Match": made["etag"]},
    )
    assert agree.status_code == 404
    listed = await client.get("/v1/review-extensions", headers=b.reader.headers)
    assert listed.json()["items"] == []
    assert await _due(client, world, document_id) == due

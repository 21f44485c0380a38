"""Read and acknowledge through the API: a document's audience, the issue of a whole version
asking by itself, asking again, confirming signed in and by the emailed link, cancelling,
bounds, and isolation between organisations."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from services.domain.settings import Settings
from tests.api.acknowledgements_support import (
    add_person,
    issue,
    new_document,
    people_of,
    place,
    requests_of,
    set_audience,
    token_of,
)
from tests.api.assessments_support import events_of
from tests.factories import World


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    return problem


async def test_issuing_a_whole_version_asks_the_audience_by_name_active_people_only(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    await place(client, a, a.reader.person_id, service_area="North Locality")
    await add_person(client, a, "Sam Patel", "north locality", job_title="Social Worker")
    left = await add_person(client, a, "Jo Left", "North Locality", is_active=False)
    await add_person(client, a, "Pat Manager", "Fostering", job_title="Team Manager")
    await add_person(client, a, "Kim Other", "Fostering", job_title="Social Worker")
    document_id = await new_document(client, a)
    audience = await set_audience(
        client,
        a,
        document_id,
        service_areas=["North Locality"],
        job_titles=["team manager"],
        person_ids=[str(a.author.person_id)],
        due_working_days=5,
    )
    assert audience.status_code == 200, audience.text
    assert audience.json()["is_set"] is True

    await issue(client, a, document_id)

    [request] = await requests_of(client, a, document_id)
    assert (request["reason"], request["status"], request["version_number"]) == (
        "issued",
        "open",
        "1.0",
    )
    people = await people_of(client, a, request["id"])
    # The area matches whatever its case; a job title too; the inactive member is left out.
    assert sorted(people) == ["Author of alpha", "Pat Manager", "Reader of alpha", "Sam Patel"]
    assert left not in {row["person_id"] for row in people.values()}
    assert people["Sam Patel"]["service_area"] == "north locality"
    assert request["counts"] == {
        "asked": 4,
        "confirmed": 0,
        "pending": 4,
        "overdue": 0,
        "percent": 0.0,
    }
    [event] = await events_of(world, "acknowledgement.requested")
    assert (event["asked"], event["version"]) == (4, "1.0")


async def test_without_an_audience_an_issue_asks_nobody(client: AsyncClient, world: World) -> None:
    a = world.a
    document_id = await new_document(client, a)
    await issue(client, a, document_id)
    assert await requests_of(client, a, document_id) == []
    uptake = await client.get(
        f"/v1/documents/{document_id}/acknowledgement-uptake", headers=a.approver.headers
    )
    assert uptake.status_code == 200, uptake.text
    assert (uptake.json()["version"], uptake.json()["asked"], uptake.json()["percent"]) == (
        "1.0",
        0,
        None,
    )


async def test_a_person_confirms_their_own_and_nobody_elses(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id = await new_document(client, a)
    people = [str(a.reader.person_id), str(a.author.person_id)]
    await set_audience(client, a, document_id, person_ids=people)
    await issue(client, a, document_id)

    mine = await client.get("/v1/acknowledgements/mine", headers=a.reader.headers)
    assert mine.status_code == 200, mine.text
    [pending] = mine.json()["items"]
    assert (pending["status"], pending["version"], pending["is_open"]) == ("pending", "1.0", True)
    # The author cannot confirm the reader's: it answers as if it did not exist.
    _problem(
        await client.post(
            f"/v1/acknowledgements/{pending['id']}/confirm", headers=a.author.headers
        ),
        404,
    )
    done = await client.post(
        f"/v1/acknowledgements/{pending['id']}/confirm", headers=a.reader.headers
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "confirmed" and done.json()["acknowledged_at"]
    again = await client.post(
        f"/v1/acknowledgements/{pending['id']}/confirm", headers=a.reader.headers
    )
    assert again.json()["acknowledged_at"] == done.json()["acknowledged_at"]
    assert len(await events_of(world, "acknowledgement.confirmed")) == 1

    uptake = await client.get(
        f"/v1/documents/{document_id}/acknowledgement-uptake", headers=a.approver.headers
    )
    body = uptake.json()
    assert (body["asked"], body["confirmed"], body["pending"], body["percent"]) == (2, 1, 1, 50.0)


async def test_the_emailed_link_opens_and_confirms_with_no_account(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    a = world.a
    sam = await add_person(client, a, "Sam Patel", "North Locality")
    document_id = await new_document(client, a)
    await set_audience(client, a, document_id, person_ids=[sam])
    await issue(client, a, document_id, b"Return interviews within 72 hours.")
    [request] = await requests_of(client, a, document_id)
    row = (await people_of(client, a, request["id"]))["Sam Patel"]
    token = token_of(settings, row["id"])

    opened = await client.get(f"/v1/acknowledgement-links/{token}")
    assert opened.status_code == 200, opened.text
    view = opened.json()
    assert (view["person_name"], view["version"], view["status"]) == ("Sam Patel", "1.0", "pending")
    document = await client.get(view["document_path"])
    assert document.status_code == 200
    assert b"Return interviews within 72 hours." in document.content

    confirmed = await client.post(f"/v1/acknowledgement-links/{token}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"
    assert (await people_of(client, a, request["id"]))["Sam Patel"]["via"] == "link"
    # A token not signed by us (or for another id) opens nothing and says nothing.
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    _problem(await client.get(f"/v1/acknowledgement-links/{forged}"), 404)
    _problem(await client.post("/v1/acknowledgement-links/nonsense/confirm"), 404)


async def test_asking_again_supersedes_and_keeps_who_already_confirmed_this_version(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    a = world.a
    document_id = await new_document(client, a)
    await set_audience(client, a, document_id, person_ids=[str(a.reader.person_id)])
    await issue(client, a, document_id)
    [first] = await requests_of(client, a, document_id)
    row = (await people_of(client, a, first["id"]))["Reader of alpha"]
    await client.post(f"/v1/acknowledgements/{row['id']}/confirm", headers=a.reader.headers)

    again = await client.post(
        f"/v1/documents/{document_id}/acknowledgement-requests",
        json={
            "audience": {"person_ids": [str(a.reader.person_id), str(a.author.person_id)]},
            "message": "Please re-read section 4.",
        },
        headers=a.policy_officer.headers,
    )
    assert again.status_code == 201, again.text
    assert again.json()["reason"] == "asked"
    assert again.json()["counts"]["asked"] == 2
    assert again.json()["counts"]["confirmed"] == 1  # the reader confirmed 1.0 already
    older = await client.get(
        f"/v1/acknowledgement-requests/{first['id']}", headers=a.policy_officer.headers
    )
    assert older.json()["status"] == "superseded"

    # A new whole version supersedes it, and the author's pending 1.0 is no longer asked.
    author_row = (await people_of(client, a, again.json()["id"]))["Author of alpha"]
    await issue(client, a, document_id)
    _problem(
        await client.post(
            f"/v1/acknowledgements/{author_row['id']}/confirm", headers=a.author.headers
        ),
        409,
    )
    newest = (await requests_of(client, a, document_id))[0]
    assert (newest["version_number"], newest["status"]) == ("2.0", "open")
    assert newest["counts"]["confirmed"] == 0  # 2.0 is read afresh

    # The document's timeline tells each ask and how it ended.
    timeline = await client.get(
        f"/v1/documents/{document_id}/timeline", headers=a.policy_officer.headers
    )
    assert timeline.status_code == 200, timeline.text
    entries = [e for e in timeline.json()["entries"] if e["type"].startswith("acknowledgement.")]
    assert [e["type"] for e in entries] == [
        "acknowledgement.requested",
        "acknowledgement.superseded",
        "acknowledgement.requested",
        "acknowledgement.superseded",
        "acknowledgement.requested",
    ]
    assert entries[2]["summary"].startswith("Policy Officer of alpha asked 2 people to read")
    assert entries[0]["summary"].startswith("The issue of version 1.0 asked 1 person to read")


async def test_the_policy_team_cancels_with_a_reason_and_bounds_are_kept(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id = await new_document(client, a)
    # Nothing in force yet.
    _problem(
        await client.post(
            f"/v1/documents/{document_id}/acknowledgement-requests",
            json={"audience": {"person_ids": [str(a.reader.person_id)]}},
            headers=a.policy_officer.headers,
        ),
        409,
    )
    await issue(client, a, document_id)
    path = f"/v1/documents/{document_id}/acknowledgement-requests"
    # No audience set and none given; a due date in the past; another organisation's person.
    _problem(await client.post(path, json={}, headers=a.policy_officer.headers), 422)
    body = {"audience": {"person_ids": [str(a.reader.person_id)]}, "due_on": "2020-01-01"}
    _problem(await client.post(path, json=body, headers=a.policy_officer.headers), 422)
    foreign = {"audience": {"person_ids": [str(world.b.reader.person_id)]}}
    _problem(await client.post(path, json=foreign, headers=a.policy_officer.headers), 422)
    too_many = {"audience": {"job_titles": ["x"] * 201}}
    _problem(await client.post(path, json=too_many, headers=a.policy_officer.headers), 422)
    # Staff do not ask.
    _problem(await client.post(path, json=body, headers=a.reader.headers), 403)

    made = await client.post(
        path,
        json={"audience": {"person_ids": [str(a.reader.person_id)]}},
        headers=a.policy_officer.headers,
    )
    request_id = made.json()["id"]
    cancel = f"/v1/acknowledgement-requests/{request_id}/cancel"
    _problem(await client.post(cancel, json={"reason": ""}, headers=a.policy_officer.headers), 422)
    done = await client.post(
        cancel, json={"reason": "Sent to the wrong team."}, headers=a.policy_officer.headers
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["end_reason"]) == (
        "cancelled",
        "Sent to the wrong team.",
    )
    _problem(
        await client.post(cancel, json={"reason": "again"}, headers=a.policy_officer.headers), 409
    )
    assert (await client.get("/v1/acknowledgements/mine", headers=a.reader.headers)).json()[
        "items"
    ] == []


async def test_another_organisation_sees_none_of_it(client: AsyncClient, world: World) -> None:
    a, b = world.a, world.b
    document_id = await new_document(client, a)
    await set_audience(client, a, document_id, person_ids=[str(a.reader.person_id)])
    await issue(client, a, document_id)
    [request] = await requests_of(client, a, document_id)
    row = (await people_of(client, a, request["id"]))["Reader of alpha"]
    for path in (
        f"/v1/acknowledgement-requests/{request['id']}",
        f"/v1/acknowledgement-requests/{request['id']}/acknowledgements",
        f"/v1/documents/{document_id}/acknowledgement-audience",
        f"/v1/documents/{document_id}/acknowledgement-uptake",
        f"/v1/acknowledgement-compliance?request_id={request['id']}",
    ):
        _problem(await client.get(path, headers=b.policy_officer.headers), 404)
    _problem(
        await client.post(f"/v1/acknowledgements/{row['id']}/confirm", headers=b.reader.headers),
        404,
    )
    # A board of another organisation in an audience is refused like a missing one.
    foreign = await set_audience(
        client, b, await new_document(client, b), person_ids=[str(a.reader.person_id)]
    )
    _problem(foreign, 422)

"""Engagement sessions through the HTTP API: recording a workshop or review session on a draft,
planned then held, who may, what is refused, the gate and the timeline."""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient

from services.domain.clock import london_today
from tests.api.engagement_support import record_session
from tests.api.sign_off_support import (
    create_document,
    create_route,
    person_stage,
    submit,
    upload_draft,
)
from tests.api.test_assessment_gates import missing
from tests.factories import World


async def _draft(client: AsyncClient, world: World) -> tuple[str, str]:
    document_id = await create_document(client, world)
    draft = await upload_draft(client, world, document_id)
    return document_id, str(draft["id"])


async def test_a_held_workshop_keeps_attendees_notes_and_actions_on_its_draft(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id, version_id = await _draft(client, world)
    due = (london_today() + timedelta(days=14)).isoformat()
    created = await record_session(
        client,
        world,
        document_id,
        version_id=version_id,
        kind="co_production",
        status="held",
        facilitator_id=str(a.author.person_id),
        attendees=[
            {"person_id": str(a.reader.person_id)},
            {"name": "Pat Resident", "organisation": "Barking Carers' Forum"},
        ],
        notes="Residents asked for plainer words on eligibility.",
        actions=[{"text": "Rewrite 3.2 in plain English", "owner_id": str(a.author.person_id),
                  "due_on": due}],
    )  # fmt: skip
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["Location"] == f"/v1/engagement-sessions/{body['id']}"
    assert body["status"] == "held" and body["held_at"] is not None
    assert body["version_id"] == version_id
    assert body["recorded_by_id"] == str(a.author.person_id)
    assert body["attendees"][1] == {
        "person_id": None,
        "name": "Pat Resident",
        "organisation": "Barking Carers' Forum",
    }
    assert body["actions"] == [
        {"text": "Rewrite 3.2 in plain English", "owner_id": str(a.author.person_id),
         "due_on": due, "done": False}
    ]  # fmt: skip
    listed = await client.get(
        f"/v1/documents/{document_id}/engagement-sessions", headers=a.approver.headers
    )
    assert listed.status_code == 200
    assert [s["id"] for s in listed.json()["items"]] == [body["id"]]


async def test_a_planned_session_is_recorded_held_then_stays_held(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id, _ = await _draft(client, world)
    planned = await record_session(client, world, document_id, kind="review_session")
    assert planned.status_code == 201, planned.text
    url = planned.headers["Location"]
    assert planned.json()["status"] == "planned" and planned.json()["held_at"] is None
    no_etag = await client.patch(url, json={"status": "held"}, headers=a.author.headers)
    assert no_etag.status_code == 428
    etag = {**a.author.headers, "If-Match": planned.headers["ETag"]}
    held = await client.patch(
        url, json={"status": "held", "notes": "Agreed: no amendments needed."}, headers=etag
    )
    assert held.status_code == 200, held.text
    assert held.json()["status"] == "held"
    assert held.json()["notes"] == "Agreed: no amendments needed."
    stale = await client.patch(url, json={"title": "Again"}, headers=etag)
    assert stale.status_code == 412
    fresh = {**a.author.headers, "If-Match": held.headers["ETag"]}
    back = await client.patch(url, json={"status": "cancelled"}, headers=fresh)
    assert back.status_code == 409
    done = await client.patch(
        url, json={"actions": [{"text": "Tell the teams", "done": True}]}, headers=fresh
    )
    assert done.status_code == 200, done.text
    assert done.json()["actions"][0]["done"] is True


async def test_a_cancelled_session_is_kept_as_it_was(client: AsyncClient, world: World) -> None:
    a = world.a
    document_id, _ = await _draft(client, world)
    planned = await record_session(client, world, document_id)
    url = planned.headers["Location"]
    etag = {**a.author.headers, "If-Match": planned.headers["ETag"]}
    cancelled = await client.patch(url, json={"status": "cancelled"}, headers=etag)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["cancelled_at"] is not None
    etag = {**a.author.headers, "If-Match": cancelled.headers["ETag"]}
    again = await client.patch(url, json={"notes": "Too late."}, headers=etag)
    assert again.status_code == 409


async def test_only_those_who_may_edit_the_document_record_its_sessions(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id, _ = await _draft(client, world)
    # The reader is named nowhere on the document and holds no edit permission.
    refused = await record_session(client, world, document_id, headers=a.reader.headers)
    assert refused.status_code == 403
    # The approver may edit documents but is the RSM here: named on it, so allowed.
    assert (
        await record_session(client, world, document_id, headers=a.approver.headers)
    ).status_code == 201
    other = await create_document(
        client, world, owner_id=str(a.admin.person_id), author_id=None,
        responsible_officer_id=None,
    )  # fmt: skip
    not_named = await record_session(client, world, other, headers=a.approver.headers)
    assert not_named.status_code == 403
    assert not_named.json()["rule"] == "named_on_document"
    by_team = await record_session(client, world, other, headers=a.policy_officer.headers)
    assert by_team.status_code == 201


async def test_what_a_session_refuses(client: AsyncClient, world: World) -> None:
    document_id, _ = await _draft(client, world)
    _, other_version = await _draft(client, world)
    future = (london_today() + timedelta(days=3)).isoformat()
    cases = [
        ({"status": "held", "held_on": future}, "held_on"),
        ({"attendees": [{"organisation": "Nobody named"}]}, "attendees"),
        ({"attendees": [{"person_id": str(world.a.reader.person_id), "name": "Both"}]},
         "attendees"),
        ({"version_id": other_version}, "version_id"),
    ]  # fmt: skip
    for body, name in cases:
        response = await record_session(client, world, document_id, **body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["invalid_params"][0]["name"] == name, body
    too_many = [{"name": f"Resident {n}"} for n in range(201)]
    assert (await record_session(client, world, document_id, attendees=too_many)).status_code == 422
    # Planned for a later day is fine.
    planned = await record_session(client, world, document_id, held_on=future)
    assert planned.status_code == 201


async def test_a_route_needing_a_session_refuses_sign_off_until_one_is_held(
    client: AsyncClient, world: World
) -> None:
    await create_route(
        client, world, [person_stage("rsm")], definition={"gates": ["engagement_session_held"]}
    )
    document_id, version_id = await _draft(client, world)
    refused = await submit(client, world, document_id, version_id)
    assert refused.status_code == 409, refused.text
    [gate] = refused.json()["missing_gates"]
    assert gate["gate"] == "engagement_session_held"
    assert gate["detail"].startswith("No workshop, co-production or review session")
    planned = await record_session(client, world, document_id, version_id=version_id)
    waiting = await submit(client, world, document_id, version_id)
    assert waiting.status_code == 409
    assert (
        "planned but has not been recorded as held" in waiting.json()["missing_gates"][0]["detail"]
    )
    etag = {**world.a.author.headers, "If-Match": planned.headers["ETag"]}
    held = await client.patch(
        planned.headers["Location"], json={"status": "held", "notes": "Agreed."}, headers=etag
    )
    assert held.status_code == 200, held.text
    readiness = await client.get(
        f"/v1/sign-offs/readiness?document_id={document_id}", headers=world.a.author.headers
    )
    assert readiness.json()["is_ready"] is True, readiness.text
    submitted = await submit(client, world, document_id, version_id)
    assert submitted.status_code == 201, submitted.text


async def test_another_documents_session_does_not_open_the_gate(
    client: AsyncClient, world: World
) -> None:
    await create_route(
        client, world, [person_stage("rsm")], definition={"gates": ["engagement_session_held"]}
    )
    document_id, version_id = await _draft(client, world)
    other_id, _ = await _draft(client, world)
    assert (await record_session(client, world, other_id, status="held")).status_code == 201
    assert (await submit(client, world, document_id, version_id)).status_code == 409


async def test_the_timeline_shows_sessions_planned_held_and_cancelled(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id, version_id = await _draft(client, world)
    held = await record_session(
        client, world, document_id, version_id=version_id, status="held",
        title="Eligibility workshop", attendees=[{"name": "Pat Resident"}],
        notes="Plainer words.",
    )  # fmt: skip
    assert held.status_code == 201
    dropped = await record_session(client, world, document_id, title="Second workshop")
    etag = {**a.author.headers, "If-Match": dropped.headers["ETag"]}
    await client.patch(dropped.headers["Location"], json={"status": "cancelled"}, headers=etag)
    timeline = await client.get(
        f"/v1/documents/{document_id}/timeline", headers=a.policy_officer.headers
    )
    assert timeline.status_code == 200, timeline.text
    entries = [e for e in timeline.json()["entries"] if e["type"].startswith("engagement")]
    assert [e["type"] for e in entries] == [
        # Recorded as held at once: it was never planned.
        "engagement_session.held",
        "engagement_session.planned",
        "engagement_session.cancelled",
    ]
    held_entry = entries[0]
    assert "Eligibility workshop" in held_entry["summary"]
    assert "on version 0.1 held on" in held_entry["summary"]
    assert "with 1 attendee, 0 actions agreed: Plainer words." in held_entry["summary"]
    assert held_entry["actor_name"] is not None
    assert held_entry["refs"]["engagement_session_id"] == held.json()["id"]
    assert held_entry["refs"]["version_id"] == version_id


async def test_a_session_before_the_last_issue_does_not_pass_the_gate_for_a_new_draft(
    client: AsyncClient, world: World
) -> None:
    gate = ("engagement_session_held",)
    document_id, first = await _draft(client, world)
    held = await record_session(client, world, document_id, version_id=first, status="held")
    assert held.status_code == 201
    assert await missing(world, document_id, first, gate) == {}
    issued = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("issued.txt", b"In force.", "text/plain")},
        data={"issued": "true"},
        headers=world.a.policy_officer.headers,
    )
    assert issued.status_code == 201, issued.text
    amendment = await upload_draft(client, world, document_id)
    found = await missing(world, document_id, str(amendment["id"]), gate)
    assert f"since version {issued.json()['number']} was issued" in found[gate[0]]
    # A session about no draft in particular, held since the issue, counts.
    assert (await record_session(client, world, document_id, status="held")).status_code == 201
    assert await missing(world, document_id, str(amendment["id"]), gate) == {}

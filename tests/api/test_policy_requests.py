"""Requests to the policy service, through the HTTP API: anyone asks for a new document or a
change; the policy team triages each within the organisation's target time (accepted into a
proposal or a review, or declined with reasons); the requester may withdraw an open one.

Birmingham (seed 001): "All requests for support with developing or refreshing policies,
procedures, practice standards or practice guidance should be emailed to the Policy Service
within the Practice Hub". The seed scenarios are in tests/scenarios/test_policy_requests_*.py.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from httpx import AsyncClient
from sqlalchemy import update

from services.domain.calendar.working_days import WorkingCalendar
from services.domain.clock import london_today
from services.domain.models.policy_requests import PolicyRequest
from tests.api.assessments_support import events_of, with_etag
from tests.api.policy_requests_support import (
    ask,
    notices,
    published_document,
    read,
    relay,
    triage,
)
from tests.factories import World

# --- asking, and who sees what ----------------------------------------------------------------


async def test_anyone_asks_and_the_request_is_due_for_triage_in_ten_working_days(
    client: AsyncClient, world: World
) -> None:
    made = await ask(
        client,
        world.a.reader.headers,
        service_area="Children in Care",
        urgency="urgent",
        wanted_by="2027-03-31",
    )
    assert made["status"] == "open"
    assert made["requested_by_id"] == str(world.a.reader.person_id)
    assert (made["service_area"], made["urgency"], made["wanted_by"]) == (
        "Children in Care",
        "urgent",
        "2027-03-31",
    )
    # The organisation sets nothing: ten working days, England's bank holidays skipped.
    expected = WorkingCalendar("ENG").add_working_days(london_today(), 10)
    assert made["triage_due_on"] == expected.isoformat()
    assert made["is_overdue"] is False
    [event] = await events_of(world, "policy_request.made")
    assert (event["request_id"], event["kind"], event["triage_due_on"]) == (
        made["id"],
        "new_document",
        expected.isoformat(),
    )
    audit = await client.get(
        f"/v1/audit?entity_type=policy_request&entity_id={made['id']}",
        headers=world.a.admin.headers,
    )
    assert [r["action"] for r in audit.json()["items"]] == ["policy_request.made"]


async def test_the_policy_team_is_told_of_a_new_request_with_its_triage_date(
    client: AsyncClient, world: World
) -> None:
    made = await ask(client, world.a.author.headers)
    await relay(world)
    told = await notices(world, "policy_request.made")
    # The policy officers (admins stand in only when there is none); never the requester.
    assert [n.recipient_email for n in told] == [world.a.policy_officer.email]
    assert told[0].context["request_id"] == made["id"]
    assert told[0].context["triage_due_on"] == made["triage_due_on"]
    assert told[0].context["requested_by_name"] == "Author of alpha"


async def test_a_policy_officer_asking_is_not_told_of_their_own_request_the_admins_are(
    client: AsyncClient, world: World
) -> None:
    await ask(client, world.a.policy_officer.headers)
    await relay(world)
    told = await notices(world, "policy_request.made")
    assert [n.recipient_email for n in told] == [world.a.admin.email]


async def test_the_queue_is_the_policy_teams_and_a_requester_sees_only_their_own(
    client: AsyncClient, world: World
) -> None:
    mine = await ask(client, world.a.reader.headers, title="Mine")
    theirs = await ask(client, world.a.author.headers, title="Theirs")
    listed = await client.get("/v1/policy-requests", headers=world.a.reader.headers)
    assert [r["id"] for r in listed.json()["items"]] == [mine["id"]]
    assert (await read(client, world.a.reader.headers, theirs["id"])).status_code == 404
    queue = await client.get("/v1/policy-requests", headers=world.a.policy_officer.headers)
    assert {r["id"] for r in queue.json()["items"]} == {mine["id"], theirs["id"]}
    # Another organisation sees none of them, and a request of theirs answers like a missing one.
    other = await client.get("/v1/policy-requests", headers=world.b.policy_officer.headers)
    assert other.json()["items"] == []
    foreign = await read(client, world.b.admin.headers, mine["id"])
    missing = await read(client, world.b.admin.headers, str(uuid.uuid4()))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["detail"] == missing.json()["detail"]


async def test_a_key_for_nobody_cannot_ask(client: AsyncClient, world: World) -> None:
    # The integration key (a Tri.x upload script) has no person and no such permission.
    refused = await client.post(
        "/v1/policy-requests",
        json={"kind": "new_document", "title": "x", "details": "y"},
        headers=world.a.integration.headers,
    )
    assert refused.status_code == 403
    assert refused.json()["rule"] == "role"


async def test_a_change_names_a_document_of_the_callers_organisation(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    made = await ask(client, world.a.reader.headers, kind="change", document_id=document_id)
    assert made["document_id"] == document_id
    # Another organisation's document answers exactly like one that does not exist.
    for unknown in (document_id, str(uuid.uuid4())):
        refused = await ask(client, world.b.reader.headers, 422, kind="change", document_id=unknown)
        assert refused["invalid_params"][0]["name"] == "document_id"
        assert refused["detail"] == "No such document."
    no_document = await ask(client, world.a.reader.headers, 422, kind="change")
    assert no_document["invalid_params"][0]["name"] == "document_id"
    new_with_one = await ask(client, world.a.reader.headers, 422, document_id=document_id)
    assert new_with_one["invalid_params"][0]["name"] == "document_id"


async def test_a_request_needs_its_reasons(client: AsyncClient, world: World) -> None:
    refused = await ask(client, world.a.reader.headers, 422, details="   ")
    assert refused["status"] == 422
    assert refused["invalid_params"][0]["name"] == "details"


# --- triage: accepted into a proposal or a review -----------------------------------------------


async def test_accepting_a_new_document_makes_its_proposal_and_tells_the_requester(
    client: AsyncClient, world: World
) -> None:
    made = await ask(client, world.a.reader.headers)
    accepted = await triage(
        client,
        world.a.policy_officer.headers,
        made["id"],
        "accept",
        {
            "into": "proposal",
            "note": "The PPP Group will consider the business case.",
            "lead_officer_id": str(world.a.author.person_id),
        },
    )
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert (body["status"], body["accepted_as"], body["review_id"]) == (
        "accepted",
        "proposal",
        None,
    )
    assert body["triaged_by_id"] == str(world.a.policy_officer.person_id)
    assert body["decision_note"] == "The PPP Group will consider the business case."
    proposal = await client.get(
        f"/v1/proposals/{body['proposal_id']}", headers=world.a.reader.headers
    )
    assert proposal.status_code == 200, proposal.text
    assert proposal.json()["title"] == made["title"]
    assert proposal.json()["status"] == "draft"
    assert proposal.json()["lead_officer_id"] == str(world.a.author.person_id)
    # Where it came from: who asked, and the request's own words.
    assert "Request to the policy service from Reader of alpha" in proposal.json()["background"]
    assert made["details"] in proposal.json()["background"]

    [event] = await events_of(world, "policy_request.triaged")
    assert (event["status"], event["accepted_as"], event["proposal_id"]) == (
        "accepted",
        "proposal",
        body["proposal_id"],
    )
    await relay(world)
    [told] = await notices(world, "policy_request.triaged")
    assert told.recipient_email == world.a.reader.email
    assert (told.context["status"], told.context["accepted_as"]) == ("accepted", "proposal")
    audit = await client.get(
        f"/v1/audit?entity_type=policy_request&entity_id={made['id']}",
        headers=world.a.admin.headers,
    )
    assert [r["action"] for r in audit.json()["items"]] == [
        "policy_request.made",
        "policy_request.accepted",
    ]


async def test_accepting_a_change_into_a_review_starts_an_unscheduled_review_for_the_requester(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    made = await ask(
        client,
        world.a.reader.headers,
        kind="change",
        document_id=document_id,
        title="Reflect the new statutory guidance",
        details="Working Together 2026 changed the timescales for strategy discussions.",
    )
    accepted = await triage(
        client,
        world.a.policy_officer.headers,
        made["id"],
        "accept",
        {"into": "review", "trigger": "legislation_or_guidance_change"},
    )
    assert accepted.status_code == 200, accepted.text
    review_id = accepted.json()["review_id"]
    review = await client.get(f"/v1/reviews/{review_id}", headers=world.a.policy_officer.headers)
    assert review.status_code == 200, review.text
    assert (review.json()["kind"], review.json()["trigger"]) == (
        "unscheduled",
        "legislation_or_guidance_change",
    )
    assert review.json()["document_id"] == document_id
    # The requester asked for it: told when it ends with no change, and may read it.
    assert review.json()["requested_by_id"] == str(world.a.reader.person_id)
    assert "Working Together 2026" in review.json()["trigger_detail"]
    assert (await client.get(f"/v1/reviews/{review_id}", headers=world.a.reader.headers)).is_success
    document = await client.get(f"/v1/documents/{document_id}", headers=world.a.admin.headers)
    assert document.json()["status"] == "under_review"


async def test_a_request_for_a_new_document_cannot_become_a_review(
    client: AsyncClient, world: World
) -> None:
    made = await ask(client, world.a.reader.headers)
    refused = await triage(
        client, world.a.policy_officer.headers, made["id"], "accept", {"into": "review"}
    )
    assert refused.status_code == 422
    assert refused.json()["invalid_params"][0]["name"] == "into"


async def test_a_change_to_a_document_not_in_force_cannot_become_a_review_and_nothing_changes(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    made = await ask(client, world.a.reader.headers, kind="change", document_id=document_id)
    first = await triage(
        client, world.a.policy_officer.headers, made["id"], "accept", {"into": "review"}
    )
    assert first.status_code == 200
    again = await ask(client, world.a.author.headers, kind="change", document_id=document_id)
    refused = await triage(
        client, world.a.policy_officer.headers, again["id"], "accept", {"into": "review"}
    )
    # The document is under review already: the triage is refused whole.
    assert refused.status_code == 409, refused.text
    still = await read(client, world.a.policy_officer.headers, again["id"])
    assert (still.json()["status"], still.json()["review_id"]) == ("open", None)


async def test_a_sponsor_of_another_organisation_is_refused_and_the_request_stays_open(
    client: AsyncClient, world: World
) -> None:
    made = await ask(client, world.a.reader.headers)
    for foreign in (world.b.approver.person_id, uuid.uuid4()):
        refused = await triage(
            client,
            world.a.policy_officer.headers,
            made["id"],
            "accept",
            {"into": "proposal", "sponsor_id": str(foreign)},
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["invalid_params"][0]["name"] == "sponsor_id"
    still = await read(client, world.a.policy_officer.headers, made["id"])
    assert (still.json()["status"], still.json()["proposal_id"]) == ("open", None)
    proposals = await client.get("/v1/proposals", headers=world.a.policy_officer.headers)
    assert proposals.json()["items"] == []


# --- triage: declined with reasons --------------------------------------------------------------


async def test_declining_needs_reasons_and_tells_the_requester_them(
    client: AsyncClient, world: World
) -> None:
    made = await ask(client, world.a.reader.headers)
    for body in ({}, {"reasons": "   "}):
        refused = await triage(client, world.a.policy_officer.headers, made["id"], "decline", body)
        assert refused.status_code == 422
        assert refused.headers["content-type"].startswith("application/problem+json")
    declined = await triage(
        client,
        world.a.policy_officer.headers,
        made["id"],
        "decline",
        {"reasons": "PROC-014 already covers return interviews: see section 4."},
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["status"] == "declined"
    assert declined.json()["decision_note"].startswith("PROC-014 already covers")
    assert declined.json()["accepted_as"] is None
    await relay(world)
    [told] = await notices(world, "policy_request.triaged")
    assert told.recipient_email == world.a.reader.email
    assert told.context["status"] == "declined"
    assert told.context["decision_note"].startswith("PROC-014 already covers")


async def test_a_request_is_triaged_once(client: AsyncClient, world: World) -> None:
    made = await ask(client, world.a.reader.headers)
    first = await triage(
        client, world.a.policy_officer.headers, made["id"], "decline", {"reasons": "Covered."}
    )
    assert first.status_code == 200
    for action, body in (("accept", {"into": "proposal"}), ("decline", {"reasons": "Again."})):
        again = await triage(client, world.a.admin.headers, made["id"], action, body)
        assert again.status_code == 409, again.text
        assert again.json()["request_status"] == "declined"
    withdraw = await triage(client, world.a.reader.headers, made["id"], "withdraw")
    assert withdraw.status_code == 409


async def test_triage_needs_the_current_etag(client: AsyncClient, world: World) -> None:
    made = await ask(client, world.a.reader.headers)
    url = f"/v1/policy-requests/{made['id']}/decline"
    body = {"reasons": "Covered."}
    missing = await client.post(url, json=body, headers=world.a.policy_officer.headers)
    assert missing.status_code == 428
    stale = await client.post(
        url, json=body, headers={**world.a.policy_officer.headers, "If-Match": '"r7"'}
    )
    assert stale.status_code == 412


# --- who may triage and withdraw ------------------------------------------------------------------


async def test_only_the_policy_team_triages(client: AsyncClient, world: World) -> None:
    made = await ask(client, world.a.reader.headers)
    for member in (world.a.author, world.a.approver, world.a.reader):
        refused = await triage(
            client, member.headers, made["id"], "decline", {"reasons": "Not needed."}
        )
        assert refused.status_code == 403
        assert refused.json()["rule"] == "role"
    # The other organisation's policy team does not even see it.
    foreign = await triage(
        client, world.b.policy_officer.headers, made["id"], "decline", {"reasons": "No."}
    )
    assert foreign.status_code == 404


async def test_nobody_triages_their_own_request(client: AsyncClient, world: World) -> None:
    made = await ask(client, world.a.policy_officer.headers)
    refused = await triage(
        client, world.a.policy_officer.headers, made["id"], "accept", {"into": "proposal"}
    )
    assert refused.status_code == 403
    assert refused.json()["rule"] == "not_own_request"
    accepted = await triage(
        client, world.a.admin.headers, made["id"], "accept", {"into": "proposal"}
    )
    assert accepted.status_code == 200, accepted.text


async def test_the_requester_withdraws_only_their_own_open_request(
    client: AsyncClient, world: World
) -> None:
    made = await ask(client, world.a.reader.headers)
    # The policy team sees it but declines rather than withdraws; someone else cannot see it.
    by_team = await triage(client, world.a.policy_officer.headers, made["id"], "withdraw")
    assert by_team.status_code == 403
    assert by_team.json()["rule"] == "requester"
    by_other = await triage(client, world.a.author.headers, made["id"], "withdraw")
    assert by_other.status_code == 404
    withdrawn = await triage(client, world.a.reader.headers, made["id"], "withdraw")
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["withdrawn_at"] is not None
    [event] = await events_of(world, "policy_request.withdrawn")
    assert event["request_id"] == made["id"]
    again = await triage(client, world.a.reader.headers, made["id"], "withdraw")
    assert again.status_code == 409
    late = await triage(
        client, world.a.policy_officer.headers, made["id"], "accept", {"into": "proposal"}
    )
    assert late.status_code == 409


# --- the target time and the queue ---------------------------------------------------------------


async def _due_on(world: World, request_id: str, days_ago: int) -> None:
    """Stand in for the passing of time: the request's triage date was ``days_ago`` days ago."""
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            update(PolicyRequest)
            .where(PolicyRequest.id == uuid.UUID(request_id))
            .values(triage_due_on=london_today() - timedelta(days=days_ago))
        )


async def test_the_queue_lists_by_triage_date_and_shows_what_is_overdue(
    client: AsyncClient, world: World
) -> None:
    later = await ask(client, world.a.reader.headers, title="Later")
    late = await ask(client, world.a.author.headers, title="Late")
    today = await ask(client, world.a.approver.headers, title="Due today")
    done = await ask(client, world.a.reader.headers, title="Declined long ago")
    await _due_on(world, late["id"], 3)
    await _due_on(world, today["id"], 0)
    await _due_on(world, done["id"], 30)
    await triage(client, world.a.policy_officer.headers, done["id"], "decline", {"reasons": "No."})
    team = world.a.policy_officer.headers

    queue = await client.get("/v1/policy-requests?status=open", headers=team)
    items = queue.json()["items"]
    assert [r["title"] for r in items] == ["Late", "Due today", "Later"]
    assert [r["is_overdue"] for r in items] == [True, False, False]
    overdue = await client.get("/v1/policy-requests?overdue=true", headers=team)
    assert [r["title"] for r in overdue.json()["items"]] == ["Late"]
    in_time = await client.get("/v1/policy-requests?overdue=false", headers=team)
    assert [r["title"] for r in in_time.json()["items"]] == ["Due today", "Later"]
    # A request triaged after its date is not overdue: it is done.
    declined = await client.get("/v1/policy-requests?status=declined", headers=team)
    assert [(r["title"], r["is_overdue"]) for r in declined.json()["items"]] == [
        ("Declined long ago", False)
    ]

    # Paged by the same order, one at a time, the cursor bound to its filter.
    seen: list[str] = []
    url = "/v1/policy-requests?status=open&limit=1"
    page = (await client.get(url, headers=team)).json()
    while True:
        seen += [r["title"] for r in page["items"]]
        if page["next_cursor"] is None:
            break
        page = (await client.get(f"{url}&cursor={page['next_cursor']}", headers=team)).json()
    assert seen == ["Late", "Due today", "Later"]
    first = (await client.get(url, headers=team)).json()
    other_filter = await client.get(
        f"/v1/policy-requests?status=declined&limit=1&cursor={first['next_cursor']}", headers=team
    )
    assert other_filter.status_code == 400
    assert later["status"] == "open"


async def test_the_organisation_sets_its_target_time_in_working_days(
    client: AsyncClient, world: World
) -> None:
    org = await client.get("/v1/organisation", headers=world.a.admin.headers)
    assert org.json()["request_triage_working_days"] == 10
    for wrong in (0, 61, "5"):
        refused = await client.patch(
            "/v1/organisation",
            json={"request_triage_working_days": wrong},
            headers=with_etag(world.a.admin.headers, org),
        )
        assert refused.status_code == 422, wrong
    changed = await client.patch(
        "/v1/organisation",
        json={"request_triage_working_days": 3},
        headers=with_etag(world.a.admin.headers, org),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["request_triage_working_days"] == 3
    made = await ask(client, world.a.reader.headers)
    expected = WorkingCalendar("ENG").add_working_days(london_today(), 3)
    assert made["triage_due_on"] == expected.isoformat()
    # The other organisation keeps its own target.
    theirs = await ask(client, world.b.reader.headers)
    assert (
        theirs["triage_due_on"]
        == WorkingCalendar("ENG").add_working_days(london_today(), 10).isoformat()
    )


async def test_the_documents_timeline_shows_the_requests_to_change_it(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    declined = await ask(
        client, world.a.reader.headers, kind="change", document_id=document_id, title="Shorter"
    )
    await triage(
        client,
        world.a.policy_officer.headers,
        declined["id"],
        "decline",
        {"reasons": "It is as short as the law allows."},
    )
    accepted = await ask(
        client, world.a.author.headers, kind="change", document_id=document_id, title="Newer"
    )
    await triage(
        client, world.a.policy_officer.headers, accepted["id"], "accept", {"into": "review"}
    )
    await ask(client, world.a.reader.headers, title="Unrelated new document")
    timeline = await client.get(
        f"/v1/documents/{document_id}/timeline", headers=world.a.policy_officer.headers
    )
    assert timeline.status_code == 200, timeline.text
    entries = [e for e in timeline.json()["entries"] if e["type"].startswith("policy_request.")]
    assert [(e["type"], e["refs"]["policy_request_id"]) for e in entries] == [
        ("policy_request.made", declined["id"]),
        ("policy_request.declined", declined["id"]),
        ("policy_request.made", accepted["id"]),
        ("policy_request.accepted", accepted["id"]),
    ]
    assert entries[0]["actor_name"] == "Reader of alpha"
    assert "It is as short as the law allows" in entries[1]["summary"]
    assert entries[3]["actor_name"] == "Policy Officer of alpha"
    assert "review_id" in entries[3]["refs"]

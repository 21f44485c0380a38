"""Sign-off through the HTTP API: routes, stages, decisions, conditions, deferral, races,
permissions, delegation and the issue that ends it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from httpx import AsyncClient
from sqlalchemy import select

from services.domain.clock import london_today
from services.domain.models.outbox import OutboxEvent
from tests.api.boards_support import create_board, create_meeting, in_days
from tests.api.sign_off_support import (
    board_stage,
    create_document,
    create_route,
    decide,
    hold_meeting,
    minute,
    people_stage,
    person_stage,
    stage,
    submit,
    upload_draft,
)
from tests.factories import World

NCT_RSM = person_stage(
    "rsm",
    refer_to={"kind": "people", "people": [], "rule": "all"},
)


async def _document_with_draft(
    client: AsyncClient, world: World, **overrides: Any
) -> tuple[str, str]:
    document_id = await create_document(client, world, **overrides)
    draft = await upload_draft(client, world, document_id)
    return document_id, draft["id"]


async def _submitted(
    client: AsyncClient,
    world: World,
    stages: list[dict[str, Any]],
    document: dict[str, Any] | None = None,
    **route: Any,
) -> dict[str, Any]:
    await create_route(client, world, stages, **route)
    document_id, version_id = await _document_with_draft(client, world, **(document or {}))
    response = await submit(client, world, document_id, version_id)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def test_rsm_approval_issues_the_draft_as_version_1_0_and_queues_it_for_trix(
    client: AsyncClient, world: World
) -> None:
    # No interval agreed for the document: the route's six months apply.
    sign_off = await _submitted(
        client,
        world,
        [person_stage("rsm")],
        document={"review_interval_months": None},
        definition={"review_interval_months": 6},
    )
    assert sign_off["status"] == "in_progress"
    assert stage(sign_off, "rsm")["status"] == "active"
    assert stage(sign_off, "rsm")["participants"] == [str(world.a.approver.person_id)]
    document = (
        await client.get(f"/v1/documents/{sign_off['document_id']}", headers=world.a.admin.headers)
    ).json()
    assert document["status"] == "awaiting_approval"

    decided = await decide(client, sign_off, world.a.approver.headers)
    assert decided.status_code == 201, decided.text
    body = decided.json()
    assert body["status"] == "completed"
    assert body["decisions"][0]["decided_by_id"] == str(world.a.approver.person_id)
    document = (
        await client.get(f"/v1/documents/{sign_off['document_id']}", headers=world.a.admin.headers)
    ).json()
    assert document["status"] == "published"
    assert document["issued_version"] == "1.0"
    assert document["next_review_due"] == (london_today() + relativedelta(months=6)).isoformat()
    versions = (
        await client.get(
            f"/v1/documents/{sign_off['document_id']}/versions", headers=world.a.admin.headers
        )
    ).json()
    assert [v["number"] for v in versions] == ["1.0", "0.1"]
    pending = (
        await client.get("/v1/publications?status=pending", headers=world.a.integration.headers)
    ).json()
    assert [p["document_id"] for p in pending["items"]] == [sign_off["document_id"]]


async def test_a_second_issue_supersedes_the_first_and_becomes_2_0(
    client: AsyncClient, world: World
) -> None:
    sign_off = await _submitted(client, world, [person_stage("rsm")])
    assert (await decide(client, sign_off, world.a.approver.headers)).status_code == 201
    draft = await upload_draft(client, world, sign_off["document_id"], b"Amended text.")
    assert draft["number"] == "1.1"
    second = await submit(client, world, sign_off["document_id"], draft["id"])
    assert second.status_code == 201, second.text
    decided = await decide(client, second.json(), world.a.approver.headers)
    assert decided.status_code == 201, decided.text
    versions = {
        v["number"]: v
        for v in (
            await client.get(
                f"/v1/documents/{sign_off['document_id']}/versions",
                headers=world.a.admin.headers,
            )
        ).json()
    }
    assert set(versions) == {"0.1", "1.0", "1.1", "2.0"}


async def test_approval_with_conditions_returns_to_the_same_approver_with_the_amended_draft(
    client: AsyncClient, world: World
) -> None:
    sign_off = await _submitted(client, world, [person_stage("rsm")])
    response = await decide(
        client,
        sign_off,
        world.a.approver.headers,
        "approved_with_conditions",
        conditions=["Name the MASH threshold document in section 3."],
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "awaiting_amendment"
    assert stage(body, "rsm")["status"] == "conditions_set"
    assert body["check_stage_id"] == stage(body, "rsm")["id"]
    # Deciding again before the amendment arrives is refused.
    again = await decide(client, sign_off, world.a.approver.headers)
    assert again.status_code == 409

    # The same draft cannot come back as the amendment: upload a new one.
    same = await client.post(
        f"/v1/sign-offs/{sign_off['id']}/amendments",
        json={"version_id": sign_off["version_id"]},
        headers=world.a.author.headers,
    )
    assert same.status_code in (409, 422), same.text
    amended = await upload_draft(client, world, sign_off["document_id"], b"Amended draft.")
    back = await client.post(
        f"/v1/sign-offs/{sign_off['id']}/amendments",
        json={"version_id": amended["id"]},
        headers=world.a.author.headers,
    )
    assert back.status_code == 200, back.text
    body = back.json()
    assert body["status"] == "in_progress"
    assert body["version_number"] == "0.2"
    assert stage(body, "rsm")["status"] == "active"
    assert stage(body, "rsm")["round"] == 2

    # A decision on the old draft is now stale.
    stale = await decide(client, sign_off, world.a.approver.headers)
    assert stale.status_code == 409
    assert "no longer" in stale.json()["detail"]
    approved = await decide(client, body, world.a.approver.headers)
    assert approved.status_code == 201, approved.text
    assert approved.json()["status"] == "completed"


async def test_deferral_adds_the_higher_body_and_its_conditions_go_back_to_the_rsm(
    client: AsyncClient, world: World
) -> None:
    slt = [str(world.a.admin.person_id)]
    sign_off = await _submitted(
        client,
        world,
        [person_stage("rsm", refer_to={"kind": "people", "people": slt, "rule": "all"})],
    )
    deferred = await decide(client, sign_off, world.a.approver.headers, "deferred")
    assert deferred.status_code == 201, deferred.text
    body = deferred.json()
    assert stage(body, "rsm")["status"] == "deferred"
    referral = [s for s in body["stages"] if s["deferred_from_id"] == stage(body, "rsm")["id"]]
    assert len(referral) == 1 and referral[0]["status"] == "active"
    assert referral[0]["participants"] == slt
    # The RSM can no longer decide: the stage waiting is SLT's.
    assert (await decide(client, body, world.a.approver.headers)).status_code == 403

    conditions = await decide(
        client, body, world.a.admin.headers, "approved_with_conditions", conditions=["Fix 4.2"]
    )
    assert conditions.status_code == 201, conditions.text
    body = conditions.json()
    # NCT 3.4: the amended draft goes to the RSM to check, not back to SLT.
    assert body["check_stage_id"] == stage(body, "rsm")["id"]
    amended = await upload_draft(client, world, sign_off["document_id"], b"Fixed 4.2.")
    back = await client.post(
        f"/v1/sign-offs/{sign_off['id']}/amendments",
        json={"version_id": amended["id"]},
        headers=world.a.author.headers,
    )
    assert stage(back.json(), "rsm")["status"] == "active"
    done = await decide(client, back.json(), world.a.approver.headers)
    assert done.status_code == 201, done.text
    assert done.json()["status"] == "completed"
    assert all(s["status"] in ("approved", "deferred") for s in done.json()["stages"]), done.json()[
        "stages"
    ]


async def test_a_higher_body_that_asks_to_see_it_again_checks_the_amendments_itself(
    client: AsyncClient, world: World
) -> None:
    slt = [str(world.a.admin.person_id)]
    sign_off = await _submitted(
        client,
        world,
        [person_stage("rsm", refer_to={"kind": "people", "people": slt, "rule": "all"})],
    )
    body = (await decide(client, sign_off, world.a.approver.headers, "deferred")).json()
    body = (
        await decide(
            client,
            body,
            world.a.admin.headers,
            "approved_with_conditions",
            conditions=["Fix 4.2"],
            see_again=True,
        )
    ).json()
    referral = next(s for s in body["stages"] if s["deferred_from_id"])
    assert body["check_stage_id"] == referral["id"]


async def test_a_deferral_without_a_higher_body_is_refused(
    client: AsyncClient, world: World
) -> None:
    sign_off = await _submitted(client, world, [person_stage("rsm")])
    response = await decide(client, sign_off, world.a.approver.headers, "deferred")
    assert response.status_code == 422
    assert response.json()["invalid_params"][0]["name"] == "refer_to"


async def test_rejection_needs_reasons_and_sends_the_document_back_to_drafting(
    client: AsyncClient, world: World
) -> None:
    sign_off = await _submitted(client, world, [person_stage("rsm")])
    bare = await decide(client, sign_off, world.a.approver.headers, "rejected")
    assert bare.status_code == 422
    rejected = await decide(
        client, sign_off, world.a.approver.headers, "rejected", reasons="Out of date."
    )
    assert rejected.status_code == 201, rejected.text
    assert rejected.json()["status"] == "rejected"
    document = (
        await client.get(f"/v1/documents/{sign_off['document_id']}", headers=world.a.admin.headers)
    ).json()
    assert document["status"] == "draft"
    # A fresh submission is possible again.
    again = await submit(client, world, sign_off["document_id"], sign_off["version_id"])
    assert again.status_code == 201, again.text


async def test_two_approvers_deciding_at_the_same_moment_one_wins_the_other_gets_409(
    client: AsyncClient, world: World
) -> None:
    either = [str(world.a.approver.person_id), str(world.a.admin.person_id)]
    sign_off = await _submitted(client, world, [people_stage("rsms", either, rule="any")])
    first, second = await asyncio.gather(
        decide(client, sign_off, world.a.approver.headers),
        decide(client, sign_off, world.a.admin.headers, "rejected", reasons="No."),
    )
    assert sorted([first.status_code, second.status_code]) == [201, 409], (
        first.text,
        second.text,
    )
    final = (
        await client.get(f"/v1/sign-offs/{sign_off['id']}", headers=world.a.admin.headers)
    ).json()
    assert len(final["decisions"]) == 1


async def test_all_of_several_named_rsms_must_approve(client: AsyncClient, world: World) -> None:
    await create_route(
        client,
        world,
        [people_stage("rsms", [], rule="all")],
        key="several_rsms",
        is_alternative=True,
    )
    await create_route(client, world, [person_stage("rsm")])
    document_id, version_id = await _document_with_draft(client, world)
    routes = (await client.get("/v1/routes", headers=world.a.admin.headers)).json()
    several = next(r for r in routes if r["key"] == "several_rsms")
    missing = await submit(client, world, document_id, version_id, route_id=several["id"])
    assert missing.status_code == 422
    rsms = [str(world.a.approver.person_id), str(world.a.admin.person_id)]
    response = await submit(
        client,
        world,
        document_id,
        version_id,
        route_id=several["id"],
        approvers={"rsms": rsms},
    )
    assert response.status_code == 201, response.text
    sign_off = response.json()
    assert stage(sign_off, "rsms")["required"] == 2
    one = await decide(client, sign_off, world.a.approver.headers)
    assert one.json()["status"] == "in_progress"
    twice = await decide(client, sign_off, world.a.approver.headers)
    assert twice.status_code == 409
    two = await decide(client, sign_off, world.a.admin.headers)
    assert two.json()["status"] == "completed"


async def test_a_person_corrects_their_decision_by_superseding_it_while_the_stage_is_open(
    client: AsyncClient, world: World
) -> None:
    rsms = [str(world.a.approver.person_id), str(world.a.admin.person_id)]
    sign_off = await _submitted(client, world, [people_stage("rsms", rsms, rule="all")])
    first = (await decide(client, sign_off, world.a.approver.headers)).json()
    decision_id = first["decisions"][0]["id"]
    corrected = await decide(
        client,
        sign_off,
        world.a.approver.headers,
        "approved_with_conditions",
        conditions=["Add the escalation route."],
        supersedes_id=decision_id,
    )
    assert corrected.status_code == 201, corrected.text
    decisions = corrected.json()["decisions"]
    assert decisions[0]["superseded_by_id"] == decisions[1]["id"]
    # Someone else cannot supersede it.
    other = await decide(client, sign_off, world.a.admin.headers, supersedes_id=decisions[1]["id"])
    assert other.status_code == 403
    done = await decide(client, sign_off, world.a.admin.headers)
    assert done.json()["status"] == "awaiting_amendment"
    # Once the next decision closed the stage, the first cannot be superseded again... it
    # still can while waiting for the amendment, but not twice.
    twice = await decide(client, sign_off, world.a.approver.headers, supersedes_id=decision_id)
    assert twice.status_code == 409


async def test_only_the_stage_approver_or_their_delegate_decides(
    client: AsyncClient, world: World
) -> None:
    sign_off = await _submitted(client, world, [person_stage("rsm")])
    for member in (world.a.reader, world.a.author, world.a.policy_officer):
        response = await decide(client, sign_off, member.headers)
        assert response.status_code in (403, 404), response.text
    today = london_today()
    # Authority is lent only to someone whose roles let them decide.
    refused = await client.post(
        "/v1/delegations",
        json={
            "delegate_id": str(world.a.author.person_id),
            "starts_on": today.isoformat(),
            "ends_on": today.isoformat(),
        },
        headers=world.a.approver.headers,
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["invalid_params"][0]["name"] == "delegate_id"
    delegation = await client.post(
        "/v1/delegations",
        json={
            "delegate_id": str(world.a.admin.person_id),
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=14)).isoformat(),
            "reason": "Annual leave",
        },
        headers=world.a.approver.headers,
    )
    assert delegation.status_code == 201, delegation.text
    revoked = await client.post(
        f"/v1/delegations/{delegation.json()['id']}/revoke", headers=world.a.approver.headers
    )
    assert revoked.status_code == 200
    assert (await decide(client, sign_off, world.a.admin.headers)).status_code == 403
    await client.post(
        "/v1/delegations",
        json={
            "delegate_id": str(world.a.admin.person_id),
            "starts_on": today.isoformat(),
            "ends_on": today.isoformat(),
        },
        headers=world.a.approver.headers,
    )
    response = await decide(client, sign_off, world.a.admin.headers)
    assert response.status_code == 201, response.text
    decision = response.json()["decisions"][0]
    assert decision["decided_by_id"] == str(world.a.admin.person_id)
    assert decision["on_behalf_of_id"] == str(world.a.approver.person_id)


async def test_a_reader_cannot_submit_or_see_a_sign_off(client: AsyncClient, world: World) -> None:
    await create_route(client, world, [person_stage("rsm")])
    document_id, version_id = await _document_with_draft(client, world)
    refused = await submit(client, world, document_id, version_id, headers=world.a.reader.headers)
    assert refused.status_code in (403, 422)
    sign_off = (await submit(client, world, document_id, version_id)).json()
    hidden = await client.get(f"/v1/sign-offs/{sign_off['id']}", headers=world.a.reader.headers)
    assert hidden.status_code == 404
    other_org = await client.get(f"/v1/sign-offs/{sign_off['id']}", headers=world.b.admin.headers)
    assert other_org.status_code == 404
    mine = await client.get("/v1/sign-offs?awaiting_me=true", headers=world.a.approver.headers)
    assert [s["id"] for s in mine.json()["items"]] == [sign_off["id"]]
    theirs = await client.get("/v1/sign-offs?awaiting_me=true", headers=world.a.admin.headers)
    assert theirs.json()["items"] == []


async def test_an_issued_version_cannot_be_submitted_and_a_second_sign_off_waits(
    client: AsyncClient, world: World
) -> None:
    sign_off = await _submitted(client, world, [person_stage("rsm")])
    again = await submit(client, world, sign_off["document_id"], sign_off["version_id"])
    assert again.status_code == 409
    assert (await decide(client, sign_off, world.a.approver.headers)).status_code == 201
    final = (
        await client.get(f"/v1/sign-offs/{sign_off['id']}", headers=world.a.admin.headers)
    ).json()
    issued = await submit(client, world, sign_off["document_id"], final["issued_version_id"])
    assert issued.status_code == 422
    assert issued.json()["invalid_params"][0]["name"] == "version_id"


async def test_missing_gates_answer_409_naming_each_one(client: AsyncClient, world: World) -> None:
    await create_route(
        client,
        world,
        [person_stage("rsm")],
        definition={"gates": ["eia_screened", "fit_for_purpose", "legal_review"]},
    )
    document_id, version_id = await _document_with_draft(client, world)
    response = await submit(client, world, document_id, version_id)
    assert response.status_code == 409
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert {m["gate"] for m in problem["missing_gates"]} == {"eia_screened", "fit_for_purpose"}
    readiness = await client.get(
        f"/v1/sign-offs/readiness?document_id={document_id}", headers=world.a.author.headers
    )
    assert readiness.status_code == 200
    assert readiness.json()["is_ready"] is False
    assert {m["gate"] for m in readiness.json()["missing_gates"]} == {
        "eia_screened",
        "fit_for_purpose",
    }
    document = await client.get(f"/v1/documents/{document_id}", headers=world.a.admin.headers)
    assert document.json()["status"] == "draft"


async def test_a_conditional_stage_applies_only_when_the_answer_says_so(
    client: AsyncClient, world: World
) -> None:
    cabinet = [str(world.a.admin.person_id)]
    stages = [
        person_stage("board"),
        people_stage("cabinet", cabinet, condition={"question": "key_decision"}),
    ]
    questions = [{"key": "key_decision", "text": "Is it a key decision?"}]
    await create_route(client, world, stages, definition={"questions": questions})
    document_id, version_id = await _document_with_draft(client, world)
    unanswered = await submit(client, world, document_id, version_id)
    assert unanswered.status_code == 422
    sign_off = (
        await submit(client, world, document_id, version_id, answers={"key_decision": False})
    ).json()
    # The answer can change until the stage it decides is reached.
    changed = await client.post(
        f"/v1/sign-offs/{sign_off['id']}/answers",
        json={"answers": {"key_decision": True}},
        headers=world.a.author.headers,
    )
    assert changed.status_code == 200, changed.text
    body = (await decide(client, sign_off, world.a.approver.headers)).json()
    assert stage(body, "cabinet")["status"] == "active"
    late = await client.post(
        f"/v1/sign-offs/{sign_off['id']}/answers",
        json={"answers": {"key_decision": False}},
        headers=world.a.author.headers,
    )
    assert late.status_code == 409
    body = (await decide(client, body, world.a.admin.headers)).json()
    assert body["status"] == "completed"


async def test_a_board_stage_is_decided_in_the_minutes_of_its_meeting(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(client, world)
    meeting = await create_meeting(client, world, board["id"], in_days(30))
    sign_off = await _submitted(client, world, [board_stage("ppp", board["id"])])
    ppp = stage(sign_off, "ppp")
    assert ppp["status"] == "active" and ppp["agenda_item_id"]
    item = (
        await client.get(f"/v1/agenda-items/{ppp['agenda_item_id']}", headers=world.a.admin.headers)
    ).json()
    assert item["meeting_id"] == meeting["id"]
    assert item["version_id"] == sign_off["version_id"]
    # Not through the sign-off: through the minutes.
    direct = await decide(client, sign_off, world.a.approver.headers)
    assert direct.status_code == 409
    await hold_meeting(client, world, meeting["id"])
    minuted = await minute(client, world, meeting["id"], ppp["agenda_item_id"], "approved")
    assert minuted.status_code == 201, minuted.text
    body = (
        await client.get(f"/v1/sign-offs/{sign_off['id']}", headers=world.a.admin.headers)
    ).json()
    assert body["status"] == "completed"
    assert body["decisions"][0]["method"] == "meeting"
    assert body["decisions"][0]["meeting_id"] == meeting["id"]


async def test_withdrawing_restores_the_document_and_takes_the_item_off_the_forward_plan(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(client, world)
    await create_meeting(client, world, board["id"], in_days(30))
    sign_off = await _submitted(client, world, [board_stage("ppp", board["id"])])
    item_id = stage(sign_off, "ppp")["agenda_item_id"]
    withdrawn = await client.post(
        f"/v1/sign-offs/{sign_off['id']}/withdraw",
        json={"reason": "Superseded by the new national guidance."},
        headers=world.a.author.headers,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    item = (await client.get(f"/v1/agenda-items/{item_id}", headers=world.a.admin.headers)).json()
    assert item["status"] == "withdrawn"
    document = (
        await client.get(f"/v1/documents/{sign_off['document_id']}", headers=world.a.admin.headers)
    ).json()
    assert document["status"] == "draft"


async def test_editing_a_route_leaves_a_sign_off_in_flight_on_its_version(
    client: AsyncClient, world: World
) -> None:
    route = await create_route(client, world, [person_stage("rsm")])
    document_id, version_id = await _document_with_draft(client, world)
    sign_off = (await submit(client, world, document_id, version_id)).json()
    edited = await client.patch(
        f"/v1/routes/{route['id']}",
        json={"definition": {"stages": [person_stage("rsm"), person_stage("director", "author")]}},
        headers={**world.a.policy_officer.headers, "If-Match": route["etag"]},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["current_version"] == 2
    assert sign_off["route_version"] == 1
    done = (await decide(client, sign_off, world.a.approver.headers)).json()
    assert done["status"] == "completed"
    versions = (
        await client.get(f"/v1/routes/{route['id']}/versions", headers=world.a.admin.headers)
    ).json()
    assert [v["number"] for v in versions] == [2, 1]


async def test_route_definitions_are_checked(client: AsyncClient, world: World) -> None:
    headers = world.a.policy_officer.headers
    cases = [
        {"stages": []},
        {"stages": [person_stage("a"), person_stage("a")]},
        {"stages": [person_stage("a", condition={"question": "unasked"})]},
        {"stages": [{"key": "a", "name": "A", "decider": {"kind": "board", "board_id": "x"}}]},
        {"stages": [person_stage("a", purpose="information")]},
        {"stages": [person_stage("a"), person_stage("b", purpose="ratification")]},
        {"stages": [person_stage("a")], "gates": ["no_such_gate"]},
    ]
    for definition in cases:
        response = await client.post(
            "/v1/routes", json={"key": "r", "name": "R", "definition": definition}, headers=headers
        )
        assert response.status_code == 422, (definition, response.text)
    other_board = await client.post(
        "/v1/routes",
        json={
            "key": "r",
            "name": "R",
            "definition": {
                "stages": [
                    {
                        "key": "a",
                        "name": "A",
                        "decider": {
                            "kind": "board",
                            "board_id": "00000000-0000-7000-8000-000000000000",
                        },
                    }
                ]
            },
        },
        headers=headers,
    )
    assert other_board.status_code == 422
    refused = await client.post(
        "/v1/routes",
        json={"key": "r", "name": "R", "definition": {"stages": [person_stage("a")]}},
        headers=world.a.author.headers,
    )
    assert refused.status_code == 403


async def test_the_most_specific_route_is_chosen_and_alternatives_only_when_named(
    client: AsyncClient, world: World
) -> None:
    await create_route(client, world, [person_stage("any")], key="anything")
    await create_route(client, world, [person_stage("proc")], key="procedures", kinds=["procedure"])
    await create_route(
        client,
        world,
        [person_stage("single")],
        key="single_service",
        kinds=["procedure"],
        categories=["single_service"],
    )
    await create_route(client, world, [person_stage("alt")], key="alt", is_alternative=True)
    plain, plain_version = await _document_with_draft(client, world)
    single, single_version = await _document_with_draft(client, world, category="single_service")
    policy, policy_version = await _document_with_draft(client, world, kind="policy")
    for document_id, version_id, expected in (
        (plain, plain_version, "procedures"),
        (single, single_version, "single_service"),
        (policy, policy_version, "anything"),
    ):
        response = await submit(client, world, document_id, version_id)
        assert response.status_code == 201, response.text
        assert response.json()["route_key"] == expected


async def test_a_board_decides_by_circulation_when_a_majority_of_members_approve(
    client: AsyncClient, world: World
) -> None:
    members = [world.a.approver, world.a.reader, world.a.admin]
    board = await create_board(
        client,
        world,
        members=[
            {"person_id": str(members[0].person_id), "role": "chair"},
            {"person_id": str(members[1].person_id), "role": "member"},
            {"person_id": str(members[2].person_id), "role": "member"},
        ],
    )
    circulated = {
        "key": "slt",
        "name": "SLT by circulation",
        "decider": {"kind": "board", "board_id": board["id"], "via": "circulation"},
    }
    sign_off = await _submitted(client, world, [circulated])
    slt = stage(sign_off, "slt")
    assert slt["agenda_item_id"] is None
    # The reader sits on the board but holds no role that decides: no vote, and the
    # majority is counted among those who may decide.
    voters = [world.a.approver, world.a.admin]
    assert sorted(slt["participants"]) == sorted(str(m.person_id) for m in voters)
    assert slt["required"] == 2
    # Neither someone off the board nor the reader on it can decide; the voters can.
    assert (await decide(client, sign_off, world.a.author.headers)).status_code == 403
    assert (await decide(client, sign_off, world.a.reader.headers)).status_code == 403
    first = await decide(client, sign_off, world.a.approver.headers)
    assert first.status_code == 201, first.text
    assert first.json()["decisions"][0]["method"] == "circulation"
    assert first.json()["status"] == "in_progress"
    second = await decide(client, sign_off, world.a.admin.headers)
    assert second.json()["status"] == "completed"


async def test_conditions_from_a_referred_board_at_its_meeting_go_back_to_the_rsm_unless_it_asks(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(client, world)
    meeting = await create_meeting(client, world, board["id"], in_days(30))
    await create_route(
        client, world, [person_stage("rsm", refer_to={"kind": "board", "board_id": board["id"]})]
    )
    referred = []
    for _ in range(2):
        document_id, version_id = await _document_with_draft(client, world)
        sign_off = (await submit(client, world, document_id, version_id)).json()
        body = (await decide(client, sign_off, world.a.approver.headers, "deferred")).json()
        referral = next(s for s in body["stages"] if s["deferred_from_id"])
        assert referral["board_id"] == board["id"] and referral["agenda_item_id"]
        referred.append((sign_off, referral))
    await hold_meeting(client, world, meeting["id"])
    for (sign_off, referral), see_again in zip(referred, (False, True), strict=True):
        minuted = await minute(
            client,
            world,
            meeting["id"],
            referral["agenda_item_id"],
            "approved_with_conditions",
            conditions=["Align with the MASH procedure."],
            see_again=see_again,
        )
        assert minuted.status_code == 201, minuted.text
        body = (
            await client.get(f"/v1/sign-offs/{sign_off['id']}", headers=world.a.admin.headers)
        ).json()
        assert body["status"] == "awaiting_amendment"
        # NCT 3.4: back to the RSM to check, unless SLT asked to see it again.
        expected = referral["id"] if see_again else stage(body, "rsm")["id"]
        assert body["check_stage_id"] == expected


async def _outbox(world: World, event_type: str) -> list[dict[str, Any]]:
    async with world.sessionmaker() as session:
        rows = await session.execute(
            select(OutboxEvent.payload).where(OutboxEvent.type == event_type)
        )
        return list(rows.scalars())


async def test_refused_ratification_withdraws_the_issue_with_one_event_and_an_audit_record(
    client: AsyncClient, world: World
) -> None:
    sign_off = await _submitted(
        client,
        world,
        [person_stage("rsm"), person_stage("ratify", purpose="ratification", after_issue=True)],
    )
    approved = await decide(client, sign_off, world.a.approver.headers)
    assert approved.status_code == 201, approved.text
    assert approved.json()["status"] == "issued"
    issued_id = approved.json()["issued_version_id"]
    refused = await decide(
        client, sign_off, world.a.approver.headers, "rejected", reasons="Not what we agreed."
    )
    assert refused.status_code == 201, refused.text
    assert refused.json()["status"] == "ratification_refused"
    document_id = sign_off["document_id"]
    h = world.a.admin.headers
    document = (await client.get(f"/v1/documents/{document_id}", headers=h)).json()
    assert (document["status"], document["issued_version"]) == ("draft", None)

    [event] = await _outbox(world, "document.issue_withdrawn")
    assert event["document_id"] == document_id
    assert (event["version_id"], event["number"]) == (issued_id, "1.0")
    assert event["sign_off_id"] == sign_off["id"]
    assert "Not what we agreed." in event["reason"]
    assert (event["in_force_version_id"], event["in_force_number"]) == (None, None)
    assert event["status"] == "draft"
    # The upload was never done: nothing is queued in its place.
    assert event["publication_id"] is None
    audit = await client.get(f"/v1/audit?entity_type=document&entity_id={document_id}", headers=h)
    records = [r for r in audit.json()["items"] if r["action"] == "document.issue_withdrawn"]
    assert len(records) == 1
    assert (records[0]["before"]["status"], records[0]["after"]["status"]) == (
        "published",
        "draft",
    )
    # The webhook subscribers can ask for it.
    subscribed = await client.post(
        "/v1/webhooks",
        json={"url": "https://93.184.215.14/hook", "event_types": ["document.issue_withdrawn"]},
        headers=h,
    )
    assert subscribed.status_code == 201, subscribed.text


async def test_refused_ratification_leaves_a_version_registered_since_in_force(
    client: AsyncClient, world: World
) -> None:
    sign_off = await _submitted(
        client,
        world,
        [person_stage("rsm"), person_stage("ratify", purpose="ratification", after_issue=True)],
    )
    assert (await decide(client, sign_off, world.a.approver.headers)).status_code == 201
    document_id = sign_off["document_id"]
    h = world.a.policy_officer.headers
    registered = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("live.txt", b"Already live on Trix.", "text/plain")},
        data={"issued": "true", "issued_on": london_today().isoformat()},
        headers=h,
    )
    assert registered.json()["number"] == "2.0"
    refused = await decide(
        client, sign_off, world.a.approver.headers, "rejected", reasons="Not what we agreed."
    )
    assert refused.json()["status"] == "ratification_refused"
    document = (await client.get(f"/v1/documents/{document_id}", headers=h)).json()
    assert (document["status"], document["issued_version"]) == ("published", "2.0")
    [event] = await _outbox(world, "document.issue_withdrawn")
    assert (event["number"], event["in_force_number"], event["publication_id"]) == (
        "1.0",
        "2.0",
        None,
    )
    queue = (await client.get(f"/v1/publications?document_id={document_id}", headers=h)).json()
    assert [(p["version_number"], p["status"]) for p in queue["items"]] == [("1.0", "cancelled")]

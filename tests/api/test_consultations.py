"""Consultations through the HTTP API: who is asked, what they see, their responses, the close.

Deadline arithmetic is in test_consultation_deadlines.py and external consultees' links in
test_consultation_links.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from httpx import AsyncClient
from sqlalchemy import select

from services.domain.models.outbox import OutboxEvent
from tests.api.boards_support import add_person, create_board, create_document_with_draft
from tests.api.consultations_support import (
    consultees,
    open_consultation,
    respond,
    responses_of,
    sweep_close,
)
from tests.api.sign_off_support import create_route, person_stage
from tests.factories import World


async def _document(client: AsyncClient, world: World, document_id: str) -> dict[str, Any]:
    response = await client.get(
        f"/v1/documents/{document_id}", headers=world.a.policy_officer.headers
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def _events(world: World, kind: str) -> list[dict[str, Any]]:
    async with world.sessionmaker() as session:
        rows = await session.execute(
            select(OutboxEvent.payload).where(OutboxEvent.type == kind).order_by(OutboxEvent.id)
        )
        return list(rows.scalars())


async def _second_draft(client: AsyncClient, world: World, document_id: str) -> str:
    uploaded = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("draft2.txt", b"Second draft, after comments.", "text/plain")},
        headers=world.a.author.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    return str(uploaded.json()["id"])


# --- opening ---------------------------------------------------------------------------------


async def test_opening_asks_people_board_members_and_external_consultees_once_each(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    board = await create_board(client, world)  # approver chairs, reader sits on it
    consultation = await open_consultation(
        client,
        world,
        document_id,
        version_id,
        audience={
            "people": [str(world.a.reader.person_id), str(world.a.admin.person_id)],
            "boards": [board["id"]],
            "external": [
                {"name": "Pat Partner", "email": "pat@partner.example", "represents": "NHS"},
                {"name": "Pat again", "email": "PAT@partner.example"},
            ],
        },
    )
    assert consultation["status"] == "open"
    assert consultation["opened_at"] is not None
    assert consultation["board_ids"] == [board["id"]]
    found = {c["name"]: c for c in await consultees(client, world, consultation["id"])}
    # The reader is asked by name and sits on the board: one consultee, asked by name.
    assert sorted(found) == sorted(
        ["Reader of alpha", "Admin of alpha", "Approver of alpha", "Pat Partner"]
    )
    assert found["Reader of alpha"]["via_board_id"] is None
    assert found["Approver of alpha"]["via_board_id"] == board["id"]
    assert found["Pat Partner"]["kind"] == "external"
    assert found["Pat Partner"]["person_id"] is None
    assert found["Pat Partner"]["represents"] == "NHS"
    assert all(c["invited_at"] is not None for c in found.values())
    assert (await _document(client, world, document_id))["status"] == "in_consultation"
    opened = await _events(world, "consultation.opened")
    assert [e["consultation_id"] for e in opened] == [consultation["id"]]


async def test_only_the_documents_team_opens_a_consultation_and_only_on_a_draft(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    body = {
        "document_id": document_id,
        "version_id": version_id,
        "kind": "internal",
        "audience": {"people": [str(world.a.reader.person_id)]},
    }
    refused = await client.post("/v1/consultations", json=body, headers=world.a.reader.headers)
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    empty = await client.post(
        "/v1/consultations",
        json={**body, "audience": {}},
        headers=world.a.author.headers,
    )
    assert empty.status_code == 422, empty.text
    stranger = await client.post(
        "/v1/consultations",
        json={**body, "audience": {"people": [str(world.b.reader.person_id)]}},
        headers=world.a.author.headers,
    )
    assert stranger.status_code == 422, stranger.text
    assert stranger.json()["invalid_params"][0]["name"] == "audience.people"
    other_org = await client.post("/v1/consultations", json=body, headers=world.b.admin.headers)
    assert other_org.status_code == 422, other_org.text
    listed = await client.get(
        "/v1/consultations", params={"document_id": document_id}, headers=world.a.admin.headers
    )
    assert listed.json()["items"] == []  # nothing half-written by the refusals


async def test_consultees_are_added_to_an_open_consultation_and_invited(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    consultation = await open_consultation(client, world, document_id, version_id)
    added = await client.post(
        f"/v1/consultations/{consultation['id']}/consultees",
        json={
            "people": [str(world.a.reader.person_id), str(world.a.approver.person_id)],
            "external": [{"name": "Sam Advocate", "email": "sam@voice.example"}],
        },
        headers=world.a.author.headers,
    )
    assert added.status_code == 201, added.text
    assert sorted(c["name"] for c in added.json()) == ["Approver of alpha", "Sam Advocate"]
    invited = await _events(world, "consultation.consultees_added")
    assert sorted(invited[-1]["consultee_ids"]) == sorted(c["id"] for c in added.json())
    assert len(await consultees(client, world, consultation["id"])) == 3


# --- what consultees see ---------------------------------------------------------------------


async def test_a_consultee_reads_the_consulted_draft_and_no_other(
    client: AsyncClient, world: World
) -> None:
    document_id, first = await create_document_with_draft(client, world)
    await _second_draft(client, world, document_id)
    consultation = await open_consultation(client, world, document_id, first)
    reader = world.a.reader.headers
    draft = await client.get(f"/v1/consultations/{consultation['id']}/draft", headers=reader)
    assert draft.status_code == 200, draft.text
    assert draft.content == b"Draft procedure text."
    for number in ("0.1", "0.2"):
        direct = await client.get(
            f"/v1/documents/{document_id}/versions/{number}/file", headers=reader
        )
        assert direct.status_code == 404, direct.text
    seen = await client.get(f"/v1/consultations/{consultation['id']}", headers=reader)
    assert seen.status_code == 200, seen.text
    assert seen.json()["version_id"] == first
    # Someone not consulted sees neither the consultation nor its draft.
    outsider = world.a.approver.headers
    for path in ("", "/draft", "/responses"):
        got = await client.get(f"/v1/consultations/{consultation['id']}{path}", headers=outsider)
        assert got.status_code == 404, (path, got.text)
    mine = await client.get("/v1/consultations", params={"consulted": "true"}, headers=reader)
    assert [c["id"] for c in mine.json()["items"]] == [consultation["id"]]
    theirs = await client.get("/v1/consultations", headers=outsider)
    assert theirs.json()["items"] == []


async def test_a_consultee_sees_only_their_own_response_and_not_who_else_was_asked(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    consultation = await open_consultation(
        client,
        world,
        document_id,
        version_id,
        audience={"people": [str(world.a.reader.person_id), str(world.a.approver.person_id)]},
    )
    cid = consultation["id"]
    assert (await respond(client, cid, world.a.reader.headers)).status_code == 201
    objection = await respond(
        client, cid, world.a.approver.headers, "object", comments="Section 3 is unsafe."
    )
    assert objection.status_code == 201, objection.text
    assert list(await responses_of(client, cid, world.a.reader.headers)) == ["Reader of alpha"]
    assert sorted(await responses_of(client, cid, world.a.author.headers)) == [
        "Approver of alpha",
        "Reader of alpha",
    ]
    hidden = await client.get(f"/v1/consultations/{cid}/consultees", headers=world.a.reader.headers)
    assert hidden.status_code == 403, hidden.text
    own = await client.get(f"/v1/consultations/{cid}/response", headers=world.a.reader.headers)
    assert own.status_code == 200 and own.json()["position"] == "support"


# --- responses -------------------------------------------------------------------------------


async def test_one_response_per_consultee_amendable_until_the_close(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    consultation = await open_consultation(client, world, document_id, version_id)
    cid = consultation["id"]
    first = await respond(client, cid, world.a.reader.headers, "support")
    assert first.status_code == 201, first.text
    assert (first.json()["amendments"], first.json()["is_late"]) == (0, False)
    second = await respond(
        client, cid, world.a.reader.headers, "support_with_comments", comments="Add the LADO."
    )
    assert second.status_code == 200, second.text
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["amendments"] == 1
    assert second.json()["comments"] == "Add the LADO."
    found = await responses_of(client, cid, world.a.author.headers)
    assert found["Reader of alpha"]["position"] == "support_with_comments"
    # Someone not asked cannot respond.
    stranger = await respond(client, cid, world.a.approver.headers)
    assert stranger.status_code in (403, 404), stranger.text
    recorded = await _events(world, "consultation.response_recorded")
    assert [e["is_amendment"] for e in recorded] == [False, True]


async def test_responses_are_checked_against_the_position_and_the_response_form(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    consultation = await open_consultation(
        client,
        world,
        document_id,
        version_id,
        questions=[
            {"key": "clear", "text": "Is the procedure clear?", "kind": "yes_no", "required": True},
            {
                "key": "impact",
                "text": "What impact on your team?",
                "kind": "choice",
                "options": ["none", "some", "major"],
            },
        ],
    )
    cid, reader = consultation["id"], world.a.reader.headers
    cases: list[tuple[dict[str, Any], str]] = [
        ({"position": "object", "answers": {"clear": True}}, "comments"),
        ({"position": "support_with_comments", "answers": {"clear": True}}, "comments"),
        ({"position": "support"}, "answers"),
        ({"position": "support", "answers": {"clear": "yes"}}, "answers"),
        ({"position": "support", "answers": {"clear": True, "impact": "huge"}}, "answers"),
        ({"position": "support", "answers": {"clear": True, "colour": "blue"}}, "answers"),
    ]
    for body, field in cases:
        refused = await client.put(f"/v1/consultations/{cid}/response", json=body, headers=reader)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["invalid_params"][0]["name"] == field, refused.json()
    deemed = await respond(client, cid, reader, "deemed_agreement", answers={"clear": True})
    assert deemed.status_code == 422, deemed.text
    assert await responses_of(client, cid, world.a.author.headers) == {}
    good = await respond(client, cid, reader, "support", answers={"clear": True, "impact": "some"})
    assert good.status_code == 201, good.text
    assert good.json()["answers"] == {"clear": True, "impact": "some"}


async def test_a_response_after_the_close_is_kept_and_flagged_late_but_one_given_in_time_stands(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    consultation = await open_consultation(
        client,
        world,
        document_id,
        version_id,
        audience={"people": [str(world.a.reader.person_id), str(world.a.approver.person_id)]},
    )
    cid = consultation["id"]
    assert (await respond(client, cid, world.a.reader.headers)).status_code == 201
    assert await sweep_close(world) == 1
    late = await respond(client, cid, world.a.approver.headers, "object", comments="Too late?")
    assert late.status_code == 201, late.text
    assert late.json()["is_late"] is True
    amend = await respond(client, cid, world.a.reader.headers, "object", comments="Changed mind")
    assert amend.status_code == 409, amend.text
    found = await responses_of(client, cid, world.a.author.headers)
    assert found["Reader of alpha"]["position"] == "support"
    assert found["Reader of alpha"]["is_late"] is False
    assert found["Approver of alpha"]["is_late"] is True


async def test_the_author_records_a_response_that_came_by_email(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    consultation = await open_consultation(
        client,
        world,
        document_id,
        version_id,
        audience={"external": [{"name": "Ofsted", "email": "enquiries@ofsted.example"}]},
    )
    cid = consultation["id"]
    (external,) = await consultees(client, world, cid)
    body = {"consultee_id": external["id"], "position": "no_view"}
    refused = await client.post(
        f"/v1/consultations/{cid}/responses", json=body, headers=world.a.reader.headers
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["permission"] == "consultations:run"
    recorded = await client.post(
        f"/v1/consultations/{cid}/responses", json=body, headers=world.a.author.headers
    )
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["recorded_by_id"] == str(world.a.author.person_id)
    assert recorded.json()["consultee_name"] == "Ofsted"


# --- closing ---------------------------------------------------------------------------------


async def test_silence_is_deemed_agreement_at_the_deadline_visibly_apart_from_responses(
    client: AsyncClient, world: World
) -> None:
    """Birmingham: lack of response by the consultation deadline is taken as agreement."""
    document_id, version_id = await create_document_with_draft(client, world)
    consultation = await open_consultation(
        client,
        world,
        document_id,
        version_id,
        deemed_agreement=True,
        audience={
            "people": [str(world.a.reader.person_id), str(world.a.approver.person_id)],
            "external": [{"name": "Pat Partner", "email": "pat@partner.example"}],
        },
    )
    cid = consultation["id"]
    assert (await respond(client, cid, world.a.reader.headers)).status_code == 201
    assert await sweep_close(world) == 1
    assert await sweep_close(world) == 0  # closing twice deems nobody twice
    found = await responses_of(client, cid, world.a.author.headers)
    assert found["Reader of alpha"]["position"] == "support"
    assert found["Reader of alpha"]["is_deemed_agreement"] is False
    for name in ("Approver of alpha", "Pat Partner"):
        assert found[name]["position"] == "deemed_agreement"
        assert found[name]["is_deemed_agreement"] is True
        # Recorded at the deadline, not whenever the sweep happened to run.
        assert _moment(found[name]["submitted_at"]) == _moment(consultation["closes_at"])
    closed = await client.get(f"/v1/consultations/{cid}", headers=world.a.author.headers)
    assert closed.json()["status"] == "closed"
    assert closed.json()["closed_by_id"] is None
    assert _moment(closed.json()["closed_at"]) == _moment(consultation["closes_at"])
    assert (await _document(client, world, document_id))["status"] == "draft"
    (event,) = await _events(world, "consultation.closed")
    assert event["deemed_agreements"] == 2
    # A late response replaces deemed agreement, flagged late.
    late = await respond(client, cid, world.a.approver.headers, "object", comments="I object.")
    assert late.status_code == 200, late.text
    assert (late.json()["position"], late.json()["is_late"]) == ("object", True)


async def test_closing_early_deems_nobody_to_agree(client: AsyncClient, world: World) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    consultation = await open_consultation(
        client, world, document_id, version_id, deemed_agreement=True
    )
    cid = consultation["id"]
    refused = await client.post(f"/v1/consultations/{cid}/close", headers=world.a.reader.headers)
    assert refused.status_code == 403, refused.text
    closed = await client.post(f"/v1/consultations/{cid}/close", headers=world.a.author.headers)
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert closed.json()["closed_by_id"] == str(world.a.author.person_id)
    assert await responses_of(client, cid, world.a.author.headers) == {}
    again = await client.post(f"/v1/consultations/{cid}/close", headers=world.a.author.headers)
    assert again.status_code == 409, again.text


async def test_deemed_agreement_defaults_to_what_the_documents_route_says(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    plain = await open_consultation(client, world, document_id, version_id)
    assert plain["deemed_agreement"] is False
    await create_route(
        client,
        world,
        [person_stage("ad", "owner")],
        kinds=["policy"],
        definition={"deemed_agreement": True},
    )
    routed = await open_consultation(client, world, document_id, version_id)
    assert routed["deemed_agreement"] is True
    overridden = await open_consultation(
        client, world, document_id, version_id, deemed_agreement=False
    )
    assert overridden["deemed_agreement"] is False


async def test_a_cancelled_consultation_takes_no_responses_and_passes_no_gate(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    consultation = await open_consultation(client, world, document_id, version_id)
    cid = consultation["id"]
    no_reason = await client.post(
        f"/v1/consultations/{cid}/cancel", json={"reason": " "}, headers=world.a.author.headers
    )
    assert no_reason.status_code == 422, no_reason.text
    cancelled = await client.post(
        f"/v1/consultations/{cid}/cancel",
        json={"reason": "Wrong draft circulated."},
        headers=world.a.author.headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["cancel_reason"] == "Wrong draft circulated."
    assert (await respond(client, cid, world.a.reader.headers)).status_code == 409
    assert (await _document(client, world, document_id))["status"] == "draft"
    await create_route(
        client,
        world,
        [person_stage("owner", "owner")],
        kinds=["policy"],
        definition={"gates": ["consultation_closed"]},
    )
    readiness = await _readiness(client, world, document_id)
    assert readiness["consultation_closed"].startswith("No consultation on this draft")


# --- the author's analysis -------------------------------------------------------------------


async def test_the_author_tags_themes_and_says_how_a_comment_was_handled_in_the_next_draft(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    consultation = await open_consultation(client, world, document_id, version_id)
    cid = consultation["id"]
    given = await respond(
        client, cid, world.a.reader.headers, "object", comments="Timescales are unrealistic."
    )
    rid = given.json()["id"]
    got = await client.get(
        f"/v1/consultations/{cid}/responses/{rid}", headers=world.a.author.headers
    )
    assert got.status_code == 200, got.text
    etag = got.headers["ETag"]
    path = f"/v1/consultations/{cid}/responses/{rid}"
    body = {"themes": ["Timescales", " timescales ", "Workload"], "handling": "accepted"}
    no_etag = await client.patch(path, json=body, headers=world.a.author.headers)
    assert no_etag.status_code == 428, no_etag.text
    consultee = await client.patch(
        path, json=body, headers={**world.a.reader.headers, "If-Match": etag}
    )
    assert consultee.status_code == 403, consultee.text
    same_draft = await client.patch(
        path,
        json={**body, "addressed_in_version_id": version_id},
        headers={**world.a.author.headers, "If-Match": etag},
    )
    assert same_draft.status_code == 422, same_draft.text
    next_draft = await _second_draft(client, world, document_id)
    analysed = await client.patch(
        path,
        json={
            **body,
            "handling_note": "Timescales moved to 10 working days.",
            "addressed_in_version_id": next_draft,
        },
        headers={**world.a.author.headers, "If-Match": etag},
    )
    assert analysed.status_code == 200, analysed.text
    data = analysed.json()
    assert data["themes"] == ["Timescales", "timescales", "Workload"]
    assert (data["handling"], data["addressed_in_version_id"]) == ("accepted", next_draft)
    stale = await client.patch(
        path,
        json={"handling": "not_accepted"},
        headers={**world.a.author.headers, "If-Match": etag},
    )
    assert stale.status_code == 412, stale.text
    # The consultee's words are untouched by the analysis.
    assert data["comments"] == "Timescales are unrealistic."


# --- the sign-off gate -----------------------------------------------------------------------


async def _readiness(client: AsyncClient, world: World, document_id: str) -> dict[str, str]:
    response = await client.get(
        "/v1/sign-offs/readiness",
        params={"document_id": document_id},
        headers=world.a.author.headers,
    )
    assert response.status_code == 200, response.text
    return {g["gate"]: g["detail"] for g in response.json()["missing_gates"]}


async def test_closing_a_required_consultation_satisfies_the_sign_off_gate(
    client: AsyncClient, world: World
) -> None:
    await create_route(
        client,
        world,
        [person_stage("owner", "owner")],
        kinds=["policy"],
        definition={"gates": ["consultation_closed"]},
    )
    document_id, version_id = await create_document_with_draft(client, world)
    assert (
        "No consultation on this draft"
        in (await _readiness(client, world, document_id))["consultation_closed"]
    )
    consultation = await open_consultation(client, world, document_id, version_id)
    detail = (await _readiness(client, world, document_id))["consultation_closed"]
    assert "0.1 is open" in detail and "closes at the end of" in detail
    closed = await client.post(
        f"/v1/consultations/{consultation['id']}/close", headers=world.a.author.headers
    )
    assert closed.status_code == 200, closed.text
    assert "consultation_closed" not in await _readiness(client, world, document_id)
    # A later draft still counts the consultation on the earlier one.
    await _second_draft(client, world, document_id)
    assert "consultation_closed" not in await _readiness(client, world, document_id)


# --- isolation and audit ---------------------------------------------------------------------


async def test_another_organisation_sees_nothing_of_a_consultation(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    consultation = await open_consultation(client, world, document_id, version_id)
    cid = consultation["id"]
    for path in ("", "/draft", "/responses", "/consultees", "/response"):
        got = await client.get(f"/v1/consultations/{cid}{path}", headers=world.b.admin.headers)
        assert got.status_code == 404, (path, got.text)
    listed = await client.get("/v1/consultations", headers=world.b.admin.headers)
    assert listed.json()["items"] == []
    audit = await client.get(
        "/v1/audit",
        params={"entity_type": "consultation", "entity_id": cid},
        headers=world.a.admin.headers,
    )
    assert audit.status_code == 200, audit.text
    assert [r["action"] for r in audit.json()["items"]] == [
        "consultation.created",
        "consultation.opened",
    ]


async def test_a_person_added_to_the_organisation_later_is_not_consulted_by_accident(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    board = await create_board(client, world)
    consultation = await open_consultation(
        client, world, document_id, version_id, audience={"boards": [board["id"]]}
    )
    newcomer = await add_person(client, world, "Nia Newcomer")
    joined = await client.post(
        f"/v1/boards/{board['id']}/members",
        json={"person_id": newcomer, "role": "member"},
        headers=world.a.policy_officer.headers,
    )
    assert joined.status_code == 201, joined.text
    names = {c["name"] for c in await consultees(client, world, consultation["id"])}
    assert names == {"Approver of alpha", "Reader of alpha"}

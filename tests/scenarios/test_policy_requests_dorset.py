"""Dorset PPP Group terms of reference (seed 004), aim 3 iii, through the HTTP API on the
seeded organisation:

    "iii) To evaluate and agree the need for new governance documents before such documents
    are drafted for the Group's approval, as appropriate"

A request for a new document is triaged by the Project and Policy Officer (who chairs the PPP
Group): accepted, it becomes a business case the Group is asked to approve at its meeting before
anything is drafted; declined, the requester reads the reasons.
"""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.scenarios.seeded import board_id, get_json, item_of, seed

PPP = "Practice, Policy and Procedures Group"


async def _ask(client: AsyncClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    made = await client.post("/v1/policy-requests", json=fields, headers=headers)
    assert made.status_code == 201, made.text
    found: dict[str, Any] = made.json()
    return found


async def _etag(client: AsyncClient, headers: dict[str, str], url: str) -> dict[str, str]:
    current = await client.get(url, headers=headers)
    assert current.status_code == 200, current.text
    return {**headers, "If-Match": current.headers["ETag"]}


async def test_the_need_for_a_new_document_is_agreed_by_the_ppp_group_before_it_is_drafted(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """ "iii) To evaluate and agree the need for new governance documents before such documents
    are drafted for the Group's approval, as appropriate"."""
    dorset = await seed(
        sessionmaker,
        "dorset",
        {
            "louise": "reader",  # Quality Assurance Manager
            "nicola": "policy_officer",  # Project and Policy Officer, chairs the PPP Group
            "hannah": "approver",  # Corporate Director: the sponsor
        },
    )
    team = dorset.headers("nicola")
    made = await _ask(
        client,
        dorset.headers("louise"),
        kind="new_document",
        title="Neglect strategy practice standard",
        details="Audits show neglect cases drift; a practice standard would set bottom lines.",
        service_area="Quality Assurance",
    )
    url = f"/v1/policy-requests/{made['id']}"
    accepted = await client.post(
        f"{url}/accept",
        json={"into": "proposal", "sponsor_id": dorset.id("hannah"), "note": "To the PPP Group."},
        headers=await _etag(client, team, url),
    )
    assert accepted.status_code == 200, accepted.text
    proposal_url = f"/v1/proposals/{accepted.json()['proposal_id']}"
    proposal = await get_json(client, proposal_url, team)
    # Nothing is drafted yet: the business case goes to the Group for its approval.
    assert (proposal["status"], proposal["document_id"]) == ("draft", None)
    assert proposal["sponsor_id"] == dorset.id("hannah")
    submitted = await client.post(
        f"{proposal_url}/submit",
        json={"board_id": await board_id(client, team, PPP)},
        headers=await _etag(client, team, proposal_url),
    )
    assert submitted.status_code == 200, submitted.text
    item = await item_of(client, team, submitted.json()["agenda_item_id"])
    assert (item["ask"], item["title"]) == ("new_proposal", "Neglect strategy practice standard")
    # The requester follows it: their request says what it became.
    mine = await get_json(client, url, dorset.headers("louise"))
    assert (mine["status"], mine["proposal_id"]) == ("accepted", proposal["id"])


async def test_a_request_for_a_document_not_needed_is_declined_with_reasons(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """ "To evaluate and agree the need for new governance documents before such documents are
    drafted": a need not agreed is declined, and the requester reads why."""
    dorset = await seed(sessionmaker, "dorset", {"ashley": "author", "nicola": "policy_officer"})
    team = dorset.headers("nicola")
    # The demo's Dorset queue shows an open, an accepted and a declined request.
    statuses = {r["status"] for r in (await get_json(client, "/v1/policy-requests", team))["items"]}
    assert statuses == {"open", "accepted", "declined"}

    made = await _ask(
        client,
        dorset.headers("ashley"),
        kind="new_document",
        title="Mosaic screen guide for the Early Help Assessment",
        details="A separate document describing each Mosaic screen.",
    )
    url = f"/v1/policy-requests/{made['id']}"
    without = await client.post(
        f"{url}/decline", json={"reasons": ""}, headers=await _etag(client, team, url)
    )
    assert without.status_code == 422
    declined = await client.post(
        f"{url}/decline",
        json={"reasons": "FORM-001 and its procedure PROC-001 already cover the screens."},
        headers=await _etag(client, team, url),
    )
    assert declined.status_code == 200, declined.text
    seen = await get_json(client, url, dorset.headers("ashley"))
    assert seen["status"] == "declined"
    assert seen["decision_note"] == "FORM-001 and its procedure PROC-001 already cover the screens."
    # The requester may not withdraw what is decided.
    late = await client.post(
        f"{url}/withdraw", headers=await _etag(client, dorset.headers("ashley"), url)
    )
    assert late.status_code == 409

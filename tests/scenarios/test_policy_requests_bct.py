"""Birmingham Children's Trust (seed 001), Policy Process, through the HTTP API on the seeded
organisation:

    "All requests for support with developing or refreshing policies, procedures, practice
    standards or practice guidance should be emailed to the Policy Service within the Practice
    Hub"

    "First drafts will be agreed by the responsible person within the relevant service area"

Anyone asks the Policy Service (the Practice Hub's policy officer triages); a request for a new
document becomes a proposal led by the responsible person within the service area, a request to
refresh one becomes its review; the requester is told either way.
"""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.models.notifications import Notification
from services.notifier.relay import relay_once
from tests.notifier.conftest import RecordingTransport
from tests.scenarios.seeded import document_by_reference, get_json, seed


async def _told(
    sessionmaker: async_sessionmaker[AsyncSession], kind: str
) -> list[tuple[str, dict[str, Any]]]:
    while await relay_once(sessionmaker, RecordingTransport()):
        pass
    async with sessionmaker() as session:
        rows = await session.execute(select(Notification).where(Notification.kind == kind))
        found = [(n.recipient_email, n.context) for n in rows.scalars()]
        return sorted(found, key=lambda told: told[0])


async def _post(
    client: AsyncClient, headers: dict[str, str], url: str, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    current = await client.get(url.rsplit("/", 1)[0], headers=headers)
    response = await client.post(
        url, json=body, headers={**headers, "If-Match": current.headers["ETag"]}
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def test_a_request_to_the_policy_service_becomes_a_proposal_led_within_the_service_area(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """ "All requests for support with developing or refreshing policies, procedures, practice
    standards or practice guidance should be emailed to the Policy Service within the Practice
    Hub"; "First drafts will be agreed by the responsible person within the relevant service
    area"."""
    bct = await seed(
        sessionmaker,
        "bct",
        {
            "beth": "reader",  # Team Manager, Children in Need
            "owen": "policy_officer",  # Practice Hub Policy Officer
            "eleanor": "author",  # Head of Service, Children in Need
        },
    )
    hub = bct.headers("owen")
    # The demo's queue: the urgent request past its triage date comes first, flagged.
    queue = await get_json(client, "/v1/policy-requests?status=open", hub)
    assert queue["items"][0]["title"] == "Child protection conference escalation procedure"
    assert queue["items"][0]["is_overdue"] is True
    assert queue["items"][0]["urgency"] == "urgent"

    # Any member of staff asks, not only those who write documents.
    made = await client.post(
        "/v1/policy-requests",
        json={
            "kind": "new_document",
            "title": "Practice guidance on life story work",
            "details": "Practitioners ask how to start life story work with children in need.",
            "service_area": "Children in Need",
        },
        headers=bct.headers("beth"),
    )
    assert made.status_code == 201, made.text
    request = made.json()
    told = await _told(sessionmaker, "policy_request.made")
    assert ("owen.pritchard@bct.example.org", request["id"]) in [
        (email, context["request_id"]) for email, context in told
    ]

    # The Practice Hub accepts it: the responsible person in the service area leads the draft.
    accepted = await _post(
        client,
        hub,
        f"/v1/policy-requests/{request['id']}/accept",
        {"into": "proposal", "lead_officer_id": bct.id("eleanor"), "note": "Eleanor leads."},
    )
    assert accepted["status"] == "accepted"
    proposal = await get_json(client, f"/v1/proposals/{accepted['proposal_id']}", hub)
    assert proposal["lead_officer_id"] == bct.id("eleanor")
    assert proposal["title"] == "Practice guidance on life story work"
    told = await _told(sessionmaker, "policy_request.triaged")
    mine = [context for email, context in told if email == "beth.crossley@bct.example.org"]
    assert [(c["status"], c["accepted_as"], c["decision_note"]) for c in mine] == [
        ("accepted", "proposal", "Eleanor leads.")
    ]


async def test_a_request_to_refresh_guidance_becomes_its_review_and_the_hub_does_not_triage_its_own(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """ "All requests for support with developing or refreshing policies, procedures, practice
    standards or practice guidance should be emailed to the Policy Service within the Practice
    Hub": refreshing a published document is a request for its review."""
    bct = await seed(
        sessionmaker,
        "bct",
        {"owen": "policy_officer", "nadia": "admin", "eleanor": "author"},
    )
    hub = bct.headers("owen")
    practice_standards = await document_by_reference(client, hub, "PS-001")
    made = await client.post(
        "/v1/policy-requests",
        json={
            "kind": "change",
            "document_id": practice_standards["id"],
            "title": "Refresh the practice standards for supervision",
            "details": "The supervision standard predates the new case recording templates.",
        },
        headers=hub,
    )
    assert made.status_code == 201, made.text
    url = f"/v1/policy-requests/{made.json()['id']}"
    own = await client.post(
        f"{url}/accept",
        json={"into": "review"},
        headers={**hub, "If-Match": made.headers["ETag"]},
    )
    assert own.status_code == 403
    assert own.json()["rule"] == "not_own_request"
    # The Head of Service of the Practice Hub triages the Hub's own request.
    accepted = await _post(
        client,
        bct.headers("nadia"),
        f"{url}/accept",
        {"into": "review", "trigger": "practice_or_structure_change"},
    )
    review = await get_json(client, f"/v1/reviews/{accepted['review_id']}", hub)
    assert (review["document_id"], review["kind"], review["requested_by_id"]) == (
        practice_standards["id"],
        "unscheduled",
        bct.id("owen"),
    )
    document = await get_json(client, f"/v1/documents/{practice_standards['id']}", hub)
    assert document["status"] == "under_review"

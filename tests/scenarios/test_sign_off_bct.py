"""Birmingham Children's Trust sign-off matrix (seed 001), through the HTTP API on the seeded
organisation: a procedure for a single service area is signed off by the AD of the relevant
practice area and shared with the Director Leadership Group; a policy for a specific area of
practice, once sent to the meeting's attendees for consultation, is signed off by the Director
Leadership Group at its meeting."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.scenarios.seeded import (
    board_id,
    consultation_on,
    decide,
    decided_at_meeting,
    document_by_reference,
    get_json,
    latest_draft,
    respond,
    seed,
    stage,
    statuses,
)

DLG = "Director Leadership Group"


async def test_a_single_service_procedure_is_signed_off_by_its_ad_then_shared_with_dlg(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    bct = await seed(
        sessionmaker,
        "bct",
        {
            "owen": "policy_officer",  # Practice Hub Policy Officer
            "eleanor": "author",  # Head of Service, Children in Need: developed it
            "siobhan": "approver",  # AD, Children in Need and Child Protection
            "lamar": "approver",  # AD, Disabled Children: another practice area
        },
    )
    hub = bct.headers("owen")
    procedure = await document_by_reference(client, hub, "PROC-004")
    assert (procedure["category"], procedure["service_area"]) == (
        "single_service",
        "Children in Need",
    )
    draft = await latest_draft(client, hub, procedure["id"])

    # "Developed by HoS with support from Practice Hub"; sign-off: "AD of relevant practice
    # area (Shared with Director Leadership Group)".
    response = await client.post(
        "/v1/sign-offs",
        json={"document_id": procedure["id"], "version_id": draft["id"]},
        headers=bct.headers("eleanor"),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert body["route_key"] == "single_service_procedure"
    assert stage(body, "assistant_director")["participants"] == [bct.id("siobhan")]
    other_ad = await client.post(
        f"/v1/sign-offs/{body['id']}/decisions",
        json={"version_id": body["version_id"], "outcome": "approved"},
        headers=bct.headers("lamar"),
    )
    assert other_ad.status_code in (403, 404), other_ad.text

    body = await decide(client, bct.headers("siobhan"), body)
    assert body["status"] == "issued"
    document = await get_json(client, f"/v1/documents/{procedure['id']}", hub)
    assert (document["status"], document["issued_version"]) == ("published", "1.0")
    # Shared with DLG after issue, for information, and noted at its meeting.
    assert statuses(body) == {"assistant_director": "approved", "shared_with_dlg": "active"}
    body = await decided_at_meeting(
        client, hub, body, "shared_with_dlg", DLG, "noted", ask="information"
    )
    assert body["status"] == "completed"
    assert statuses(body) == {"assistant_director": "approved", "shared_with_dlg": "noted"}
    assert [(d["outcome"], d["method"]) for d in body["decisions"]] == [
        ("approved", "individual"),
        ("noted", "meeting"),
    ]


async def test_a_practice_area_policy_is_decided_by_the_director_leadership_group(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    bct = await seed(
        sessionmaker,
        "bct",
        {
            "owen": "policy_officer",  # Practice Hub Policy Officer
            "amira": "author",  # Head of Service, Participation and Voice of the Child
            # The Director Leadership Group: the meeting's attendees.
            "joe": "approver",
            "siobhan": "approver",
            "lamar": "approver",
            "nadia": "approver",
        },
    )
    hub = bct.headers("owen")
    policy = await document_by_reference(client, hub, "POL-004")
    assert (policy["kind"], policy["category"]) == ("policy", "practice_area")
    draft = await latest_draft(client, hub, policy["id"])
    assert draft["number"] == "0.2"

    # "The Practice Hub will arrange for the document to go on the forward plan and send
    # document out to meeting attendees for consultation": draft 0.2 is out to the DLG.
    consultation = await consultation_on(client, hub, policy["id"])
    assert (consultation["kind"], consultation["status"], consultation["version_id"]) == (
        "pre_meeting",
        "open",
        draft["id"],
    )
    assert consultation["board_ids"] == [await board_id(client, hub, DLG)]
    # Until it closes, the draft cannot go to the meeting.
    early = await client.post(
        "/v1/sign-offs",
        json={"document_id": policy["id"], "version_id": draft["id"]},
        headers=bct.headers("amira"),
    )
    assert early.status_code == 409, early.text
    assert [m["gate"] for m in early.json()["missing_gates"]] == ["consultation_closed"]
    # Every member responds, so the Practice Hub closes it without waiting for the deadline.
    for member in ("joe", "siobhan", "lamar", "nadia"):
        await respond(client, bct.headers(member), consultation["id"], "support")
    closed = await client.post(f"/v1/consultations/{consultation['id']}/close", headers=hub)
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"

    response = await client.post(
        "/v1/sign-offs",
        json={"document_id": policy["id"], "version_id": draft["id"]},
        headers=bct.headers("amira"),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert body["route_key"] == "practice_area"
    # "Otherwise, any decisions made at this meeting will be considered final."
    body = await decided_at_meeting(
        client, hub, body, "director_leadership_group", DLG, "approved", ask="decision"
    )
    assert body["status"] == "completed"
    document = await get_json(client, f"/v1/documents/{policy['id']}", hub)
    assert (document["status"], document["issued_version"]) == ("published", "1.0")

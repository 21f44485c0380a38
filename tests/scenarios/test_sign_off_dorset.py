"""Dorset PPP Group terms of reference (seed 004), 4.3 and 4.5, through the HTTP API on the
seeded organisation: the PPP Group approves at its monthly meeting; a Director's approval is
reported to the next PPP meeting as information; a Head of Service's interim approval is
fully approved at the next PPP meeting."""

from __future__ import annotations

from typing import Any

from dateutil.relativedelta import relativedelta
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.documents.versions import london_today
from tests.scenarios.seeded import (
    decide,
    decided_at_meeting,
    document_by_reference,
    get_json,
    item_of,
    latest_draft,
    route_id,
    seed,
    stage,
    statuses,
    upload_draft,
)

PPP = "Practice, Policy and Procedures Group"


async def _versions(client: AsyncClient, headers: dict[str, str], document_id: str) -> list[str]:
    found = await get_json(client, f"/v1/documents/{document_id}/versions", headers)
    return [v["number"] for v in found]


async def test_interim_approval_by_the_head_of_service_issues_at_once_and_ppp_ratifies_it(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    dorset = await seed(
        sessionmaker,
        "dorset",
        {
            "nicola": "policy_officer",  # Project and Policy Officer, chairs the PPP Group
            "megan": "approver",  # Head of Service, Fostering and Permanence
            "stuart": "approver",  # Head of Locality: Head of Service for other areas
        },
    )
    team = dorset.headers("nicola")
    procedure = await document_by_reference(client, team, "PROC-003")
    assert procedure["service_area"] == "Fostering"
    draft = await latest_draft(client, team, procedure["id"])
    assert draft["number"] == "0.2"

    # 4.5.2: interim approval by a Head of Service (the holder of the post for Fostering).
    response = await client.post(
        "/v1/sign-offs",
        json={
            "document_id": procedure["id"],
            "version_id": draft["id"],
            "route_id": await route_id(client, team, "interim_approval"),
            "review_interval_months": 12,
        },
        headers=team,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert statuses(body) == {"head_of_service": "active", "ppp_full_approval": "pending"}
    assert stage(body, "head_of_service")["participants"] == [dorset.id("megan")]
    elsewhere = await client.post(
        f"/v1/sign-offs/{body['id']}/decisions",
        json={"version_id": body["version_id"], "outcome": "approved"},
        headers=dorset.headers("stuart"),
    )
    assert elsewhere.status_code in (403, 404), elsewhere.text

    body = await decide(client, dorset.headers("megan"), body)
    # Issued at once: staff follow 1.0 from today ...
    assert body["status"] == "issued"
    assert body["issued_version_id"] is not None
    document = await get_json(client, f"/v1/documents/{procedure['id']}", team)
    assert (document["status"], document["issued_version"]) == ("published", "1.0")
    assert document["next_review_due"] == (london_today() + relativedelta(months=12)).isoformat()
    pending = await get_json(client, "/v1/publications?status=pending", team)
    assert [p["document_id"] for p in pending["items"]] == [procedure["id"]]
    # ... and it is presented to the next PPP meeting for full approval.
    assert statuses(body) == {"head_of_service": "approved", "ppp_full_approval": "active"}
    ratification = stage(body, "ppp_full_approval")
    assert ratification["purpose"] == "ratification"
    item = await item_of(client, team, ratification["agenda_item_id"])
    assert item["status"] == "planned"

    # A new procedure: the Group is asked for a decision, not to approve a review.
    body = await decided_at_meeting(client, team, body, "ppp_full_approval", PPP, ask="decision")
    assert body["status"] == "completed"
    assert statuses(body) == {"head_of_service": "approved", "ppp_full_approval": "approved"}
    # Ratifying issues nothing new.
    assert await _versions(client, team, procedure["id"]) == ["1.0", "0.2", "0.1"]


async def test_a_directors_approval_is_reported_to_the_next_ppp_meeting_as_information(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    dorset = await seed(
        sessionmaker,
        "dorset",
        {
            "nicola": "policy_officer",  # Project and Policy Officer
            "rachel": "author",  # Principal Social Worker: the procedure's author
            "hannah": "approver",  # Corporate Director for QA and Safeguarding Families
        },
    )
    team = dorset.headers("nicola")
    procedure = await document_by_reference(client, team, "PROC-002")
    draft = await latest_draft(client, team, procedure["id"])
    assert (procedure["issued_version"], draft["number"]) == ("1.0", "1.1")

    # 4.5.1: approval by a Director.
    response = await client.post(
        "/v1/sign-offs",
        json={
            "document_id": procedure["id"],
            "version_id": draft["id"],
            "route_id": await route_id(client, team, "director_approval"),
        },
        headers=dorset.headers("rachel"),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert stage(body, "director")["participants"] == [dorset.id("hannah")]
    body = await decide(client, dorset.headers("hannah"), body)
    assert body["status"] == "issued"
    document = await get_json(client, f"/v1/documents/{procedure['id']}", team)
    assert (document["status"], document["issued_version"]) == ("published", "2.0")
    # "... should be presented to the next PPP meeting as information items."
    assert statuses(body) == {"director": "approved", "ppp_information": "active"}
    body = await decided_at_meeting(
        client, team, body, "ppp_information", PPP, "noted", ask="information"
    )
    assert body["status"] == "completed"
    assert statuses(body) == {"director": "approved", "ppp_information": "noted"}
    assert [(d["outcome"], d["method"]) for d in body["decisions"]] == [
        ("approved", "individual"),
        ("noted", "meeting"),
    ]
    assert await _versions(client, team, procedure["id"]) == ["2.0", "1.1", "1.0"]


async def test_the_ppp_group_approves_a_revised_standard_at_its_monthly_meeting(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    dorset = await seed(
        sessionmaker,
        "dorset",
        {
            "nicola": "policy_officer",  # Project and Policy Officer, chairs the PPP Group
            "dev": "author",  # Quality Assurance Manager: the standard's responsible officer
        },
    )
    team = dorset.headers("nicola")
    standard = await document_by_reference(client, team, "PS-001")
    assert standard["issued_version"] == "1.0"
    officer = dorset.headers("dev")
    draft = await upload_draft(
        client, officer, standard["id"], "# Case recording\nRecord within 2 working days."
    )
    assert draft["number"] == "1.1"

    # 4.3: the Group agrees and approves documentation within its scope; 8.1: the review
    # schedule is agreed when it is approved.
    response = await client.post(
        "/v1/sign-offs",
        json={
            "document_id": standard["id"],
            "version_id": draft["id"],
            "review_interval_months": 24,
        },
        headers=officer,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert body["route_key"] == "ppp_group"
    body = await decided_at_meeting(
        client, team, body, "ppp_group", PPP, "approved", ask="review_approval"
    )
    assert body["status"] == "completed"
    document = await get_json(client, f"/v1/documents/{standard['id']}", team)
    assert (document["status"], document["issued_version"]) == ("published", "2.0")
    assert document["next_review_due"] == (london_today() + relativedelta(months=24)).isoformat()

"""Dorset PPP Group terms of reference (seed 004), 2.1 and the Group's aims, through the HTTP
API on the seeded organisation:

    "2.1 [...] It is also responsible for assisting in the development and review of guidance
    documents of the Pan Dorset Safeguarding Children Partnership, but final approval of these
    rests with the Multi-Agency Practice Policy and Procedures Group."

    "The group will also function as Children's Services' preliminary approval mechanism for
    multi-agency partnership documents prior to final partnership governance."

So a partnership document takes its own route: the PPP Group's preliminary approval at its
meeting, then the Multi-Agency PPP Group's final approval, recorded from that group's minutes
by Dorset's members; nothing is issued until the second. Children's Services' own documents
keep the PPP Group's route.
"""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.scenarios.seeded import (
    decided_at_meeting,
    document_by_reference,
    get_json,
    latest_draft,
    seed,
    stage,
    statuses,
)

PPP = "Practice, Policy and Procedures Group"
MAPPP = "Multi-Agency Practice Policy and Procedures Group"


async def test_a_partnership_document_is_approved_by_the_ppp_group_first_and_finally_by_the_mappp(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    dorset = await seed(
        sessionmaker,
        "dorset",
        {
            "nicola": "policy_officer",  # Project and Policy Officer, chairs the PPP Group
            "dev": "author",  # Quality Assurance Manager: the procedure's author
        },
    )
    team = dorset.headers("nicola")
    procedure = await document_by_reference(client, team, "PROC-004")
    assert procedure["category"] == "Pan Dorset Safeguarding Children Partnership"
    draft = await latest_draft(client, team, procedure["id"])

    # The route is chosen by the document's category: no route needs naming.
    ready = await get_json(
        client,
        f"/v1/sign-offs/readiness?document_id={procedure['id']}&version_id={draft['id']}",
        team,
    )
    assert ready["route_key"] == "multi_agency_partnership"
    response = await client.post(
        "/v1/sign-offs",
        json={"document_id": procedure["id"], "version_id": draft["id"]},
        headers=dorset.headers("dev"),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert statuses(body) == {"ppp_preliminary": "active", "multi_agency": "pending"}

    # Preliminary approval at the PPP Group's meeting issues nothing ...
    body = await decided_at_meeting(client, team, body, "ppp_preliminary", PPP)
    assert statuses(body) == {"ppp_preliminary": "approved", "multi_agency": "active"}
    assert body["status"] == "in_progress"
    document = await get_json(client, f"/v1/documents/{procedure['id']}", team)
    assert document["issued_version"] is None
    # ... the draft goes on the Multi-Agency PPP Group's agenda, and its approval, minuted by
    # Dorset's members, is the final one.
    assert stage(body, "multi_agency")["agenda_item_id"] is not None
    body = await decided_at_meeting(client, team, body, "multi_agency", MAPPP)
    assert body["status"] == "completed" and body["issued_version_id"] is not None
    document = await get_json(client, f"/v1/documents/{procedure['id']}", team)
    assert (document["status"], document["issued_version"]) == ("published", "1.0")
    assert MAPPP in document["approved_by"], document["approved_by"]

    # Children's Services' own procedures still go to the PPP Group alone.
    own = await document_by_reference(client, team, "PROC-003")
    own_draft = await latest_draft(client, team, own["id"])
    own_ready = await get_json(
        client,
        f"/v1/sign-offs/readiness?document_id={own['id']}&version_id={own_draft['id']}",
        team,
    )
    assert own_ready["route_key"] == "ppp_group"

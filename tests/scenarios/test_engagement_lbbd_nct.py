"""Engagement sessions on the seeded organisations, through the HTTP API.

LBBD Policy and Procedure Development Process (seed 000), stage 4:

    "4. Carry out co-production workshops/focus groups together with staff members and
    residents
    The author is responsible for co-producing the policy/procedure together with other
    colleagues and residents. This can be done through workshops or focus groups."

NCT Procedures Manual maintenance guidance (seed 003), 4.1 Review Sessions (the brief called it
5.1; in the seed 5.1 is about a gap needing a new procedure):

    "4.1.1 Depending on the scope of the review, it may be necessary to convene a Review
    Session to allow relevant professionals the opportunity to agree what (if any) amendments
    are required. The decision to convene a Review Session will be at the discretion of the RO.
    4.1.2 The RO can obtain assistance with organising and undertaking Review Sessions from the
    Policy and Procedures Officer."

So: the author records a workshop with colleagues and residents (people of the organisation
and people from outside it by name) on the draft it shaped; a route that names the gate holds
the sign-off until a session has been held on the draft.
"""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import london_today
from tests.scenarios.seeded import (
    document_by_reference,
    get_json,
    register_document,
    seed,
    upload_draft,
)


async def _record(
    client: AsyncClient, headers: dict[str, str], document_id: str, **body: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/documents/{document_id}/engagement-sessions", json=body, headers=headers
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    data["etag"] = response.headers["ETag"]
    return data


async def test_lbbd_the_author_co_produces_the_draft_with_colleagues_and_residents(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    lbbd = await seed(
        sessionmaker,
        "lbbd",
        {
            "priya": "policy_officer",  # Policy and Procedure Officer
            "grace": "author",  # Team Manager, Locality Social Work: the appointed author
            "tomasz": "reader",  # Senior Social Worker: a colleague, not named on it
        },
    )
    officer, author = lbbd.headers("priya"), lbbd.headers("grace")
    procedure = await register_document(
        client, officer, reference="PROC-050", title="Carers' Assessments",
        kind="procedure", service_area="Carers", owner_id=lbbd.id("priya"),
        author_id=lbbd.id("grace"), responsible_officer_id=lbbd.id("grace"),
    )  # fmt: skip
    draft = await upload_draft(client, author, procedure["id"], "# Carers' assessments")
    workshop = await _record(
        client, author, procedure["id"],
        kind="co_production", title="Co-production workshop with carers",
        held_on=london_today().isoformat(), version_id=draft["id"], status="held",
        facilitator_id=lbbd.id("grace"),
        attendees=[
            {"person_id": lbbd.id("tomasz")},
            {"name": "A carer", "organisation": "Barking and Dagenham Carers' Forum"},
        ],
        notes="Carers asked to be offered the assessment at the first contact.",
        actions=[{"text": "Offer the assessment at first contact (section 2)",
                  "owner_id": lbbd.id("grace")}],
    )  # fmt: skip
    assert workshop["status"] == "held" and workshop["version_id"] == draft["id"]
    # A colleague who came is not thereby allowed to change the record.
    refused = await client.post(
        f"/v1/documents/{procedure['id']}/engagement-sessions",
        json={"kind": "workshop", "title": "Mine", "held_on": london_today().isoformat()},
        headers=lbbd.headers("tomasz"),
    )
    assert refused.status_code == 403
    timeline = await get_json(client, f"/v1/documents/{procedure['id']}/timeline", officer)
    [held] = [e for e in timeline["entries"] if e["type"] == "engagement_session.held"]
    assert "with 2 attendees, 1 action agreed" in held["summary"]
    # The demo's own workshop on the review of the development process itself (PROC-001).
    process = await document_by_reference(client, officer, "PROC-001")
    listed = await get_json(client, f"/v1/documents/{process['id']}/engagement-sessions", officer)
    [demo] = listed["items"]
    assert demo["kind"] == "co_production" and demo["status"] == "held"
    assert any(a["organisation"] for a in demo["attendees"] if a["name"])


async def test_nct_a_route_needing_a_review_session_waits_until_one_is_held(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    nct = await seed(
        sessionmaker,
        "nct",
        {
            "andrea": "policy_officer",  # Policy and Procedures Officer
            "rebecca": "approver",  # Strategic Manager, Child Protection: the RSM
            "laura": "author",  # Practice Manager, Child Protection: the RO
        },
    )
    officer, ro = nct.headers("andrea"), nct.headers("laura")
    route = await client.post(
        "/v1/routes",
        json={
            "key": "review_session_first",
            "name": "RSM sign-off after a Review Session",
            "is_alternative": True,
            "definition": {
                "gates": ["engagement_session_held"],
                "stages": [{"key": "rsm", "name": "RSM",
                            "decider": {"kind": "document_role", "role": "owner"}}],
            },
        },
        headers=officer,
    )  # fmt: skip
    assert route.status_code == 201, route.text
    procedure = await register_document(
        client, officer, reference="PROC-060", title="Core Groups", kind="procedure",
        service_area="Child Protection", owner_id=nct.id("rebecca"),
        responsible_officer_id=nct.id("laura"), author_id=nct.id("laura"),
    )  # fmt: skip
    draft = await upload_draft(client, ro, procedure["id"], "# Core groups\nWithin 10 days.")
    submission = {
        "document_id": procedure["id"],
        "version_id": draft["id"],
        "route_id": route.json()["id"],
    }
    early = await client.post("/v1/sign-offs", json=submission, headers=ro)
    assert early.status_code == 409, early.text
    assert [g["gate"] for g in early.json()["missing_gates"]] == ["engagement_session_held"]
    # 4.1.1: the RO convenes it; 4.1.2: the Policy and Procedures Officer helps run it.
    planned = await _record(
        client, ro, procedure["id"], kind="review_session",
        title="Review Session: Core Groups", held_on=london_today().isoformat(),
        version_id=draft["id"], facilitator_id=nct.id("andrea"),
    )  # fmt: skip
    assert (await client.post("/v1/sign-offs", json=submission, headers=ro)).status_code == 409
    held = await client.patch(
        f"/v1/engagement-sessions/{planned['id']}",
        json={
            "status": "held",
            "attendees": [{"person_id": nct.id("rebecca")}, {"person_id": nct.id("laura")}],
            "notes": "Agreed amendments: core group within 10 working days of the conference.",
        },
        headers={**officer, "If-Match": planned["etag"]},
    )
    assert held.status_code == 200, held.text
    submitted = await client.post("/v1/sign-offs", json=submission, headers=ro)
    assert submitted.status_code == 201, submitted.text
    # The demo's Review Session on Section 47 Enquiries, with a partner agency's nurse.
    s47 = await document_by_reference(client, officer, "PROC-001")
    [demo] = (await get_json(client, f"/v1/documents/{s47['id']}/engagement-sessions", officer))[
        "items"
    ]
    assert demo["kind"] == "review_session" and demo["version_id"] is not None

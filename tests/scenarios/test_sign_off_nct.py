"""NCT Procedures Manual maintenance guidance (seed 003), 3.4 and 6.1, through the HTTP API on
the seeded organisation: the Responsible Officer sends the draft to the Responsible Strategic
Manager, who approves, conditionally approves or defers to the SLT; conditions set by the SLT
come back to the RSM; several RSMs are coordinated by the Policy and Procedures Officer."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.scenarios.seeded import (
    board_id,
    decide,
    decided_at_meeting,
    get_json,
    register_document,
    route_id,
    seed,
    send_amendment,
    stage,
    upload_draft,
)

SLT = "Senior Leadership Team (SLT)"


async def test_conditions_a_deferral_to_slt_and_slt_conditions_all_come_back_to_the_rsm(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    nct = await seed(
        sessionmaker,
        "nct",
        {
            "andrea": "policy_officer",  # Policy and Procedures Officer
            "rebecca": "approver",  # Strategic Manager, Child Protection: the RSM
            "laura": "author",  # Practice Manager, Child Protection: the RO
            "martin": "approver",  # Director of Children's Services, chairs SLT
            "simon": "approver",  # Assistant Director, Quality and Performance
        },
    )
    officer = nct.headers("andrea")
    ro = nct.headers("laura")
    rsm = nct.headers("rebecca")
    procedure = await register_document(
        client,
        officer,
        reference="PROC-010",
        title="Child Protection Conferences",
        kind="procedure",
        service_area="Child Protection",
        owner_id=nct.id("rebecca"),
        responsible_officer_id=nct.id("laura"),
        author_id=nct.id("laura"),
        review_interval_months=24,
    )
    document_id = procedure["id"]
    first = await upload_draft(client, ro, document_id, "# Conferences\nWithin 15 days.")
    assert first["number"] == "0.1"

    # 3.4 (a) vi: "ROs will send draft procedures to the RSM for approval (sign off)."
    response = await client.post(
        "/v1/sign-offs",
        json={"document_id": document_id, "version_id": first["id"]},
        headers=ro,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert body["route_key"] == "rsm_sign_off"
    rsm_stage = stage(body, "rsm")
    assert (rsm_stage["status"], rsm_stage["participants"]) == ("active", [nct.id("rebecca")])

    # vii: the RSM approves with conditions; the RO makes the amendments.
    body = await decide(
        client, rsm, body, "approved_with_conditions", conditions=["Name the LADO in section 2."]
    )
    assert (body["status"], body["check_stage_id"]) == ("awaiting_amendment", rsm_stage["id"])
    second = await upload_draft(client, ro, document_id, "# Conferences\nWithin 15 days. LADO.")
    assert second["number"] == "0.2"
    body = await send_amendment(client, ro, body, second["id"])
    assert (body["status"], body["version_number"]) == ("in_progress", "0.2")
    assert (stage(body, "rsm")["status"], stage(body, "rsm")["round"]) == ("active", 2)

    # 2.3.3: "The decision to submit procedures to SLT should be discussed with the RSM's
    # Assistant Director." A deferral that names nobody is refused, saying so.
    undiscussed = await client.post(
        f"/v1/sign-offs/{body['id']}/decisions",
        json={"version_id": body["version_id"], "outcome": "deferred"},
        headers=rsm,
    )
    assert undiscussed.status_code == 422, undiscussed.text
    assert "with the RSM's Assistant Director first" in undiscussed.json()["detail"]
    for who in (nct.id("rebecca"), "00000000-0000-7000-8000-000000000000"):
        wrong = await client.post(
            f"/v1/sign-offs/{body['id']}/decisions",
            json={"version_id": body["version_id"], "outcome": "deferred",
                  "discussed_with_id": who},
            headers=rsm,
        )  # fmt: skip
        assert wrong.status_code == 422, wrong.text
    # Discussed with the AD, the RSM defers decision making to the SLT: the route names it,
    # so no body is given.
    body = await decide(
        client, rsm, body, "deferred", reasons="Changes the threshold.",
        discussed_with_id=nct.id("simon"),
    )  # fmt: skip
    assert body["decisions"][-1]["discussed_with_id"] == nct.id("simon")
    timeline = await get_json(client, f"/v1/documents/{document_id}/timeline", officer)
    assert any(
        "having discussed it with Simon Harte" in e["summary"] for e in timeline["entries"]
    ), timeline
    assert stage(body, "rsm")["status"] == "deferred"
    (referral,) = [s for s in body["stages"] if s["deferred_from_id"] == rsm_stage["id"]]
    assert referral["board_id"] == await board_id(client, officer, SLT)
    assert body["decisions"][-1]["referred_to"]["board_id"] == referral["board_id"]
    # The RSM can no longer decide: the SLT does, at its meeting.
    late = await client.post(
        f"/v1/sign-offs/{body['id']}/decisions",
        json={"version_id": body["version_id"], "outcome": "approved"},
        headers=rsm,
    )
    assert late.status_code == 409, late.text

    # SLT approves with conditions at its meeting.
    body = await decided_at_meeting(
        client,
        officer,
        body,
        referral["key"],
        SLT,
        "approved_with_conditions",
        ask="decision",
        conditions=["Add the timescale for the review conference."],
    )
    assert body["status"] == "awaiting_amendment"
    # 3.4 a vii 2-3: the amended draft goes back to the RSM, not to SLT.
    assert body["check_stage_id"] == rsm_stage["id"]
    third = await upload_draft(
        client, ro, document_id, "# Conferences\nWithin 15 days. LADO. Review in 3 months."
    )
    assert third["number"] == "0.3"
    body = await send_amendment(client, ro, body, third["id"])
    assert (stage(body, "rsm")["status"], stage(body, "rsm")["round"]) == ("active", 3)
    assert stage(body, referral["key"])["status"] == "conditions_set"
    slt_chair = await client.post(
        f"/v1/sign-offs/{body['id']}/decisions",
        json={"version_id": body["version_id"], "outcome": "approved"},
        headers=nct.headers("martin"),
    )
    assert slt_chair.status_code in (403, 404), slt_chair.text

    body = await decide(client, rsm, body)
    assert body["status"] == "completed"
    assert {s["key"]: s["status"] for s in body["stages"]} == {
        "rsm": "approved",
        referral["key"]: "approved",
    }
    assert [(d["outcome"], d["method"], d["version_id"]) for d in body["decisions"]] == [
        ("approved_with_conditions", "individual", first["id"]),
        ("deferred", "individual", second["id"]),
        ("approved_with_conditions", "meeting", second["id"]),
        ("approved", "individual", third["id"]),
    ]

    document = await get_json(client, f"/v1/documents/{document_id}", officer)
    assert (document["status"], document["issued_version"]) == ("published", "1.0")
    # 3.4 (a) viii: the Policy and Procedures Officer uploads it to the Manual.
    pending = await get_json(client, "/v1/publications?status=pending", officer)
    assert [(p["document_id"], p["version_number"]) for p in pending["items"]] == [
        (document_id, "1.0")
    ]


async def test_several_rsms_named_by_the_policy_and_procedures_officer_must_all_approve(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    nct = await seed(
        sessionmaker,
        "nct",
        {
            "andrea": "policy_officer",  # Policy and Procedures Officer
            "rebecca": "approver",  # RSM, Child Protection
            "imran": "approver",  # RSM, Children in Need and Front Door
            "chloe": "author",  # RO, MASH and Assessment
        },
    )
    officer = nct.headers("andrea")
    # A procedure covering the activities of multiple services (3.4 a vi a).
    procedure = await register_document(
        client,
        officer,
        reference="PROC-011",
        title="Step-up and Step-down between Child in Need and Child Protection",
        kind="procedure",
        service_area="Children in Need",
        owner_id=nct.id("imran"),
        responsible_officer_id=nct.id("chloe"),
        author_id=nct.id("chloe"),
    )
    document_id = procedure["id"]
    draft = await upload_draft(
        client, nct.headers("chloe"), document_id, "# Step-up\nJoint review session held."
    )
    several = await route_id(client, officer, "several_rsms")
    # 6.1: the draft returns to the Policy and Procedures Officer, who coordinates approval.
    unnamed = await client.post(
        "/v1/sign-offs",
        json={"document_id": document_id, "version_id": draft["id"], "route_id": several},
        headers=officer,
    )
    assert unnamed.status_code == 422, unnamed.text
    rsms = [nct.id("rebecca"), nct.id("imran")]
    response = await client.post(
        "/v1/sign-offs",
        json={
            "document_id": document_id,
            "version_id": draft["id"],
            "route_id": several,
            "approvers": {"rsms": rsms},
        },
        headers=officer,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert body["route_key"] == "several_rsms"
    rsms_stage = stage(body, "rsms")
    assert sorted(rsms_stage["participants"]) == sorted(rsms)
    assert rsms_stage["required"] == 2

    body = await decide(client, nct.headers("rebecca"), body)
    assert (body["status"], stage(body, "rsms")["status"]) == ("in_progress", "active")
    document = await get_json(client, f"/v1/documents/{document_id}", officer)
    assert (document["status"], document["issued_version"]) == ("awaiting_approval", None)
    body = await decide(client, nct.headers("imran"), body)
    assert (body["status"], stage(body, "rsms")["status"]) == ("completed", "approved")
    assert sorted(d["decided_by_id"] for d in body["decisions"]) == sorted(rsms)
    document = await get_json(client, f"/v1/documents/{document_id}", officer)
    assert (document["status"], document["issued_version"]) == ("published", "1.0")

"""LBBD Policy and Procedure Development Process (seed 000), stages 5, 7 and 9, through the HTTP
API on the seeded organisation: the Charging for Care and Support Policy (POL-003) is screened
for equality impact, legally reviewed, shared at OMT, signed off by the Adults Improvement
Board, skips the Cabinet Member, goes to the Executive Group and, as a key decision, to
Cabinet.

Informing without deciding, stage 9: "1. Shared at OMT (Operational Management Team) and with
other relevant Heads of Service" and "3. Decide if this should be shared with or signed off by
the Cabinet Member for Health and Social Care Integration (Cllr Worby) at a portfolio meeting":
the Heads of Service are shown the draft when OMT's stage starts, the Cabinet Member when the
Adults Improvement Board's does; they acknowledge it, and nobody waits for them."""

from __future__ import annotations

from typing import Any

from dateutil.relativedelta import relativedelta
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import london_today
from tests.scenarios.seeded import (
    decided_at_meeting,
    document_by_reference,
    get_json,
    latest_draft,
    seed,
    stage,
    statuses,
)

OMT = "Operational Management Team (OMT)"
AIB = "Adults Improvement Board"
EXECUTIVE_GROUP = "Executive Group"
CABINET = "Cabinet"


def _informed(body: dict[str, Any], key: str) -> dict[str, str | None]:
    """Who the stage showed the draft to, and as which post."""
    stage_id = stage(body, key)["id"]
    return {i["person_id"]: i["post"] for i in body["informed"] if i["stage_id"] == stage_id}


async def _complete_eia(
    client: AsyncClient,
    headers: dict[str, str],
    document_id: str,
    version_id: str,
    kind: str,
    outcome: str,
) -> None:
    questions = await get_json(client, "/v1/equality-assessments/questions", headers)
    created = await client.post(
        "/v1/equality-assessments",
        json={
            "document_id": document_id,
            "version_id": version_id,
            "kind": kind,
            "relevance": {**dict.fromkeys(questions["categories"], "low"), "age": "high"},
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    completed = await client.post(
        f"/v1/equality-assessments/{created.json()['id']}/complete",
        json={"outcome": outcome},
        headers={**headers, "If-Match": created.headers["ETag"]},
    )
    assert completed.status_code == 200, completed.text


async def test_a_key_decision_goes_from_omt_through_the_improvement_board_to_cabinet(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    lbbd = await seed(
        sessionmaker,
        "lbbd",
        {
            "priya": "policy_officer",  # Policy and Procedure Officer: keeps the minutes
            "daniel": "approver",  # Head of Service, Care and Support: the policy's RO
            "fiona": "reader",  # Senior Lawyer, Legal Services
            "rosalind": "approver",  # Cabinet Member for Health and Social Care Integration
            "joanne": "approver",  # Head of Service, Adult Safeguarding
        },
    )
    team = lbbd.headers("priya")
    officer = lbbd.headers("daniel")
    policy = await document_by_reference(client, team, "POL-003")
    document_id = policy["id"]
    assert policy["responsible_officer_id"] == lbbd.id("daniel")
    draft = await latest_draft(client, team, document_id)
    assert draft["number"] == "1.1"
    answers = {"cabinet_member": False, "executive_group": True, "key_decision": True}

    async def submit() -> Any:
        return await client.post(
            "/v1/sign-offs",
            json={"document_id": document_id, "version_id": draft["id"], "answers": answers},
            headers=officer,
        )

    # Stage 7: legal review asked for; stage 5 not yet done.
    asked = await client.post(
        "/v1/legal-reviews",
        json={
            "document_id": document_id,
            "version_id": draft["id"],
            "question": "Do the new charging bands follow the Care Act 2014 charging rules?",
            "reviewer_id": lbbd.id("fiona"),
        },
        headers=officer,
    )
    assert asked.status_code == 201, asked.text
    refused = await submit()
    assert refused.status_code == 409, refused.text
    assert [m["gate"] for m in refused.json()["missing_gates"]] == ["eia_screened", "legal_review"]
    answered = await client.post(
        f"/v1/legal-reviews/{asked.json()['id']}/answer",
        json={
            "advice": "Lawful, provided the financial assessment is offered.",
            "outcome": "no_concerns",
        },
        headers=lbbd.headers("fiona"),
    )
    assert answered.status_code == 200, answered.text
    # Without the EIA the submission is still refused, naming the gate.
    refused = await submit()
    assert refused.status_code == 409, refused.text
    assert [m["gate"] for m in refused.json()["missing_gates"]] == ["eia_screened"]
    assert "equality impact" in refused.json()["missing_gates"][0]["detail"]

    # Stage 5: the screening finds possible adverse impact (older people pay more), so a full
    # EIA follows; until it is done the gate stays closed.
    await _complete_eia(
        client, officer, document_id, draft["id"], "screening", "possible_adverse_impact"
    )
    refused = await submit()
    assert refused.status_code == 409
    assert "full EIA" in refused.json()["missing_gates"][0]["detail"]
    await _complete_eia(
        client, officer, document_id, draft["id"], "full", "adverse_impact_justified"
    )
    readiness = await get_json(
        client, f"/v1/sign-offs/readiness?document_id={document_id}", officer
    )
    assert (readiness["route_key"], readiness["is_ready"]) == (
        "policy_and_procedure_approval",
        True,
    )
    # The refused submissions started no sign-off.
    opened = await get_json(client, f"/v1/sign-offs?document_id={document_id}", team)
    assert opened["items"] == []

    # Stage 9.
    response = await submit()
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert body["answers"] == answers
    # 1. Shared at OMT and with other relevant Heads of Service: for information.
    assert statuses(body) == {
        "omt": "active",
        "adults_improvement_board": "pending",
        "cabinet_member": "pending",
        "executive_group": "pending",
        "cabinet": "pending",
    }
    # The Heads of Service are shown the draft (the route's inform), to acknowledge it.
    assert _informed(body, "omt") == {
        lbbd.id("marcus"): "head_of_service",
        lbbd.id("joanne"): "head_of_service",
        lbbd.id("daniel"): "head_of_service",
    }
    body = await decided_at_meeting(client, team, body, "omt", OMT, "noted", ask="information")
    assert stage(body, "omt")["status"] == "noted"
    # 2. Signed off by the Adults Improvement Board. 3. "shared with" the Cabinet Member: she is
    # shown the draft when the board's stage starts, even where she does not sign it off.
    assert _informed(body, "adults_improvement_board") == {lbbd.id("rosalind"): "cabinet_member"}
    body = await decided_at_meeting(
        client, team, body, "adults_improvement_board", AIB, ask="review_approval"
    )
    # 3. Not for the Cabinet Member; 4. for the Executive Group.
    assert statuses(body)["cabinet_member"] == "skipped"
    assert stage(body, "cabinet_member")["participants"] == []
    body = await decided_at_meeting(client, team, body, "executive_group", EXECUTIVE_GROUP)
    # 5. A key decision: Cabinet approval.
    assert body["status"] == "in_progress"
    body = await decided_at_meeting(client, team, body, "cabinet", CABINET)
    assert body["status"] == "completed"
    assert statuses(body) == {
        "omt": "noted",
        "adults_improvement_board": "approved",
        "cabinet_member": "skipped",
        "executive_group": "approved",
        "cabinet": "approved",
    }
    assert [d["outcome"] for d in body["decisions"]] == [
        "noted",
        "approved",
        "approved",
        "approved",
    ]
    assert all(d["method"] == "meeting" for d in body["decisions"])
    # The Cabinet Member was never asked to decide; she was shown it, and nobody waited for
    # her acknowledgement (or anyone's) before the issue.
    awaiting = await get_json(client, "/v1/sign-offs?awaiting_me=true", lbbd.headers("rosalind"))
    assert awaiting["items"] == []
    assert [i["acknowledged_at"] for i in body["informed"]] == [None] * 4
    # A Head of Service acknowledges her own; she cannot for the Cabinet Member, nor can the
    # policy officer for anyone.
    for other in ("priya",):
        refused = await client.post(
            f"/v1/sign-offs/{body['id']}/acknowledgements", json={}, headers=lbbd.headers(other)
        )
        assert refused.status_code == 403, refused.text
    seen = await client.post(
        f"/v1/sign-offs/{body['id']}/acknowledgements",
        json={"comment": "Seen; safeguarding teams to be briefed on the new charging bands."},
        headers=lbbd.headers("joanne"),
    )
    assert seen.status_code == 200, seen.text
    acknowledged = {i["person_id"] for i in seen.json()["informed"] if i["acknowledged_at"]}
    assert acknowledged == {lbbd.id("joanne")}
    shown = await get_json(client, f"/v1/sign-offs/{body['id']}", lbbd.headers("rosalind"))
    assert shown["id"] == body["id"]

    # Issued: 1.0 is superseded by 2.0; stage 11: the review schedule of 12-18 months agreed
    # for POL-003 (18) stands, the route's 12 months apply only where none is agreed; queued
    # for TRI.X.
    document = await get_json(client, f"/v1/documents/{document_id}", team)
    assert (document["status"], document["issued_version"]) == ("published", "2.0")
    assert document["review_interval_months"] == 18
    assert document["next_review_due"] == (london_today() + relativedelta(months=18)).isoformat()
    pending = await get_json(
        client, f"/v1/publications?status=pending&document_id={document_id}", team
    )
    assert [(p["version_number"], p["action"]) for p in pending["items"]] == [("2.0", "upload")]

"""Dorset PPP Group terms of reference (seed 004), 4.3 and 4.5, through the HTTP API on the
seeded organisation: the PPP Group approves at its monthly meeting; a Director's approval is
reported to the next PPP meeting as information; a Head of Service's interim approval is
fully approved at the next PPP meeting."""

from __future__ import annotations

from typing import Any

from dateutil.relativedelta import relativedelta
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import london_today
from tests.scenarios.seeded import (
    decide,
    decided_at_meeting,
    document_by_reference,
    get_json,
    item_of,
    latest_draft,
    register_document,
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
    # The register shows who approved the version in force and when (4.5.2: interim approval).
    assert (document["approved_by"], document["approved_on"]) == (
        "Interim approval by a Head of Service (Megan Halloran)",
        london_today().isoformat(),
    )
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
    # 4.3: the Group approved it at its meeting (held yesterday).
    yesterday = (london_today() - relativedelta(days=1)).isoformat()
    assert (document["approved_by"], document["approved_on"]) == (PPP, yesterday)


# 4.5.2 when the PPP Group does not give full approval: the interim version is withdrawn.
REFUSAL = "The Group wants the Fostering Network consulted before this is used."
TRIX_PAGE = "https://dorset.trixonline.example/chapters/qa-visits"


async def _interim_issue(
    client: AsyncClient, dorset: Any, document_id: str, draft_id: str, submitter: str
) -> dict[str, Any]:
    """Interim approval by the Head of Service (the organisation-wide holder, Stuart):
    the draft is issued at once and goes to the next PPP meeting for full approval."""
    team = dorset.headers("nicola")
    response = await client.post(
        "/v1/sign-offs",
        json={
            "document_id": document_id,
            "version_id": draft_id,
            "route_id": await route_id(client, team, "interim_approval"),
            "review_interval_months": 24,
        },
        headers=dorset.headers(submitter),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert stage(body, "head_of_service")["participants"] == [dorset.id("stuart")]
    body = await decide(client, dorset.headers("stuart"), body)
    assert body["status"] == "issued"
    assert statuses(body) == {"head_of_service": "approved", "ppp_full_approval": "active"}
    return body


async def _new_qa_procedure(client: AsyncClient, dorset: Any) -> tuple[str, str]:
    """A new QA procedure written by Dev, never issued: draft 0.1."""
    document = await register_document(
        client,
        dorset.headers("nicola"),
        reference="PROC-QA-009",
        title="Quality Assurance Practice Visits Procedure",
        kind="procedure",
        service_area="Quality Assurance",
        owner_id=dorset.id("gavin"),
        responsible_officer_id=dorset.id("dev"),
        author_id=dorset.id("dev"),
    )
    draft = await upload_draft(
        client,
        dorset.headers("dev"),
        document["id"],
        "# Practice visits\n**Purpose:** Visits.\n**Scope:** All teams.\nTwice a year.",
    )
    assert draft["number"] == "0.1"
    return document["id"], draft["id"]


async def _queue(client: AsyncClient, team: dict[str, str], document_id: str) -> list[Any]:
    found = await get_json(client, f"/v1/publications?document_id={document_id}", team)
    return [
        (p["action"], p["version_number"], p["status"], p["reason"], p["trix_url"])
        for p in found["items"]
    ]


async def test_refused_ratification_withdraws_an_interim_first_issue_never_uploaded(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    dorset = await seed(
        sessionmaker,
        "dorset",
        {
            "nicola": "policy_officer",  # Project and Policy Officer, chairs the PPP Group
            "dev": "author",  # Quality Assurance Manager: writes the procedure
            "stuart": "approver",  # Head of Service (organisation-wide holder)
        },
    )
    team = dorset.headers("nicola")
    document_id, draft_id = await _new_qa_procedure(client, dorset)
    body = await _interim_issue(client, dorset, document_id, draft_id, "dev")
    document = await get_json(client, f"/v1/documents/{document_id}", team)
    assert (document["status"], document["issued_version"]) == ("published", "1.0")
    assert await _queue(client, team, document_id) == [("upload", "1.0", "pending", "issued", None)]

    # The PPP Group does not give its full approval.
    body = await decided_at_meeting(
        client, team, body, "ppp_full_approval", PPP, "rejected", ask="decision", text=REFUSAL
    )
    assert body["status"] == "ratification_refused"
    assert statuses(body) == {"head_of_service": "approved", "ppp_full_approval": "rejected"}

    # 1.0 is withdrawn: no version is in force, and the document is a draft again (the
    # Group refused this version, not the document: it is redrafted, not retired).
    document = await get_json(client, f"/v1/documents/{document_id}", team)
    assert (document["status"], document["issued_version"]) == ("draft", None)
    assert document["next_review_due"] is None
    # Every version is kept; 1.0 records when and why it was withdrawn.
    versions = await get_json(client, f"/v1/documents/{document_id}/versions", team)
    assert [v["number"] for v in versions] == ["1.0", "0.1"]
    assert versions[0]["withdrawn_at"] is not None
    assert REFUSAL in versions[0]["withdrawn_reason"]
    assert versions[1]["withdrawn_at"] is None
    # The upload never happened: it leaves the queue, and there is nothing to remove.
    queue = await _queue(client, team, document_id)
    assert [q[:3] for q in queue] == [("upload", "1.0", "cancelled")]
    pending = await get_json(client, "/v1/publications?status=pending", team)
    assert pending["items"] == []
    # The paper trail shows the withdrawal.
    timeline = await get_json(client, f"/v1/documents/{document_id}/timeline", team)
    withdrawn = [e for e in timeline["entries"] if e["type"] == "document.withdrawn"]
    assert len(withdrawn) == 1
    assert "Version 1.0 withdrawn" in withdrawn[0]["summary"]
    assert "no version is in force" in withdrawn[0]["summary"]
    assert withdrawn[0]["refs"]["sign_off_id"] == body["id"]
    # A new draft goes on from the withdrawn issue; the next issue is 2.0.
    redraft = await upload_draft(
        client,
        dorset.headers("dev"),
        document_id,
        "# Visits\n**Purpose:** Visits.\n**Scope:** All.\nRevised.",
    )
    assert redraft["number"] == "1.1"


async def test_refused_ratification_after_the_interim_issue_was_uploaded_queues_its_removal(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    dorset = await seed(
        sessionmaker,
        "dorset",
        {
            "nicola": "policy_officer",
            "dev": "author",
            "stuart": "approver",
            "trix": "integration",  # the Tri.x upload script
        },
    )
    team = dorset.headers("nicola")
    document_id, draft_id = await _new_qa_procedure(client, dorset)
    body = await _interim_issue(client, dorset, document_id, draft_id, "dev")
    script = dorset.headers("trix")
    [upload] = (await get_json(client, "/v1/publications?status=pending", script))["items"]
    done = await client.post(
        f"/v1/publications/{upload['id']}/uploaded", json={"trix_url": TRIX_PAGE}, headers=script
    )
    assert done.status_code == 200, done.text
    search = "/v1/documents?q=twice"  # words of the body only
    assert [d["id"] for d in (await get_json(client, search, script))["items"]] == [document_id]

    body = await decided_at_meeting(
        client, team, body, "ppp_full_approval", PPP, "rejected", ask="decision", text=REFUSAL
    )
    assert body["status"] == "ratification_refused"
    document = await get_json(client, f"/v1/documents/{document_id}", team)
    assert (document["status"], document["issued_version"]) == ("draft", None)
    # 1.0 is on Tri.x: its page is queued for removal.
    assert await _queue(client, team, document_id) == [
        ("upload", "1.0", "done", "issued", TRIX_PAGE),
        ("remove", "1.0", "pending", "withdrawn", TRIX_PAGE),
    ]
    # Its text is no longer found as published text.
    assert (await get_json(client, search, script))["items"] == []


async def test_refused_ratification_puts_the_previous_issue_back_in_force(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    dorset = await seed(
        sessionmaker,
        "dorset",
        {
            "nicola": "policy_officer",
            "dev": "author",  # Quality Assurance Manager: the standard's responsible officer
            "stuart": "approver",
        },
    )
    team = dorset.headers("nicola")
    standard = await document_by_reference(client, team, "PS-001")
    before = await get_json(client, f"/v1/documents/{standard['id']}", team)
    assert (before["status"], before["issued_version"]) == ("published", "1.0")
    assert before["next_review_due"] < london_today().isoformat()  # overdue for review
    draft = await upload_draft(
        client, dorset.headers("dev"), standard["id"], "# Case recording\nWithin 2 working days."
    )
    body = await _interim_issue(client, dorset, standard["id"], draft["id"], "dev")
    issued = await get_json(client, f"/v1/documents/{standard['id']}", team)
    assert issued["issued_version"] == "2.0"
    assert issued["next_review_due"] == (london_today() + relativedelta(months=24)).isoformat()

    body = await decided_at_meeting(
        client,
        team,
        body,
        "ppp_full_approval",
        PPP,
        "rejected",
        ask="review_approval",
        text=REFUSAL,
    )
    assert body["status"] == "ratification_refused"
    # 1.0 is in force again, as it was before the interim issue.
    after = await get_json(client, f"/v1/documents/{standard['id']}", team)
    # The register says again who approved 1.0 and when (Dorset's register fields), not the
    # Head of Service whose interim approval was refused.
    assert before["approved_by"] is not None
    for field in (
        "status",
        "issued_version",
        "next_review_due",
        "review_interval_months",
        "approved_by",
        "approved_on",
        "forms_aligned",
    ):
        assert after[field] == before[field], field
    versions = {
        v["number"]: v
        for v in await get_json(client, f"/v1/documents/{standard['id']}/versions", team)
    }
    assert versions["2.0"]["withdrawn_at"] is not None
    assert (versions["1.0"]["withdrawn_at"], versions["1.0"]["superseded_on"]) == (None, None)
    # 2.0 never reaches Tri.x; 1.0 is queued for upload again.
    assert await _queue(client, team, standard["id"]) == [
        ("upload", "2.0", "cancelled", "issued", None),
        ("upload", "1.0", "pending", "reinstated", None),
    ]
    timeline = await get_json(client, f"/v1/documents/{standard['id']}/timeline", team)
    [withdrawn] = [e for e in timeline["entries"] if e["type"] == "document.withdrawn"]
    assert "Version 2.0 withdrawn" in withdrawn["summary"]
    assert "version 1.0 is in force again" in withdrawn["summary"]

"""Dorset Council Children's Services, PPP Group terms of reference (seed 004), xi and 1.1,
through the HTTP API on the seeded organisation:

    "xi) Develop systems for monitoring the use of approved documents to provide CSLT with
    assurance that governance is effective."

    "viii) Identify any training or system changes required by the adoption of a new or
    revised governance document, and work with colleagues to implement these."

    "1.1 The purpose of the group is to ensure the development, approval and governance of
    policy and procedures and identify any practice changes required as a result. This will
    also include ensuring our casework recording systems support any policy and guidance
    changes. [...] Finally, the Group is responsible for ascertaining that all approved
    documents are issued in a manner that ensures their effective implementation, including
    developing systems for monitoring and auditing uptake."

So: the practice changes and the recording-system changes a document calls for are monitoring
actions with owners and dates (the Mosaic change, the case file audit); each owner sees their
own list, and the overdue ones are listed across the organisation; the organisation's report
(every document in force with anything to report, its uptake, and every overdue action) is
put to the xCSLT as a paper by the Chair of the PPP Group and kept as tabled, so CSLT has its
assurance; only the policy team tables the organisation's report.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import london_today
from tests.scenarios.seeded import board_id, document_by_reference, get_json, seed

CASE_RECORDING = "PS-001"  # owned by Gavin Mortimer, Head of QA; written by Dev Mistry
EARLY_HELP = "PROC-001"  # its Mosaic form's alignment is overdue in the demo
XCSLT = "Extended Children's Services Leadership Team (xCSLT)"


async def test_the_use_of_approved_documents_is_monitored_and_reported_to_cslt(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    dorset = await seed(
        sessionmaker,
        "dorset",
        {
            "nicola": "policy_officer",  # Project and Policy Officer, Chair of the PPP Group
            "gavin": "approver",  # Head of QA and Partnerships: PS-001's owner
            "dev": "author",  # QA Manager: PS-001's author
            "louise": "author",  # QA Manager
            "ashley": "author",  # Mosaic Lead
            "hannah": "approver",  # Corporate Director: sits on xCSLT
        },
    )
    chair = dorset.headers("nicola")
    standards = await document_by_reference(client, chair, CASE_RECORDING)
    today = london_today()

    # 1.1 "identify any practice changes required as a result": the document's author sets one.
    practice = await client.post(
        f"/v1/documents/{standards['id']}/monitoring-actions",
        json={
            "title": "Team managers record their oversight in every case file each month",
            "description": "A practice change the standards call for.",
            "owner_id": dorset.id("louise"),
            "due_on": (today + timedelta(days=60)).isoformat(),
        },
        headers=dorset.headers("dev"),
    )
    assert practice.status_code == 201, practice.text
    # viii "Identify any training or system changes required by the adoption of a new or
    # revised governance document": the training, owned by a colleague, is an action too.
    training = await client.post(
        f"/v1/documents/{standards['id']}/monitoring-actions",
        json={
            "title": "Training: briefing sessions on the revised standards for team managers",
            "description": "Training the adoption of the standards requires (viii).",
            "owner_id": dorset.id("hannah"),
            "due_on": (today + timedelta(days=45)).isoformat(),
        },
        headers=dorset.headers("dev"),
    )
    assert training.status_code == 201, training.text
    report = await get_json(client, f"/v1/documents/{standards['id']}/implementation-report", chair)
    assert any(a["title"].startswith("Training:") for a in report["actions"]), report
    # The Mosaic Lead is given actions but does not set them on a document not theirs.
    not_theirs = await client.post(
        f"/v1/documents/{standards['id']}/monitoring-actions",
        json={"title": "x", "owner_id": dorset.id("ashley"), "due_on": today.isoformat()},
        headers=dorset.headers("ashley"),
    )
    assert not_theirs.status_code == 403, not_theirs.text

    # Each owner sees their own list; the overdue ones are listed across the organisation.
    mine = await get_json(
        client, f"/v1/monitoring-actions?owner_id={dorset.id('louise')}", dorset.headers("louise")
    )
    assert {a["title"] for a in mine["items"]} == {
        "Audit 20 case files per locality for recording against the standards",
        "Team managers record their oversight in every case file each month",
    }
    overdue = await get_json(client, "/v1/monitoring-actions?overdue=true", chair)
    assert [a["title"] for a in overdue["items"]] == [
        "Confirm the Early Help Mosaic form is aligned with the procedure"
    ]

    # 1.1 "ensuring our casework recording systems support any policy and guidance changes":
    # the Mosaic change is done, with its evidence and outcome, on the document's report.
    report = await get_json(client, f"/v1/documents/{standards['id']}/implementation-report", chair)
    [mosaic] = [a for a in report["actions"] if a["title"].startswith("Mosaic")]
    assert (mosaic["status"], mosaic["evidence_count"]) == ("done", 1)
    assert "QA team checked ten new records" in mosaic["outcome"]

    # xi "to provide CSLT with assurance that governance is effective": the organisation's
    # report, to the xCSLT, by the Chair; not by a QA Manager.
    xcslt = await board_id(client, chair, XCSLT)
    body = {"board_id": xcslt, "notes": "Dorset xi: monitoring the use of approved documents."}
    refused = await client.post(
        "/v1/implementation-report/tabling", json=body, headers=dorset.headers("dev")
    )
    assert refused.status_code == 403, refused.text
    tabled = await client.post("/v1/implementation-report/tabling", json=body, headers=chair)
    assert tabled.status_code == 201, tabled.text
    kept = tabled.json()["report"]
    by_reference = {row["document"]["reference"]: row for row in kept["documents"]}
    assert set(by_reference) == {CASE_RECORDING, EARLY_HELP}
    assert by_reference[CASE_RECORDING]["counts"] == {
        "open": 3,  # the practice change, the training and the audit
        "overdue": 0,
        "done": 1,
        "cancelled": 0,
    }
    assert [a["document_reference"] for a in kept["overdue_actions"]] == [EARLY_HELP]
    item = await get_json(
        client, f"/v1/agenda-items/{tabled.json()['agenda_item_id']}", dorset.headers("hannah")
    )
    assert (item["board_id"], item["title"]) == (xcslt, "Implementation report: documents in force")
    page = await client.get(
        f"/v1/implementation-reports/{tabled.json()['id']}.html", headers=dorset.headers("hannah")
    )
    assert page.status_code == 200 and f"tabled to {XCSLT}" in page.text.replace("&#39;", "'")

    # 1.1 "monitoring and auditing uptake": the register as a spreadsheet for the audit trail.
    sheet = await client.get("/v1/implementation-report.csv", headers=chair)
    rows = list(csv.DictReader(io.StringIO(sheet.text.lstrip("\ufeff"))))
    assert {r["Document"] for r in rows} == {CASE_RECORDING, EARLY_HELP}

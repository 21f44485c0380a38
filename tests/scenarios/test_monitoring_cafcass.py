"""Cafcass Policy Development Framework (seed 002), 7.4 and 8, through the HTTP API on the
seeded organisation:

    "7.4 The Policy Author should monitor the rate of policy implementation through OPC and
    identify any potential delays or issues. Where issues are being raised such as confusion
    around the meaning of certain text then these should be referred to the Policy Sponsor or
    lead officer. A report on the level of policy compliance should be circulated amongst
    ECMT."

    "8.1 All Cafcass policies are subject to an annual review [...] It is also essential to
    galvanise views from across the organisation about the success of the policy, what has
    worked what hasn't consider where there may be gaps and identify any newly emerging needs
    or issues."
    "8.2 It may be necessary to plan a communications exercise in Channel C, or the intranet to
    generate discussion and feedback."
    "8.3 If as a result of the review essential aspect of the policy are changed it will again
    be important to run a similar communications exercise as occurred in the initiation
    implementation of the policy and the OPC will need to be used to highlight any key
    changes."

So: the Policy Author (Harriet) sets monitoring actions on the Safeguarding Policy in force,
each with an owner and a due date; the Regional Director records the evidence from the OPC and
completes hers with its outcome; an overdue action is shown as such; the report (actions,
uptake, the Bristol team's dis-application, open requests) goes on the ECMT's agenda as a paper
and is kept as tabled; the annual review opens carrying those findings, and a communications
exercise for the review (8.2, 8.3) is itself a monitoring action set while it runs.
"""

from __future__ import annotations

from datetime import timedelta

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import london_today
from tests.scenarios.seeded import board_id, document_by_reference, get_json, seed

SAFEGUARDING_POLICY = "POL-001"  # sponsored by Mark Penrose; authored by Harriet Vance
ECMT = "Extended Corporate Management Team (ECMT)"


async def test_the_policy_author_monitors_implementation_and_reports_it_to_ecmt(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    cafcass = await seed(
        sessionmaker,
        "cafcass",
        {
            "harriet": "author",  # Corporate Strategist, the Policy Author
            "yasmin": "author",  # Regional Director, the lead officer
            "gareth": "reader",  # Head of Communications
            "mark": "approver",  # Corporate Director, Operations: the Policy Sponsor
            "sunita": "reader",  # Head of Profession: a member of staff
        },
    )
    author = cafcass.headers("harriet")
    policy = await document_by_reference(client, author, SAFEGUARDING_POLICY)
    assert (policy["owner_id"], policy["author_id"]) == (cafcass.id("mark"), cafcass.id("harriet"))
    today = london_today()

    # "monitor the rate of policy implementation through OPC": an action for the Regional
    # Director, by a date, set by the Policy Author.
    set_one = await client.post(
        f"/v1/documents/{policy['id']}/monitoring-actions",
        json={
            "title": "South West: OPC implementation tasks completed by every team",
            "owner_id": cafcass.id("yasmin"),
            "due_on": (today + timedelta(days=21)).isoformat(),
        },
        headers=author,
    )
    assert set_one.status_code == 201, set_one.text
    action = set_one.json()
    # A member of staff does not set the Policy Author's monitoring.
    refused = await client.post(
        f"/v1/documents/{policy['id']}/monitoring-actions",
        json={"title": "x", "owner_id": cafcass.id("sunita"), "due_on": today.isoformat()},
        headers=cafcass.headers("sunita"),
    )
    assert refused.status_code == 403, refused.text

    # The lead officer records what the OPC shows, then completes it with its outcome.
    url = f"/v1/monitoring-actions/{action['id']}"
    evidence = await client.post(
        f"{url}/evidence",
        json={
            "note": "OPC at week 6: 11 of 12 South West teams have completed the tasks.",
            "url": "https://opc.cafcass.example.org/policies/POL-001/south-west",
        },
        headers=cafcass.headers("yasmin"),
    )
    assert evidence.status_code == 201, evidence.text
    done = await client.post(
        f"{url}/completion",
        json={"outcome": "All but Bristol complete; Bristol runs under its dis-application."},
        headers=cafcass.headers("yasmin"),
    )
    assert done.status_code == 200 and done.json()["status"] == "done", done.text

    # "identify any potential delays": the demo's Channel C article is overdue.
    report = await get_json(
        client, f"/v1/documents/{policy['id']}/implementation-report", cafcass.headers("sunita")
    )
    overdue = [a["title"] for a in report["actions"] if a["is_overdue"]]
    assert overdue == ["Channel C article on the launch and the implementation timescale"]
    # "confusion around the meaning of certain text [...] referred to the Policy Sponsor":
    # the demo's question on 4.1 is answered, with its outcome on the report.
    outcomes = {a["title"]: a["outcome"] for a in report["actions"] if a["status"] == "done"}
    assert (
        "Mark Penrose (Policy Sponsor)"
        in outcomes["Answer the questions raised on the meaning of 4.1 (joint home visits)"]
    )
    assert report["counts"] == {"open": 2, "overdue": 1, "done": 2, "cancelled": 0}
    assert [d["applies_to"] for d in report["dis_applications_in_force"]] == [
        "South West region (Bristol team)"
    ]

    # "A report on the level of policy compliance should be circulated amongst ECMT."
    ecmt = await board_id(client, author, ECMT)
    tabled = await client.post(
        f"/v1/documents/{policy['id']}/implementation-report/tabling",
        json={"board_id": ecmt, "notes": "Cafcass 7.4: the level of policy compliance."},
        headers=author,
    )
    assert tabled.status_code == 201, tabled.text
    item = await get_json(
        client, f"/v1/agenda-items/{tabled.json()['agenda_item_id']}", cafcass.headers("mark")
    )
    assert (item["board_id"], item["ask"]) == (ecmt, "information")
    assert item["title"] == "Implementation report: POL-001 Safeguarding Policy"
    kept = await get_json(
        client, f"/v1/implementation-reports/{tabled.json()['id']}", cafcass.headers("mark")
    )
    assert kept["report"]["counts"]["overdue"] == 1

    # 8.1: the annual review opens carrying what monitoring found.
    opened = await client.post(
        "/v1/reviews",
        json={"document_id": policy["id"], "kind": "scheduled"},
        headers=author,
    )
    assert opened.status_code == 201, opened.text
    findings = opened.json()["monitoring"]
    assert [a["title"] for a in findings["overdue_actions"]] == overdue
    assert len(findings["outcomes"]) == 2
    assert findings["last_reported"]["implementation_report_id"] == tabled.json()["id"]
    assert findings["open_actions_policy"] == "carried_into_review"

    # 8.2 and 8.3: the review's communications exercise is itself an action, while it runs.
    exercise = await client.post(
        f"/v1/documents/{policy['id']}/monitoring-actions",
        json={
            "title": "Channel C: invite views on the policy for its annual review",
            "description": "Cafcass 8.2: dialogue with FCAs and practice managers.",
            "owner_id": cafcass.id("gareth"),
            "due_on": (today + timedelta(days=14)).isoformat(),
        },
        headers=author,
    )
    assert exercise.status_code == 201, exercise.text
    read = await get_json(client, f"/v1/reviews/{opened.json()['id']}", author)
    assert "Channel C: invite views on the policy for its annual review" in {
        a["title"] for a in read["monitoring"]["open_actions"]
    }

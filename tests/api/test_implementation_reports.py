"""The implementation report through the API (Cafcass 7.4, Dorset xi): a document's and the
organisation's, in JSON, CSV and HTML; acknowledgement uptake; tabled to a board meeting as a
paper and kept as tabled; carried into the document's review, where open actions do not block
completing it."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy import select

from services.domain.clock import london_today, utcnow
from services.domain.models.acknowledgements import (
    Acknowledgement,
    AcknowledgementReason,
    AcknowledgementRequest,
    AcknowledgementStatus,
)
from services.domain.models.documents import DocumentVersion
from tests.api.assessments_support import events_of, with_etag
from tests.api.boards_support import create_board, create_meeting, in_days
from tests.api.dis_applications_support import approved, in_force_document
from tests.api.monitoring_support import action_body, backdate, set_action
from tests.api.policy_requests_support import ask
from tests.factories import World


async def _story(client: AsyncClient, world: World) -> dict[str, Any]:
    """A policy in force with an open action, an overdue one, one done, a dis-application in
    force and an open request to change it."""
    a = world.a
    document_id = await in_force_document(client, a)
    po = a.policy_officer.headers
    open_one = (await set_action(client, document_id, po, action_body(a))).json()
    late = (
        await set_action(
            client, document_id, po, action_body(a, title="Brief the Service Managers")
        )
    ).json()
    await backdate(world, late["id"], london_today() - timedelta(days=3))
    done = (
        await set_action(client, document_id, po, action_body(a, title="Update the OPC tasks"))
    ).json()
    completed = await client.post(
        f"/v1/monitoring-actions/{done['id']}/completion",
        json={"outcome": "=All regions have the tasks"},
        headers=a.reader.headers,
    )
    assert completed.status_code == 200, completed.text
    dis_application = await approved(client, a, document_id)
    request = await ask(
        client,
        a.reader.headers,
        kind="change",
        document_id=document_id,
        title="Say what 4.1 means when no social worker is allocated",
    )
    return {
        "document_id": document_id,
        "open": open_one["id"],
        "late": late["id"],
        "done": done["id"],
        "dis_application": dis_application["id"],
        "request": request["id"],
    }


async def _ask_to_acknowledge(world: World, document_id: str, confirmed: int) -> None:
    """Three people asked to acknowledge the version in force, ``confirmed`` of them done
    (the acknowledgements' own API is another item's: here its tables are written)."""
    a = world.a
    async with world.sessionmaker() as session, session.begin():
        version = (
            await session.execute(
                select(DocumentVersion).where(
                    DocumentVersion.document_id == uuid.UUID(document_id),
                    DocumentVersion.major == 1,
                    DocumentVersion.minor == 0,
                )
            )
        ).scalar_one()
        request = AcknowledgementRequest(
            id=uuid.uuid4(),
            organisation_id=a.id,
            document_id=version.document_id,
            version_id=version.id,
            version_number=version.number,
            reason=AcknowledgementReason.ISSUED,
            audience={"person_ids": []},
            due_on=london_today() + timedelta(days=10),
        )
        session.add(request)
        await session.flush()
        for index, member in enumerate((a.reader, a.author, a.approver)):
            yes = index < confirmed
            session.add(
                Acknowledgement(
                    organisation_id=a.id,
                    request_id=request.id,
                    person_id=member.person_id,
                    status=AcknowledgementStatus.CONFIRMED
                    if yes
                    else AcknowledgementStatus.PENDING,
                    acknowledged_at=utcnow() if yes else None,
                    via="api" if yes else None,
                )
            )


async def test_a_documents_report_shows_actions_dis_applications_requests_and_no_uptake(
    client: AsyncClient, world: World
) -> None:
    story = await _story(client, world)
    url = f"/v1/documents/{story['document_id']}/implementation-report"
    got = await client.get(url, headers=world.a.reader.headers)
    assert got.status_code == 200, got.text
    report = got.json()
    assert report["scope"] == "document"
    assert report["counts"] == {"open": 2, "overdue": 1, "done": 1, "cancelled": 0}
    by_id = {a["id"]: a for a in report["actions"]}
    assert by_id[story["late"]]["is_overdue"] is True
    assert by_id[story["done"]]["outcome"] == "=All regions have the tasks"
    assert [d["id"] for d in report["dis_applications_in_force"]] == [story["dis_application"]]
    assert [r["id"] for r in report["open_requests"]] == [story["request"]]
    # Nobody has been asked to acknowledge the version in force: not measured, not 0%.
    assert report["uptake"] is None

    html = await client.get(f"{url}.html", headers=world.a.reader.headers)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "Acknowledgement uptake</dt><dd>not measured" in html.text
    assert "Brief the Service Managers" in html.text and "overdue" in html.text
    assert "default-src 'none'" in html.headers["Content-Security-Policy"]

    spreadsheet = await client.get(f"{url}.csv", headers=world.a.reader.headers)
    assert spreadsheet.status_code == 200
    rows = list(csv.DictReader(io.StringIO(spreadsheet.text.lstrip("\ufeff"))))
    assert len(rows) == 3
    # A formula is shown as text in a spreadsheet, never run.
    assert {r["Outcome or reason"] for r in rows} >= {"'=All regions have the tasks"}
    assert {r["Overdue"] for r in rows} == {"Yes", "No"}

    foreign = await client.get(url, headers=world.b.reader.headers)
    assert foreign.status_code == 404


async def test_uptake_is_the_share_of_those_asked_who_confirmed(
    client: AsyncClient, world: World
) -> None:
    document_id = await in_force_document(client, world.a)
    await _ask_to_acknowledge(world, document_id, confirmed=2)
    got = await client.get(
        f"/v1/documents/{document_id}/implementation-report", headers=world.a.reader.headers
    )
    uptake = got.json()["uptake"]
    assert (uptake["asked"], uptake["confirmed"], uptake["pending"], uptake["percent"]) == (
        3,
        2,
        1,
        66.7,
    )
    assert uptake["version"] == "1.0"


async def test_the_organisations_report_lists_documents_with_anything_to_report(
    client: AsyncClient, world: World
) -> None:
    story = await _story(client, world)
    quiet = await in_force_document(client, world.a)
    got = await client.get("/v1/implementation-report", headers=world.a.reader.headers)
    assert got.status_code == 200, got.text
    report = got.json()
    assert [row["document"]["id"] for row in report["documents"]] == [story["document_id"]]
    assert quiet not in {row["document"]["id"] for row in report["documents"]}
    [row] = report["documents"]
    assert (row["dis_applications_in_force"], row["open_requests"]) == (1, 1)
    assert [a["id"] for a in report["overdue_actions"]] == [story["late"]]
    assert report["overdue_actions"][0]["document_reference"] == row["document"]["reference"]
    spreadsheet = await client.get("/v1/implementation-report.csv", headers=world.a.reader.headers)
    rows = list(csv.DictReader(io.StringIO(spreadsheet.text.lstrip("\ufeff"))))
    assert [(r["Open actions"], r["Overdue actions"], r["Uptake %"]) for r in rows] == [
        ("2", "1", "")
    ]
    assert rows[0]["Asked to acknowledge"] == "not measured"
    empty = await client.get("/v1/implementation-report", headers=world.b.reader.headers)
    assert empty.json()["documents"] == []


async def test_the_report_is_tabled_to_a_board_meeting_and_kept_as_tabled(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    story = await _story(client, world)
    board = await create_board(client, world, name="Extended Corporate Management Team")
    meeting = await create_meeting(client, world, board["id"], in_days(35))
    body = {"board_id": board["id"], "meeting_id": meeting["id"], "notes": "For assurance."}
    url = f"/v1/documents/{story['document_id']}/implementation-report/tabling"

    # A member of staff not named on the document does not table it; another organisation's
    # board answers as a missing one.
    refused = await client.post(url, json=body, headers=a.author.headers)
    assert refused.status_code == 403, refused.text
    foreign = await client.post(
        url, json={"board_id": board["id"]}, headers=world.b.policy_officer.headers
    )
    assert foreign.status_code == 404, foreign.text

    tabled = await client.post(url, json=body, headers=a.policy_officer.headers)
    assert tabled.status_code == 201, tabled.text
    kept = tabled.json()
    assert tabled.headers["Location"] == f"/v1/implementation-reports/{kept['id']}"
    assert (kept["meeting_id"], kept["report"]["counts"]["open"]) == (meeting["id"], 2)

    agenda = await client.get(f"/v1/meetings/{meeting['id']}/agenda", headers=a.reader.headers)
    assert agenda.status_code == 200, agenda.text
    items = [i for s in agenda.json()["sections"] for i in s["items"]]
    [item] = [i for i in items if i["id"] == kept["agenda_item_id"]]
    assert item["title"].startswith("Implementation report: ")
    assert item["ask"] == "information"
    assert item["notes"].startswith("For assurance.")
    assert f"/v1/implementation-reports/{kept['id']}" in item["notes"]
    assert "2 open (1 overdue)" in item["notes"]
    assert [
        e["agenda_item_id"] for e in await events_of(world, "implementation_report.tabled")
    ] == [kept["agenda_item_id"]]

    # What the board was told stays as it was, whatever is done since.
    await client.post(
        f"/v1/monitoring-actions/{story['open']}/completion",
        json={"outcome": "Done after the meeting."},
        headers=a.reader.headers,
    )
    again = await client.get(f"/v1/implementation-reports/{kept['id']}", headers=a.reader.headers)
    assert again.json()["report"]["counts"]["open"] == 2
    live = await client.get(
        f"/v1/documents/{story['document_id']}/implementation-report", headers=a.reader.headers
    )
    assert live.json()["counts"]["open"] == 1
    page = await client.get(
        f"/v1/implementation-reports/{kept['id']}.html", headers=a.reader.headers
    )
    assert "tabled to Extended Corporate Management Team" in page.text

    # The document's timeline tells the story: each action, its close, the report tabled.
    timeline = await client.get(
        f"/v1/documents/{story['document_id']}/timeline", headers=a.policy_officer.headers
    )
    assert timeline.status_code == 200, timeline.text
    kinds = [e["type"] for e in timeline.json()["entries"]]
    assert kinds.count("monitoring_action.created") == 3
    assert kinds.count("monitoring_action.done") == 2
    assert kinds.count("implementation_report.tabled") == 1
    [entry] = [e for e in timeline.json()["entries"] if e["type"] == "implementation_report.tabled"]
    assert entry["refs"]["implementation_report_id"] == kept["id"]

    # The organisation's report is the policy team's to table (Dorset xi: to CSLT).
    org_url = "/v1/implementation-report/tabling"
    by_owner = await client.post(org_url, json=body, headers=a.approver.headers)
    assert by_owner.status_code == 403, by_owner.text
    whole = await client.post(org_url, json=body, headers=a.policy_officer.headers)
    assert whole.status_code == 201, whole.text
    assert whole.json()["document_id"] is None
    assert whole.json()["report"]["scope"] == "organisation"


async def test_a_review_carries_the_findings_and_open_actions_do_not_block_completing_it(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    story = await _story(client, world)
    board = await create_board(client, world)
    meeting = await create_meeting(client, world, board["id"], in_days(35))
    tabled = await client.post(
        f"/v1/documents/{story['document_id']}/implementation-report/tabling",
        json={"board_id": board["id"], "meeting_id": meeting["id"]},
        headers=a.policy_officer.headers,
    )
    assert tabled.status_code == 201, tabled.text

    opened = await client.post(
        "/v1/reviews",
        json={"document_id": story["document_id"], "kind": "scheduled"},
        headers=a.policy_officer.headers,
    )
    assert opened.status_code == 201, opened.text
    findings = opened.json()["monitoring"]
    assert findings["open_actions_policy"] == "carried_into_review"
    assert {x["id"] for x in findings["open_actions"]} == {story["open"], story["late"]}
    assert [x["id"] for x in findings["overdue_actions"]] == [story["late"]]
    assert [(x["id"], x["outcome"]) for x in findings["outcomes"]] == [
        (story["done"], "=All regions have the tasks")
    ]
    assert findings["last_reported"]["implementation_report_id"] == tabled.json()["id"]
    assert findings["uptake"] is None
    review_id = opened.json()["id"]
    read = await client.get(f"/v1/reviews/{review_id}", headers=a.approver.headers)
    assert read.json()["monitoring"]["counts"] == findings["counts"]

    # No change, with two actions still open: the review completes, the actions stay open.
    got = await client.get(f"/v1/reviews/{review_id}", headers=a.policy_officer.headers)
    stated = await client.post(
        f"/v1/reviews/{review_id}/no-change",
        json={"statement": "Reviewed: no change; implementation continues."},
        headers=with_etag(a.approver.headers, got),
    )
    assert stated.status_code == 200, stated.text
    confirmed = await client.post(
        f"/v1/reviews/{review_id}/confirm", headers=with_etag(a.policy_officer.headers, stated)
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "completed"
    still = await client.get(f"/v1/monitoring-actions/{story['late']}", headers=a.reader.headers)
    assert still.json()["status"] == "open"

    # The next review picks them up again.
    second = await client.post(
        "/v1/reviews",
        json={"document_id": story["document_id"], "kind": "scheduled"},
        headers=a.policy_officer.headers,
    )
    assert second.status_code == 201, second.text
    assert {x["id"] for x in second.json()["monitoring"]["open_actions"]} == {
        story["open"],
        story["late"],
    }

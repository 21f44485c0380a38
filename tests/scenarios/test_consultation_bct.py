"""Birmingham Children's Trust, "Policy Process" (seed 001), through the HTTP API on the seeded
organisation: a policy for a specific area of practice goes to the Director Leadership Group's
attendees for consultation before the meeting that decides it. "The deadline for responses
will be three days prior to the meeting." "Lack of response by the consultation deadline will
be taken as agreement with the content of the document." "Second drafts will incorporate
comments/ amendments received during the consultation period", and go to the meeting."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import LONDON, london_today
from tests.scenarios.seeded import (
    board_id,
    decided_at_meeting,
    get_json,
    item_of,
    open_consultation,
    register_document,
    respond,
    responses_by_name,
    seed,
    stage,
    sweep_at_deadline,
    upload_draft,
)

DLG = "Director Leadership Group"


async def test_dlg_members_are_consulted_before_the_meeting_and_silence_counts_as_agreement(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    bct = await seed(
        sessionmaker,
        "bct",
        {
            "owen": "policy_officer",  # Practice Hub Policy Officer
            "eleanor": "author",  # Head of Service, Children in Need: drafts it
            # The Director Leadership Group: the meeting's attendees.
            "joe": "approver",  # chair
            "siobhan": "approver",
            "lamar": "approver",
            "nadia": "approver",
        },
    )
    hub = bct.headers("owen")
    author = bct.headers("eleanor")
    policy = await register_document(
        client,
        hub,
        reference="POL-005",
        title="Family Network Meetings Policy",
        summary="When families are offered a family network meeting, and who chairs it.",
        kind="policy",
        category="practice_area",
        service_area="Children in Need",
        owner_id=bct.id("siobhan"),
        responsible_officer_id=bct.id("eleanor"),
        author_id=bct.id("eleanor"),
    )
    document_id = policy["id"]
    await upload_draft(client, author, document_id, "# Family network meetings\nOutline.", "0.1")
    consulted = await upload_draft(
        client,
        author,
        document_id,
        "# Family network meetings\nEvery family in need is offered a family network meeting.",
        "First draft agreed by the Head of Service, for consultation",
    )
    assert consulted["number"] == "0.2"

    # Not ready for the meeting: the draft has not been out to its attendees.
    readiness = await get_json(client, f"/v1/sign-offs/readiness?document_id={document_id}", hub)
    assert readiness["route_key"] == "practice_area"
    assert [m["gate"] for m in readiness["missing_gates"]] == ["consultation_closed"]
    assert readiness["is_ready"] is False

    # The forward plan: the DLG's next meeting, set 13 days from today so that "two weeks
    # prior to meeting" has begun and the circulation goes out at once.
    dlg = await board_id(client, hub, DLG)
    upcoming = await client.get(
        "/v1/meetings",
        params={"board_id": dlg, "status": "scheduled", "from": datetime.now(LONDON).isoformat()},
        headers=hub,
    )
    assert upcoming.status_code == 200, upcoming.text
    meeting_id = upcoming.json()["items"][0]["id"]
    got = await client.get(f"/v1/meetings/{meeting_id}", headers=hub)
    meeting_on = london_today() + timedelta(days=13)
    moved = await client.patch(
        f"/v1/meetings/{meeting_id}",
        json={"starts_at": datetime.combine(meeting_on, time(9, 30), tzinfo=LONDON).isoformat()},
        headers={**hub, "If-Match": got.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.text
    deadlines = moved.json()["deadlines"]
    # The board's rules: consultation opens two weeks before, responses three days before.
    assert date.fromisoformat(deadlines["consultation_opens"]) <= meeting_on - timedelta(weeks=2)
    responses_due = date.fromisoformat(deadlines["consultation_responses"])
    assert meeting_on - timedelta(days=6) <= responses_due <= meeting_on - timedelta(days=3)

    # "The Practice Hub will ... send document out to meeting attendees for consultation."
    consultation = await open_consultation(
        client,
        hub,
        document_id=document_id,
        version_id=consulted["id"],
        kind="pre_meeting",
        meeting_id=meeting_id,
        audience={"boards": [dlg]},
        description="Draft 0.2 for the Director Leadership Group. No response by the "
        "deadline will be taken as agreement with the content of the document.",
    )
    consultation_id = consultation["id"]
    assert consultation["status"] == "open"
    assert consultation["closes_on"] == deadlines["consultation_responses"]
    assert consultation["closing_rule"] == {"relative_to": "meeting", "amount": None, "unit": None}
    # The practice-area route says silence counts as agreement.
    assert consultation["deemed_agreement"] is True
    asked = await get_json(client, f"/v1/consultations/{consultation_id}/consultees", hub)
    assert sorted(c["name"] for c in asked) == [
        "Joe Whitlock",
        "Lamar Bennett",
        "Nadia Rahman",
        "Siobhan Carver",
    ]
    assert {c["via_board_id"] for c in asked} == {dlg}
    document = await get_json(client, f"/v1/documents/{document_id}", hub)
    assert document["status"] == "in_consultation"
    readiness = await get_json(client, f"/v1/sign-offs/readiness?document_id={document_id}", hub)
    (waiting,) = readiness["missing_gates"]
    assert waiting["gate"] == "consultation_closed" and "is open" in waiting["detail"]

    # Three members respond, one with comments; Lamar stays silent.
    await respond(client, bct.headers("joe"), consultation_id, "support")
    commented = await respond(
        client,
        bct.headers("siobhan"),
        consultation_id,
        "support_with_comments",
        comments="Say who chairs the meeting, and offer it within five working days.",
    )
    await respond(client, bct.headers("nadia"), consultation_id, "support")
    before = await responses_by_name(client, hub, consultation_id)
    assert sorted(before) == ["Joe Whitlock", "Nadia Rahman", "Siobhan Carver"]

    # The deadline passes: the sweep closes it, and Lamar's silence is taken as agreement.
    await sweep_at_deadline(sessionmaker, consultation)
    closed = await get_json(client, f"/v1/consultations/{consultation_id}", hub)
    assert closed["status"] == "closed"
    assert closed["closed_at"] == consultation["closes_at"]
    assert closed["closed_by_id"] is None
    after = await responses_by_name(client, hub, consultation_id)
    assert {name: r["position"] for name, r in after.items()} == {
        "Joe Whitlock": "support",
        "Siobhan Carver": "support_with_comments",
        "Nadia Rahman": "support",
        "Lamar Bennett": "deemed_agreement",
    }
    assert after["Lamar Bennett"]["is_deemed_agreement"] is True
    assert after["Lamar Bennett"]["submitted_at"] == consultation["closes_at"]
    assert not any(r["is_late"] for r in after.values())

    # "Second drafts will incorporate comments/ amendments received during the consultation
    # period": draft 0.3, and the author records how the comment was handled in it.
    second = await upload_draft(
        client,
        author,
        document_id,
        "# Family network meetings\nEvery family in need is offered a family network meeting "
        "within five working days, chaired by an independent coordinator.",
        "Second draft: consultation comments incorporated",
    )
    assert second["number"] == "0.3"
    url = f"/v1/consultations/{consultation_id}/responses/{commented['id']}"
    read = await client.get(url, headers=author)
    assert read.status_code == 200, read.text
    analysed = await client.patch(
        url,
        json={
            "themes": ["chairing", "timescales"],
            "handling": "accepted",
            "handling_note": "0.3 names the chair and offers the meeting within five days.",
            "addressed_in_version_id": second["id"],
        },
        headers={**author, "If-Match": read.headers["ETag"]},
    )
    assert analysed.status_code == 200, analysed.text

    # The report for the meeting: every response, the themes, and deemed agreement apart.
    report: dict[str, Any] = await get_json(
        client, f"/v1/consultations/{consultation_id}/report", hub
    )
    assert (report["status"], report["version_number"], report["deemed_agreement"]) == (
        "closed",
        "0.2",
        True,
    )
    assert report["counts"] == {
        "consultees": 4,
        "responded": 3,
        "late": 0,
        "deemed": 1,
        "not_responded": 0,
        "awaiting_handling": 0,
    }
    assert report["by_position"] == {
        "support": 2,
        "support_with_comments": 1,
        "object": 0,
        "no_view": 0,
        "deemed_agreement": 1,
    }
    assert [t["theme"] for t in report["themes"]] == ["chairing", "timescales"]
    assert [d["consultee"]["name"] for d in report["deemed"]] == ["Lamar Bennett"]
    assert report["non_responders"] == []
    (handled,) = [r for r in report["responses"] if r["comments"]]
    assert (handled["consultee"]["name"], handled["handling"], handled["addressed_in_version"]) == (
        "Siobhan Carver",
        "accepted",
        "0.3",
    )
    assert handled["consultee"]["via_board"] == DLG

    # The second draft is ready for the meeting it was circulated for.
    readiness = await get_json(client, f"/v1/sign-offs/readiness?document_id={document_id}", hub)
    assert readiness["version_id"] == second["id"]
    assert readiness["missing_gates"] == []
    assert readiness["is_ready"] is True
    response = await client.post(
        "/v1/sign-offs",
        json={"document_id": document_id, "version_id": second["id"]},
        headers=author,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert (body["route_key"], body["version_number"]) == ("practice_area", "0.3")
    item = await item_of(client, hub, stage(body, "director_leadership_group")["agenda_item_id"])
    assert item["meeting_id"] == consultation["meeting_id"] == meeting_id
    body = await decided_at_meeting(
        client, hub, body, "director_leadership_group", DLG, "approved", ask="decision"
    )
    assert body["status"] == "completed"
    document = await get_json(client, f"/v1/documents/{document_id}", hub)
    assert (document["status"], document["issued_version"]) == ("published", "1.0")

"""Meetings: forward plan and late items, moves and cancellations, papers, attendance and
quorum, escalation for missed meetings, decisions, actions, minutes and reports."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy import select

from services.domain.models.outbox import OutboxEvent
from tests.api.boards_support import (
    add_person,
    create_board,
    create_document_with_draft,
    create_meeting,
    in_days,
    propose,
    submit,
)
from tests.factories import World


async def events_of(world: World, kind: str) -> list[dict[str, Any]]:
    async with world.sessionmaker() as session:
        rows = await session.execute(
            select(OutboxEvent).where(OutboxEvent.type == kind).order_by(OutboxEvent.created_at)
        )
        return [r.payload for r in rows.scalars()]


def chair(world: World) -> dict[str, str]:
    return world.a.approver.headers  # the world's approver chairs the test boards


async def test_an_item_on_time_goes_to_the_meeting_asked_for(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(client, world)
    meeting = await create_meeting(client, world, board["id"], in_days(60))
    document_id, version_id = await create_document_with_draft(client, world)
    item = await propose(client, world, board["id"], meeting["id"], document_id)
    assert item.status_code == 201, item.text
    data = item.json()
    assert data["meeting_id"] == meeting["id"] == data["requested_meeting_id"]
    assert data["is_late"] is False
    assert data["title"] == "Allegations against staff"
    assert data["version_id"] == version_id
    assert data["section"] == "new_proposals_and_drafts"
    agenda = await client.get(f"/v1/meetings/{meeting['id']}/agenda", headers=chair(world))
    sections = {s["section"]: [i["id"] for i in s["items"]] for s in agenda.json()["sections"]}
    assert list(sections) == [
        "progress_report",
        "new_proposals_and_drafts",
        "reviews_of_existing_documents",
        "horizon_scanning",
    ]
    assert sections["new_proposals_and_drafts"] == [data["id"]]


async def test_a_late_item_goes_to_the_next_meeting_unless_the_chair_accepts_it(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(client, world)
    soon = await create_meeting(client, world, board["id"], in_days(5))
    later = await create_meeting(client, world, board["id"], in_days(40))
    document_id, _ = await create_document_with_draft(client, world)
    item = await propose(client, world, board["id"], soon["id"], document_id)
    assert item.status_code == 201, item.text
    data = item.json()
    # Dorset 9.1: less than 10 working days before the meeting is too late for it.
    assert data["is_late"] is True
    assert data["requested_meeting_id"] == soon["id"]
    assert data["meeting_id"] == later["id"]
    deferred = await events_of(world, "agenda_item.planned")
    assert deferred[-1]["is_late"] is True and deferred[-1]["late_accepted"] is False
    # Only the chair (or vice-chair, or the policy team) accepts it late.
    refused = await client.post(
        f"/v1/agenda-items/{data['id']}/accept-late",
        headers={**world.a.author.headers, "If-Match": item.headers["ETag"]},
    )
    assert refused.status_code == 403
    accepted = await client.post(
        f"/v1/agenda-items/{data['id']}/accept-late",
        headers={**chair(world), "If-Match": item.headers["ETag"]},
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["meeting_id"] == soon["id"]
    assert accepted.json()["late_accepted_by_id"] == str(world.a.approver.person_id)
    again = await client.post(
        f"/v1/agenda-items/{data['id']}/accept-late",
        headers={**chair(world), "If-Match": accepted.headers["ETag"]},
    )
    assert again.status_code == 409


async def test_a_late_item_with_no_later_meeting_is_refused_not_lost(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(client, world)
    soon = await create_meeting(client, world, board["id"], in_days(3))
    response = await submit(
        client,
        world,
        board["id"],
        chair(world),
        meeting_id=soon["id"],
        title="Horizon scanning: new statutory guidance",
        ask="information",
        section="horizon_scanning",
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    chair_takes_it = await submit(
        client,
        world,
        board["id"],
        chair(world),
        meeting_id=soon["id"],
        title="Horizon scanning: new statutory guidance",
        ask="information",
        section="horizon_scanning",
        accept_late=True,
    )
    assert chair_takes_it.status_code == 201, chair_takes_it.text
    assert chair_takes_it.json()["meeting_id"] == soon["id"]


async def test_who_may_table_an_item(client: AsyncClient, world: World) -> None:
    board = await create_board(client, world)
    meeting = await create_meeting(client, world, board["id"], in_days(60))
    document_id, _ = await create_document_with_draft(client, world)
    # A reader may not put someone else's document to the board.
    refused = await submit(
        client,
        world,
        board["id"],
        world.a.reader.headers,
        meeting_id=meeting["id"],
        document_id=document_id,
        ask="decision",
    )
    assert refused.status_code == 403
    # A member may table an item without a document.
    member_item = await submit(
        client,
        world,
        board["id"],
        world.a.reader.headers,
        meeting_id=meeting["id"],
        title="Training needs from the audit",
        ask="information",
    )
    assert member_item.status_code == 201, member_item.text
    other_board = await submit(
        client,
        world,
        board["id"],
        world.b.policy_officer.headers,
        title="x",
        ask="information",
    )
    assert other_board.status_code == 422
    unknown_section = await submit(
        client,
        world,
        board["id"],
        world.a.policy_officer.headers,
        meeting_id=meeting["id"],
        title="x",
        ask="information",
        section="any_other_business",
    )
    assert unknown_section.status_code == 422


async def test_moving_a_meeting_tells_the_people_with_items_on_it(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(client, world)
    meeting = await create_meeting(client, world, board["id"], in_days(60))
    document_id, _ = await create_document_with_draft(client, world)
    await propose(client, world, board["id"], meeting["id"], document_id)
    refused = await client.patch(
        f"/v1/meetings/{meeting['id']}",
        json={"starts_at": in_days(61)},
        headers={**world.a.author.headers, "If-Match": meeting["etag"]},
    )
    assert refused.status_code == 403
    moved = await client.patch(
        f"/v1/meetings/{meeting['id']}",
        json={"starts_at": in_days(61)},
        headers={**chair(world), "If-Match": meeting["etag"]},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["moved_from"] == meeting["starts_at"]
    events = await events_of(world, "meeting.moved")
    assert [e["meeting_id"] for e in events] == [meeting["id"]]
    stale = await client.patch(
        f"/v1/meetings/{meeting['id']}",
        json={"location": "Room 3"},
        headers={**chair(world), "If-Match": meeting["etag"]},
    )
    assert stale.status_code == 412


async def test_cancelling_a_meeting_carries_its_items_to_the_next_one(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(client, world)
    meeting = await create_meeting(client, world, board["id"], in_days(60))
    following = await create_meeting(client, world, board["id"], in_days(90))
    item = await submit(
        client,
        world,
        board["id"],
        chair(world),
        meeting_id=meeting["id"],
        title="Progress report",
        ask="information",
    )
    cancelled = await client.post(
        f"/v1/meetings/{meeting['id']}/cancel",
        json={"reason": "Not quorate: half-term"},
        headers={**chair(world), "If-Match": meeting["etag"]},
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["meeting"]["status"] == "cancelled"
    assert cancelled.json()["items_moved_to_meeting_id"] == following["id"]
    moved_item = await client.get(f"/v1/agenda-items/{item.json()['id']}", headers=chair(world))
    assert moved_item.json()["meeting_id"] == following["id"]
    events = await events_of(world, "meeting.cancelled")
    assert events[0]["agenda_item_ids"] == [item.json()["id"]]
    assert events[0]["items_moved_to_meeting_id"] == following["id"]
    again = await client.post(
        f"/v1/meetings/{meeting['id']}/cancel",
        json={"reason": "twice"},
        headers={**chair(world), "If-Match": cancelled.headers["ETag"]},
    )
    assert again.status_code == 409


async def test_members_read_the_draft_put_to_their_board_and_no_other(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(client, world)
    meeting = await create_meeting(client, world, board["id"], in_days(60))
    document_id, version_id = await create_document_with_draft(client, world)
    item = await propose(client, world, board["id"], meeting["id"], document_id)
    item_id = item.json()["id"]
    # The world's reader sits on the board: they read the draft through the item...
    paper = await client.get(f"/v1/agenda-items/{item_id}/paper", headers=world.a.reader.headers)
    assert paper.status_code == 200
    assert paper.content == b"Draft procedure text."
    # ...but not through the register, where drafts stay with the document's team.
    direct = await client.get(
        f"/v1/documents/{document_id}/versions/{version_id}/file", headers=world.a.reader.headers
    )
    assert direct.status_code == 404
    # Someone who is not on the board cannot read the paper.
    outsider_key = await client.post(
        "/v1/api-keys",
        json={"name": "outsider", "role": "reader"},
        headers=world.a.admin.headers,
    )
    assert outsider_key.status_code == 201, outsider_key.text
    outsider = {"Authorization": f"Bearer {outsider_key.json()['key']}"}
    denied = await client.get(f"/v1/agenda-items/{item_id}/paper", headers=outsider)
    assert denied.status_code == 404


async def test_the_papers_pack_holds_the_agenda_and_the_papers_the_caller_may_read(
    client: AsyncClient, world: World
) -> None:
    import io
    import zipfile

    board = await create_board(client, world)
    meeting = await create_meeting(client, world, board["id"], in_days(60), location="Room 2")
    document_id, _ = await create_document_with_draft(client, world)
    await propose(client, world, board["id"], meeting["id"], document_id)
    await submit(
        client,
        world,
        board["id"],
        chair(world),
        meeting_id=meeting["id"],
        title="Chair's progress report",
        ask="information",
    )
    pack = await client.get(f"/v1/meetings/{meeting['id']}/papers", headers=world.a.reader.headers)
    assert pack.status_code == 200
    assert pack.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(pack.content))
    assert sorted(archive.namelist()) == ["2.1 PROC-1 v0.1.txt", "agenda.txt"]
    assert archive.read("2.1 PROC-1 v0.1.txt") == b"Draft procedure text."
    agenda = archive.read("agenda.txt").decode()
    assert "1. Progress report from the chair" in agenda
    assert "1.1 Chair's progress report [information]" in agenda
    assert "2.1 Allegations against staff [decision]" in agenda
    # Someone not on the board gets the agenda but not the draft.
    key = await client.post(
        "/v1/api-keys", json={"name": "outsider", "role": "reader"}, headers=world.a.admin.headers
    )
    outsider = {"Authorization": f"Bearer {key.json()['key']}"}
    theirs = await client.get(f"/v1/meetings/{meeting['id']}/papers", headers=outsider)
    archive = zipfile.ZipFile(io.BytesIO(theirs.content))
    assert archive.namelist() == ["agenda.txt"]
    assert "paper not shown" in archive.read("agenda.txt").decode()


async def test_circulating_papers_notifies_members_and_flags_lateness(
    client: AsyncClient, world: World
) -> None:
    board = await create_board(client, world)
    in_time = await create_meeting(client, world, board["id"], in_days(60))
    too_close = await create_meeting(client, world, board["id"], in_days(1))
    refused = await client.post(
        f"/v1/meetings/{in_time['id']}/papers/circulate", headers=world.a.reader.headers
    )
    assert refused.status_code == 403
    early = await client.post(
        f"/v1/meetings/{in_time['id']}/papers/circulate", headers=chair(world)
    )
    assert early.status_code == 200, early.text
    assert early.json()["is_late"] is False
    assert early.json()["meeting"]["papers_circulated_at"] is not None
    late = await client.post(
        f"/v1/meetings/{too_close['id']}/papers/circulate", headers=chair(world)
    )
    # Dorset 6: papers at least 3 working days before.
    assert late.json()["is_late"] is True
    events = await events_of(world, "meeting.papers_circulated")
    assert [(e["meeting_id"], e["is_late"]) for e in events] == [
        (in_time["id"], False),
        (too_close["id"], True),
    ]


async def dorset_board(client: AsyncClient, world: World) -> tuple[dict[str, Any], dict[str, str]]:
    """A board with two Head of Service seats that must both attend, and three members."""
    people = {
        name: await add_person(client, world, name)
        for name in ("Hos One", "Hos Two", "Mosaic Lead", "Delegate Dee", "Head Of Qa")
    }
    board = await create_board(
        client,
        world,
        quorum=3,
        escalation_person_id=people["Head Of Qa"],
        seat_rules=[
            {"seat": "Head of Service", "minimum": 2, "exempt_from_escalation": True},
        ],
        members=[
            {"person_id": str(world.a.approver.person_id), "role": "chair"},
            {"person_id": people["Hos One"], "seat": "Head of Service"},
            {"person_id": people["Hos Two"], "seat": "Head of Service"},
            {"person_id": people["Mosaic Lead"], "delegate_id": people["Delegate Dee"]},
        ],
    )
    return board, people


async def attend(
    client: AsyncClient, world: World, meeting_id: str, entries: list[dict[str, Any]]
) -> Any:
    return await client.put(
        f"/v1/meetings/{meeting_id}/attendance",
        json={"attendance": entries},
        headers=chair(world),
    )


async def test_quorum_needs_the_number_and_each_seats_minimum(
    client: AsyncClient, world: World
) -> None:
    board, people = await dorset_board(client, world)
    meeting = await create_meeting(client, world, board["id"], "2026-10-13T09:00:00Z")
    chair_id = str(world.a.approver.person_id)
    response = await attend(
        client,
        world,
        meeting["id"],
        [
            {"person_id": chair_id, "status": "present"},
            {"person_id": people["Hos One"], "status": "present"},
            {"person_id": people["Hos Two"], "status": "apologies"},
            {"person_id": people["Mosaic Lead"], "status": "delegate_attended"},
        ],
    )
    assert response.status_code == 200, response.text
    quorum = response.json()["quorum"]
    assert quorum["attending"] == 3
    assert quorum["is_quorate"] is False
    assert quorum["seats"] == [
        {"seat": "Head of Service", "minimum": 2, "attending": 1, "is_met": False}
    ]
    assert quorum["chaired_by_id"] == chair_id
    rows = {r["person_id"]: r for r in response.json()["attendance"]}
    # The standing delegate is recorded when none is named.
    assert rows[people["Mosaic Lead"]]["delegate_id"] == people["Delegate Dee"]
    fixed = await attend(
        client, world, meeting["id"], [{"person_id": people["Hos Two"], "status": "present"}]
    )
    assert fixed.json()["quorum"]["is_quorate"] is True
    stranger = await attend(
        client, world, meeting["id"], [{"person_id": people["Head Of Qa"], "status": "present"}]
    )
    assert stranger.status_code == 422
    future = await create_meeting(client, world, board["id"], in_days(30))
    too_soon = await attend(
        client, world, future["id"], [{"person_id": chair_id, "status": "present"}]
    )
    assert too_soon.status_code == 409


async def test_missing_two_meetings_in_a_row_without_a_delegate_is_escalated(
    client: AsyncClient, world: World
) -> None:
    board, people = await dorset_board(client, world)
    chair_id = str(world.a.approver.person_id)
    first, second, third = [
        await create_meeting(client, world, board["id"], when)
        for when in ("2026-07-14T09:00:00Z", "2026-09-08T09:00:00Z", "2026-10-13T09:00:00Z")
    ]

    def sheet(mosaic: str, hos: str) -> list[dict[str, Any]]:
        return [
            {"person_id": chair_id, "status": "present"},
            {"person_id": people["Mosaic Lead"], "status": mosaic},
            {"person_id": people["Hos One"], "status": hos},
        ]

    r1 = await attend(client, world, first["id"], sheet("apologies", "absent"))
    assert r1.json()["escalated_person_ids"] == []
    # A delegate attending breaks the run.
    r2 = await attend(client, world, second["id"], sheet("delegate_attended", "absent"))
    assert r2.json()["escalated_person_ids"] == []
    r3 = await attend(client, world, third["id"], sheet("absent", "absent"))
    assert r3.json()["escalated_person_ids"] == []
    fourth = await create_meeting(client, world, board["id"], "2026-11-10T10:00:00Z")
    r4 = await attend(client, world, fourth["id"], sheet("apologies", "absent"))
    # Dorset 7.3: two successive meetings missed without a delegate; Heads of Service are
    # exempt (7.2 sets their own attendance rule).
    assert r4.json()["escalated_person_ids"] == [people["Mosaic Lead"]]
    events = await events_of(world, "board.attendance_escalated")
    assert len(events) == 1
    assert events[0]["escalate_to_person_id"] == people["Head Of Qa"]
    assert events[0]["missed_meeting_ids"] == [fourth["id"], third["id"]]
    # Recording the same sheet again does not escalate twice.
    again = await attend(client, world, fourth["id"], sheet("apologies", "absent"))
    assert again.json()["escalated_person_ids"] == []
    members = await client.get(f"/v1/boards/{board['id']}/members", headers=chair(world))
    flagged = {m["person_id"]: m for m in members.json()}
    assert flagged[people["Mosaic Lead"]]["is_flagged_for_escalation"] is True
    assert flagged[people["Mosaic Lead"]]["missed_in_a_row"] == 2
    assert flagged[people["Hos One"]]["is_flagged_for_escalation"] is False


async def held_meeting_with_item(
    client: AsyncClient, world: World
) -> tuple[dict[str, Any], dict[str, Any], str]:
    board = await create_board(client, world)
    meeting = await create_meeting(client, world, board["id"], in_days(60))
    document_id, _ = await create_document_with_draft(client, world)
    item = await propose(client, world, board["id"], meeting["id"], document_id)
    assert item.status_code == 201
    # The meeting happens: move it into the past (held meetings are minuted afterwards).
    got = await client.get(f"/v1/meetings/{meeting['id']}", headers=chair(world))
    moved = await client.patch(
        f"/v1/meetings/{meeting['id']}",
        json={"starts_at": in_days(-1)},
        headers={**chair(world), "If-Match": got.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.text
    attended = await attend(
        client,
        world,
        meeting["id"],
        [{"person_id": str(world.a.approver.person_id), "status": "present"}],
    )
    assert attended.status_code == 200, attended.text
    return board, meeting, item.json()["id"]


async def test_a_decision_is_never_edited_only_superseded(
    client: AsyncClient, world: World
) -> None:
    _, meeting, item_id = await held_meeting_with_item(client, world)
    url = f"/v1/meetings/{meeting['id']}/decisions"
    no_conditions = await client.post(
        url,
        json={"agenda_item_id": item_id, "outcome": "approved_with_conditions"},
        headers=chair(world),
    )
    assert no_conditions.status_code == 422
    reader = await client.post(
        url, json={"agenda_item_id": item_id, "outcome": "approved"}, headers=world.a.reader.headers
    )
    assert reader.status_code == 403
    first = await client.post(
        url,
        json={
            "agenda_item_id": item_id,
            "outcome": "approved_with_conditions",
            "conditions": ["Add the LADO contact details"],
            "text": "Approved by consensus.",
        },
        headers=chair(world),
    )
    assert first.status_code == 201, first.text
    assert first.json()["decided_by_id"] == str(world.a.approver.person_id)
    second = await client.post(
        url, json={"agenda_item_id": item_id, "outcome": "approved"}, headers=chair(world)
    )
    assert second.status_code == 409
    correction = await client.post(
        url,
        json={
            "agenda_item_id": item_id,
            "outcome": "approved",
            "method": "vote",
            "votes_for": 6,
            "votes_against": 1,
            "supersedes_id": first.json()["id"],
        },
        headers=chair(world),
    )
    assert correction.status_code == 201, correction.text
    minutes = await client.get(f"/v1/meetings/{meeting['id']}/minutes", headers=chair(world))
    decisions = minutes.json()["decisions"]
    assert [(d["outcome"], d["is_current"]) for d in decisions] == [
        ("approved_with_conditions", False),
        ("approved", True),
    ]
    item = await client.get(f"/v1/agenda-items/{item_id}", headers=chair(world))
    assert item.json()["status"] == "decided"
    report = await client.get(
        f"/v1/meetings/{meeting['id']}/report", headers=world.a.reader.headers
    )
    approved = report.json()["approved"]
    assert [(a["reference"], a["outcome"], a["version"]) for a in approved] == [
        ("PROC-1", "approved", "0.1")
    ]
    # The owner as the organisation calls it (none is named on this one).
    assert (approved[0]["owner_title"], approved[0]["owner_name"]) == ("owner", None)
    assert report.json()["exceptions"] == []


async def test_a_deferred_item_moves_to_the_next_meeting(client: AsyncClient, world: World) -> None:
    board, meeting, item_id = await held_meeting_with_item(client, world)
    following = await create_meeting(client, world, board["id"], in_days(30))
    deferred = await client.post(
        f"/v1/meetings/{meeting['id']}/decisions",
        json={"agenda_item_id": item_id, "outcome": "deferred", "text": "Needs legal advice"},
        headers=chair(world),
    )
    assert deferred.status_code == 201, deferred.text
    item = (await client.get(f"/v1/agenda-items/{item_id}", headers=chair(world))).json()
    assert (item["status"], item["meeting_id"]) == ("planned", following["id"])
    report = await client.get(f"/v1/meetings/{meeting['id']}/report", headers=chair(world))
    assert [(e["outcome"], e["note"]) for e in report.json()["exceptions"]] == [
        ("deferred", "Needs legal advice")
    ]


async def test_actions_have_an_owner_who_may_close_them_and_minutes_are_issued(
    client: AsyncClient, world: World
) -> None:
    _, meeting, item_id = await held_meeting_with_item(client, world)
    action = await client.post(
        f"/v1/meetings/{meeting['id']}/actions",
        json={
            "description": "Update the Mosaic form to match the procedure",
            "owner_id": str(world.a.author.person_id),
            "due_on": "2027-01-29",
            "agenda_item_id": item_id,
        },
        headers=chair(world),
    )
    assert action.status_code == 201, action.text
    not_owner = await client.patch(
        f"/v1/meetings/{meeting['id']}/actions/{action.json()['id']}",
        json={"status": "done"},
        headers={**world.a.reader.headers, "If-Match": action.headers["ETag"]},
    )
    assert not_owner.status_code == 403
    done = await client.patch(
        f"/v1/meetings/{meeting['id']}/actions/{action.json()['id']}",
        json={"status": "done"},
        headers={**world.a.author.headers, "If-Match": action.headers["ETag"]},
    )
    assert done.status_code == 200, done.text
    assert done.json()["completed_at"] is not None
    got = await client.get(f"/v1/meetings/{meeting['id']}", headers=chair(world))
    issued = await client.post(
        f"/v1/meetings/{meeting['id']}/minutes/issue",
        headers={**chair(world), "If-Match": got.headers["ETag"]},
    )
    assert issued.status_code == 200, issued.text
    assert issued.json()["minutes_issued_at"] is not None
    assert [e["meeting_id"] for e in await events_of(world, "meeting.minutes_issued")] == [
        meeting["id"]
    ]


async def test_the_annual_report_counts_the_financial_years_work(
    client: AsyncClient, world: World
) -> None:
    board, meeting, item_id = await held_meeting_with_item(client, world)
    await client.post(
        f"/v1/meetings/{meeting['id']}/decisions",
        json={"agenda_item_id": item_id, "outcome": "approved"},
        headers=chair(world),
    )
    got = await client.get(f"/v1/meetings/{meeting['id']}", headers=chair(world))
    year = int(got.json()["day"][:4])
    if got.json()["day"][5:7] < "04":
        year -= 1
    report = await client.get(
        f"/v1/boards/{board['id']}/annual-report",
        params={"year": year},
        headers=world.a.reader.headers,
    )
    assert report.status_code == 200, report.text
    data = report.json()
    assert data["financial_year"] == f"{year}-{(year + 1) % 100:02d}"
    assert data["meetings_held"] == 1
    assert data["decisions_by_outcome"] == {"approved": 1}
    assert data["items_by_ask"] == {"decision": 1}
    assert data["documents_approved"] == 1
    assert data["attendance_rate"] == 1.0
    empty = await client.get(
        f"/v1/boards/{board['id']}/annual-report",
        params={"year": year - 5},
        headers=world.a.reader.headers,
    )
    assert empty.json()["meetings_held"] == 0


async def test_two_decisions_on_one_item_at_the_same_moment_one_wins(
    client: AsyncClient, world: World
) -> None:
    import asyncio

    _, meeting, item_id = await held_meeting_with_item(client, world)
    url = f"/v1/meetings/{meeting['id']}/decisions"
    answers = await asyncio.gather(
        *(
            client.post(url, json={"agenda_item_id": item_id, "outcome": outcome}, headers=h)
            for outcome, h in (
                ("approved", chair(world)),
                ("rejected", world.a.policy_officer.headers),
            )
        )
    )
    assert sorted(a.status_code for a in answers) == [201, 409]
    minutes = await client.get(f"/v1/meetings/{meeting['id']}/minutes", headers=chair(world))
    assert len(minutes.json()["decisions"]) == 1

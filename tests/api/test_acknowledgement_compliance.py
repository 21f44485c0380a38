"""Compliance with read and acknowledge: per request, per document and per team (service
area, job title, board) as JSON, CSV and XLSX; and board members confirming they have read a
meeting's papers, shown to the chair before the meeting (Dorset 7.4)."""

from __future__ import annotations

import csv
import io
from typing import Any

from httpx import AsyncClient
from openpyxl import load_workbook

from tests.api.acknowledgements_support import (
    add_person,
    issue,
    new_document,
    people_of,
    place,
    requests_of,
    set_audience,
)
from tests.api.boards_support import create_board, create_meeting, in_days
from tests.factories import World


async def _asked_north_and_fostering(client: AsyncClient, world: World) -> tuple[str, str]:
    """Three in North Locality (the reader confirms), two in Fostering; answers the document
    and the request."""
    a = world.a
    await place(client, a, a.reader.person_id, service_area="North Locality", job_title="SW")
    await add_person(client, a, "Sam Patel", "North Locality", job_title="SW")
    await add_person(client, a, "=HYPERLINK(1)", "North Locality", job_title="SW")
    await add_person(client, a, "Pat Manager", "Fostering", job_title="Team Manager")
    await add_person(client, a, "Kim Other", "Fostering", job_title="SW")
    document_id = await new_document(client, a)
    await set_audience(client, a, document_id, service_areas=["North Locality", "Fostering"])
    await issue(client, a, document_id)
    [request] = await requests_of(client, a, document_id)
    row = (await people_of(client, a, request["id"]))["Reader of alpha"]
    done = await client.post(f"/v1/acknowledgements/{row['id']}/confirm", headers=a.reader.headers)
    assert done.status_code == 200, done.text
    return document_id, request["id"]


async def test_compliance_by_service_area_counts_and_percentages(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    document_id, request_id = await _asked_north_and_fostering(client, world)
    got = await client.get(
        f"/v1/acknowledgement-compliance?group_by=service_area&request_id={request_id}",
        headers=a.approver.headers,
    )
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["total"] == {
        "asked": 5,
        "confirmed": 1,
        "pending": 4,
        "overdue": 0,
        "percent": 20.0,
    }
    teams = {t["team"]: (t["asked"], t["confirmed"], t["percent"]) for t in body["teams"]}
    assert teams == {"North Locality": (3, 1, 33.3), "Fostering": (2, 0, 0.0)}
    by_title = await client.get(
        f"/v1/acknowledgement-compliance?group_by=job_title&document_id={document_id}",
        headers=a.approver.headers,
    )
    assert [(t["team"], t["asked"]) for t in by_title.json()["teams"]] == [
        ("SW", 4),
        ("Team Manager", 1),
    ]
    # Staff without the permission do not read others' compliance.
    refused = await client.get("/v1/acknowledgement-compliance", headers=a.reader.headers)
    assert refused.status_code == 403


async def test_compliance_by_board_counts_members_on_each_board(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    await create_board(client, world)  # the approver chairs, the reader sits on it
    _, request_id = await _asked_north_and_fostering(client, world)
    got = await client.get(
        f"/v1/acknowledgement-compliance?group_by=board&request_id={request_id}",
        headers=a.policy_officer.headers,
    )
    teams = {t["team"]: (t["asked"], t["confirmed"]) for t in got.json()["teams"]}
    assert teams == {"(none)": (4, 0), "Practice, Policy and Procedures Group": (1, 1)}


async def test_the_people_export_as_csv_and_xlsx_with_no_formula_run(
    client: AsyncClient, world: World
) -> None:
    a = world.a
    _, request_id = await _asked_north_and_fostering(client, world)
    path = f"/v1/acknowledgement-compliance/export.csv?request_id={request_id}"
    got = await client.get(path, headers=a.approver.headers)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(got.text.removeprefix("\ufeff"))))
    assert rows[0][:5] == ["Document", "Title", "Version", "Due", "Name"]
    by_name = {r[4]: r for r in rows[1:]}
    assert "'=HYPERLINK(1)" in by_name  # shown as text, never run
    assert by_name["Reader of alpha"][8] == "confirmed" and by_name["Sam Patel"][8] == "pending"

    xlsx = await client.get(
        f"/v1/acknowledgement-compliance/export.xlsx?view=teams&request_id={request_id}",
        headers=a.approver.headers,
    )
    assert xlsx.status_code == 200, xlsx.text
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values: list[Any] = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == ["Team", "Asked", "Confirmed", "Pending", "Overdue", "Percent confirmed"]
    assert values[-1] == ["total", 5, 1, 4, 0, 20]
    people = await client.get(
        f"/v1/acknowledgement-compliance/export.xlsx?request_id={request_id}",
        headers=a.approver.headers,
    )
    names = [
        r[4]
        for r in load_workbook(io.BytesIO(people.content)).active.iter_rows(  # type: ignore[union-attr]
            min_row=2, values_only=True
        )
    ]
    assert "=HYPERLINK(1)" in names  # a text cell: openpyxl reads it back as text
    bad = await client.get("/v1/acknowledgement-compliance/export.pdf", headers=a.approver.headers)
    assert bad.status_code == 422


async def test_members_confirm_reading_the_papers_and_the_chair_sees_who_has_not(
    client: AsyncClient, world: World
) -> None:
    """Dorset 7.4: "Attendees are expected to read the documents prior to the meeting date to
    ensure effective sign off.\""""
    a = world.a
    board = await create_board(client, world)  # the approver chairs; the reader is a member
    meeting = await create_meeting(client, world, board["id"], in_days(14))
    path = f"/v1/meetings/{meeting['id']}/papers-read"
    read = await client.put(path, headers=a.reader.headers)
    assert read.status_code == 200, read.text
    again = await client.put(path, headers=a.reader.headers)
    assert again.json()["read_at"] == read.json()["read_at"]
    # Not on the board: refused.
    assert (await client.put(path, headers=a.author.headers)).status_code == 403

    shown = await client.get(path, headers=a.approver.headers)
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert (body["read"], body["not_read"]) == (1, 1)
    assert [(m["role"], m["has_read"]) for m in body["members"]] == [
        ("chair", False),
        ("member", True),
    ]
    # A member who is not the chair does not see the others.
    assert (await client.get(path, headers=a.reader.headers)).status_code == 403
    foreign = await client.get(path, headers=world.b.policy_officer.headers)
    assert foreign.status_code == 404

"""Trix update cycles through the API (NCT 3.4 a): an Update Plan imported as JSON or CSV, items
matched to documents and assigned to their ROs, outcomes by the assignee, and the close that
carries what is not done into the next cycle and reports it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import func, select

from services.domain.clock import london_today
from services.domain.models.audit import AuditRecord
from services.domain.models.outbox import OutboxEvent
from services.domain.reviews.update_cycle_closing import close_due
from tests.factories import World, document_body

CYCLES = "/v1/update-cycles"


async def _document(client: AsyncClient, world: World, **fields: Any) -> dict[str, Any]:
    people = {
        "owner_id": str(world.a.approver.person_id),
        "responsible_officer_id": str(world.a.author.person_id),
    }
    body = document_body(kind="procedure", **{**people, **fields})
    response = await client.post("/v1/documents", json=body, headers=world.a.admin.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _open(
    client: AsyncClient, world: World, items: list[dict[str, str]], **extra: Any
) -> Response:
    return await client.post(
        CYCLES,
        json={"name": "Tri.x update June", "items": items, **extra},
        headers=world.a.policy_officer.headers,
    )


async def _decide(
    client: AsyncClient, item_id: str, headers: dict[str, str], **body: Any
) -> Response:
    current = await client.get(f"/v1/update-cycle-items/{item_id}", headers=headers)
    return await client.patch(
        f"/v1/update-cycle-items/{item_id}",
        json=body,
        headers={**headers, "If-Match": current.headers.get("ETag", '"r0"')},
    )


async def test_a_json_plan_matches_chapters_by_reference_or_title_and_assigns_their_ro(
    client: AsyncClient, world: World
) -> None:
    by_ref = await _document(client, world, reference="CS-PR-012", title="Missing children")
    # No RO named: the owner (RSM) stands in.
    by_title = await _document(
        client, world, reference="CS-PR-020", title="Lone working", responsible_officer_id=None
    )
    response = await _open(
        client,
        world,
        [
            {"chapter": "cs-pr-012", "recommendation": "Reflect the new guidance."},
            {"chapter": "Lone working", "recommendation": "Add out-of-hours contacts."},
            {"chapter": "Unknown chapter", "recommendation": "Something."},
        ],
    )
    assert response.status_code == 201, response.text
    cycle = response.json()
    assert response.headers["Location"] == f"{CYCLES}/{cycle['id']}"
    assert cycle["status"] == "open"
    # NCT: six weeks to review before the response is due to Tri.x.
    assert cycle["submission_deadline"] == (london_today() + timedelta(weeks=6)).isoformat()
    items = cycle["items"]
    assert [(i["document_id"], i["assigned_to_id"]) for i in items] == [
        (by_ref["id"], str(world.a.author.person_id)),
        (by_title["id"], str(world.a.approver.person_id)),
        (None, None),
    ]
    assert cycle["unassigned_item_ids"] == [items[2]["id"]]
    assert {i["status"] for i in items} == {"pending"}

    mine = await client.get(
        f"{CYCLES}/{cycle['id']}/items?assigned_to_id=me", headers=world.a.author.headers
    )
    assert [i["chapter"] for i in mine.json()] == ["cs-pr-012"]
    unassigned = await client.get(
        f"{CYCLES}/{cycle['id']}/items?unassigned=true", headers=world.a.author.headers
    )
    assert [i["chapter"] for i in unassigned.json()] == ["Unknown chapter"]

    async with world.sessionmaker() as session:
        events = (await session.execute(select(OutboxEvent.type, OutboxEvent.payload))).all()
        audits = (
            (
                await session.execute(
                    select(AuditRecord.after).where(AuditRecord.action == "update_cycle.opened")
                )
            )
            .scalars()
            .all()
        )
    opened = [p for t, p in events if t == "update_cycle.opened"]
    assert [p["cycle_id"] for p in opened] == [cycle["id"]]
    assert [(a["items"], a["unassigned"]) for a in audits] == [(3, 1)]


async def test_a_csv_plan_with_loose_headers_opens_a_cycle_with_a_given_deadline(
    client: AsyncClient, world: World
) -> None:
    document = await _document(client, world, reference="CS-PR-030", title="Private fostering")
    deadline = (london_today() + timedelta(days=20)).isoformat()
    content = (
        "\ufeffChapter Reference;Recommended Amendment\r\n"
        'cs-pr-030;"Update the notification duty; add the new form."\r\n'
        "\r\n"
        "Private fostering;Check the contact list.\r\n"
    ).encode()
    response = await client.post(
        "/v1/update-plans",
        files={"file": ("plan.csv", content, "text/csv")},
        data={"name": "Tri.x update December", "submission_deadline": deadline},
        headers=world.a.policy_officer.headers,
    )
    assert response.status_code == 201, response.text
    cycle = response.json()
    assert cycle["submission_deadline"] == deadline
    assert [(i["chapter"], i["recommendation"], i["document_id"]) for i in cycle["items"]] == [
        ("cs-pr-030", "Update the notification duty; add the new form.", document["id"]),
        ("Private fostering", "Check the contact list.", document["id"]),
    ]


async def test_a_csv_with_a_bad_row_is_refused_by_row_and_nothing_opens(
    client: AsyncClient, world: World
) -> None:
    headers = world.a.policy_officer.headers
    content = b"chapter,recommendation\nCS-1,Do this\n\nCS-2,\n"
    response = await client.post(
        "/v1/update-plans",
        files={"file": ("plan.csv", content, "text/csv")},
        data={"name": "Broken"},
        headers=headers,
    )
    assert response.status_code == 422, response.text
    assert response.json()["row"] == 4
    assert "Row 4" in response.json()["detail"]
    no_columns = await client.post(
        "/v1/update-plans",
        files={"file": ("plan.csv", b"procedure name,notes\nA,B\n", "text/csv")},
        data={"name": "Broken"},
        headers=headers,
    )
    assert no_columns.status_code == 422
    assert "'procedure name'" in no_columns.json()["detail"]
    listed = await client.get(CYCLES, headers=headers)
    assert listed.json()["items"] == []


async def test_only_the_policy_team_opens_and_closes_cycles(
    client: AsyncClient, world: World
) -> None:
    items = [{"chapter": "X", "recommendation": "Y"}]
    refused = await client.post(
        CYCLES, json={"name": "N", "items": items}, headers=world.a.author.headers
    )
    assert refused.status_code == 403
    imported = await client.post(
        "/v1/update-plans",
        files={"file": ("p.csv", b"chapter,recommendation\nX,Y\n", "text/csv")},
        data={"name": "N"},
        headers=world.a.approver.headers,
    )
    assert imported.status_code == 403
    cycle = (await _open(client, world, items)).json()
    close = await client.post(f"{CYCLES}/{cycle['id']}/close", headers=world.a.author.headers)
    assert close.status_code == 403
    rename = await client.patch(
        f"{CYCLES}/{cycle['id']}",
        json={"name": "Taken"},
        headers={**world.a.author.headers, "If-Match": '"r1"'},
    )
    assert rename.status_code == 403
    renamed = await client.patch(
        f"{CYCLES}/{cycle['id']}",
        json={"name": "Tri.x update July"},
        headers={**world.a.admin.headers, "If-Match": '"r1"'},
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Tri.x update July"
    assert renamed.headers["ETag"] == '"r2"'


async def test_the_assignee_records_outcomes_and_someone_else_gets_403(
    client: AsyncClient, world: World
) -> None:
    await _document(client, world, reference="CS-PR-040", title="Allegations")
    cycle = (
        await _open(client, world, [{"chapter": "CS-PR-040", "recommendation": "Update LADO."}])
    ).json()
    item_id = cycle["items"][0]["id"]

    other = await _decide(client, item_id, world.a.approver.headers, status="accepted")
    assert other.status_code == 403
    stale = await client.patch(
        f"/v1/update-cycle-items/{item_id}",
        json={"status": "accepted"},
        headers={**world.a.author.headers, "If-Match": '"r9"'},
    )
    assert stale.status_code == 412
    # The assignee may not reassign: that is the policy team's.
    grab = await _decide(
        client, item_id, world.a.author.headers, assigned_to_id=str(world.a.reader.person_id)
    )
    assert grab.status_code == 403

    done = await _decide(
        client, item_id, world.a.author.headers, status="amended", outcome_note="Tracked changes"
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "amended"
    assert done.json()["outcome_note"] == "Tracked changes"
    assert done.json()["decided_by_id"] == str(world.a.author.person_id)
    assert done.headers["ETag"] == '"r2"'
    bad = await _decide(client, item_id, world.a.author.headers, status="pending")
    assert bad.status_code == 422

    async with world.sessionmaker() as session:
        audited = await session.scalar(
            select(func.count()).where(
                AuditRecord.action == "update_cycle_item.updated",
                AuditRecord.entity_id == uuid.UUID(item_id),
            )
        )
    assert audited == 1


async def test_the_policy_team_assigns_an_unmatched_item_to_a_document_and_its_ro(
    client: AsyncClient, world: World
) -> None:
    document = await _document(client, world, reference="CS-PR-050", title="Missing")
    cycle = (
        await _open(client, world, [{"chapter": "Missing from care", "recommendation": "R"}])
    ).json()
    item_id = cycle["items"][0]["id"]
    assert cycle["items"][0]["assigned_to_id"] is None
    matched = await _decide(
        client, item_id, world.a.policy_officer.headers, document_id=document["id"]
    )
    assert matched.status_code == 200, matched.text
    assert matched.json()["document_id"] == document["id"]
    assert matched.json()["assigned_to_id"] == str(world.a.author.person_id)
    reassigned = await _decide(
        client, item_id, world.a.policy_officer.headers, assigned_to_id=str(uuid.uuid4())
    )
    assert reassigned.status_code == 422
    # Someone whose roles cannot record an outcome is no assignee.
    reader = await _decide(
        client,
        item_id,
        world.a.policy_officer.headers,
        assigned_to_id=str(world.a.reader.person_id),
    )
    assert reader.status_code == 422, reader.text
    reassigned = await _decide(
        client,
        item_id,
        world.a.policy_officer.headers,
        assigned_to_id=str(world.a.approver.person_id),
    )
    assert reassigned.json()["assigned_to_id"] == str(world.a.approver.person_id)
    # The new assignee now records the outcome; the former one cannot.
    assert (
        await _decide(client, item_id, world.a.author.headers, status="rejected")
    ).status_code == 403
    assert (
        await _decide(client, item_id, world.a.approver.headers, status="rejected")
    ).status_code == 200


async def test_closing_carries_pending_items_into_a_new_cycle_and_reports_them(
    client: AsyncClient, world: World
) -> None:
    await _document(client, world, reference="CS-PR-060", title="Fostering")
    await _document(client, world, reference="CS-PR-061", title="Adoption")
    cycle = (
        await _open(
            client,
            world,
            [
                {"chapter": "CS-PR-060", "recommendation": "Done one"},
                {"chapter": "CS-PR-061", "recommendation": "Left one"},
                {"chapter": "Nowhere", "recommendation": "Unmatched one"},
            ],
        )
    ).json()
    done, left, unmatched = (i["id"] for i in cycle["items"])
    assert (
        await _decide(client, done, world.a.author.headers, status="accepted")
    ).status_code == 200

    closed = await client.post(f"{CYCLES}/{cycle['id']}/close", headers=world.a.admin.headers)
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    again = await client.post(f"{CYCLES}/{cycle['id']}/close", headers=world.a.admin.headers)
    assert again.status_code == 409

    report = (
        await client.get(f"{CYCLES}/{cycle['id']}/report", headers=world.a.admin.headers)
    ).json()
    assert report["counts"] == {
        "pending": 0,
        "accepted": 1,
        "rejected": 0,
        "amended": 0,
        "carried_over": 2,
    }
    carried = report["carried_over"]
    assert [c["item_id"] for c in carried] == [left, unmatched]
    next_id = carried[0]["next_cycle_id"]
    assert next_id and {c["next_cycle_id"] for c in carried} == {next_id}
    assert [u["chapter"] for u in report["unmatched"]] == ["Nowhere"]
    author = next(a for a in report["assignees"] if a["person_id"] == str(world.a.author.person_id))
    assert (author["counts"]["accepted"], author["counts"]["carried_over"]) == (1, 1)
    assert report["assignees"][-1]["person_id"] is None  # the unassigned, last

    following = (await client.get(f"{CYCLES}/{next_id}", headers=world.a.admin.headers)).json()
    assert following["name"] == "Tri.x update June (carried over)"
    assert following["carried_from_id"] == cycle["id"]
    assert following["status"] == "open"
    assert following["submission_deadline"] == (london_today() + timedelta(weeks=6)).isoformat()
    items = (await client.get(f"{CYCLES}/{next_id}/items", headers=world.a.admin.headers)).json()
    assert [(i["carried_from_item_id"], i["status"], i["recommendation"]) for i in items] == [
        (left, "pending", "Left one"),
        (unmatched, "pending", "Unmatched one"),
    ]
    assert carried[0]["next_item_id"] == items[0]["id"]
    # A carried item changes in the cycle it went to, not the closed one.
    stuck = await _decide(client, left, world.a.author.headers, status="accepted")
    assert stuck.status_code == 409

    async with world.sessionmaker() as session:
        closing = (
            await session.execute(
                select(OutboxEvent.payload).where(OutboxEvent.type == "update_cycle.closed")
            )
        ).scalar_one()
    assert (closing["carried_over"], closing["next_cycle_id"]) == (2, next_id)


async def test_closing_into_a_named_open_cycle_and_with_nothing_pending(
    client: AsyncClient, world: World
) -> None:
    first = (await _open(client, world, [{"chapter": "A", "recommendation": "a"}])).json()
    second = (await _open(client, world, [{"chapter": "B", "recommendation": "b"}])).json()
    into_itself = await client.post(
        f"{CYCLES}/{first['id']}/close",
        json={"next_cycle_id": first["id"]},
        headers=world.a.admin.headers,
    )
    assert into_itself.status_code == 422
    closed = await client.post(
        f"{CYCLES}/{first['id']}/close",
        json={"next_cycle_id": second["id"]},
        headers=world.a.admin.headers,
    )
    assert closed.status_code == 200
    items = (
        await client.get(f"{CYCLES}/{second['id']}/items", headers=world.a.admin.headers)
    ).json()
    assert [i["chapter"] for i in items] == ["B", "A"]
    # The second has nothing pending once decided: no new cycle is made.
    for item in items:
        await _decide(client, item["id"], world.a.admin.headers, status="rejected")
    await client.post(f"{CYCLES}/{second['id']}/close", headers=world.a.admin.headers)
    listed = (await client.get(CYCLES, headers=world.a.admin.headers)).json()["items"]
    assert [c["status"] for c in listed] == ["closed", "closed"]
    assert (await client.get(f"{CYCLES}?status=open", headers=world.a.admin.headers)).json()[
        "items"
    ] == []


async def test_the_sweep_closes_a_cycle_once_its_deadline_day_has_ended(
    client: AsyncClient, world: World
) -> None:
    today = london_today()
    cycle = (
        await _open(
            client,
            world,
            [{"chapter": "A", "recommendation": "a"}],
            submission_deadline=today.isoformat(),
        )
    ).json()
    async with world.sessionmaker() as session, session.begin():
        assert await close_due(session, today) == 0  # the deadline day is not over
    async with world.sessionmaker() as session, session.begin():
        assert await close_due(session, today + timedelta(days=1)) == 1
    # Once: a second sweep finds nothing (the carried-over cycle is due six weeks on).
    async with world.sessionmaker() as session, session.begin():
        assert await close_due(session, today + timedelta(days=2)) == 0
    found = (await client.get(f"{CYCLES}/{cycle['id']}", headers=world.a.admin.headers)).json()
    assert found["status"] == "closed"
    report = (
        await client.get(f"{CYCLES}/{cycle['id']}/report", headers=world.a.admin.headers)
    ).json()
    following = report["carried_over"][0]["next_cycle_id"]
    nxt = (await client.get(f"{CYCLES}/{following}", headers=world.a.admin.headers)).json()
    assert nxt["submission_deadline"] == (today + timedelta(days=1, weeks=6)).isoformat()
    async with world.sessionmaker() as session:
        actor = await session.scalar(
            select(AuditRecord.actor_label).where(
                AuditRecord.action == "update_cycle.closed",
                AuditRecord.entity_id == uuid.UUID(cycle["id"]),
            )
        )
    assert actor == "system"


async def test_a_deadline_in_the_past_is_refused(client: AsyncClient, world: World) -> None:
    yesterday = (london_today() - timedelta(days=1)).isoformat()
    response = await _open(
        client, world, [{"chapter": "A", "recommendation": "a"}], submission_deadline=yesterday
    )
    assert response.status_code == 422

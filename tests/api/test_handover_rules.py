"""Orphaned owners (issue 20, item 6): what a reassignment refuses, and the staff list import.

All or nothing: one thing that cannot move (a sign-off stage given to the draft's writer)
moves nothing and the problem lists each with its reason. Another organisation's records answer
as missing ones; only the policy team and admins see or move a colleague's holdings."""

from __future__ import annotations

import uuid

import pytest
from httpx import AsyncClient
from sqlalchemy import select

from services.domain.handover import staff_list
from services.domain.models.outbox import OutboxEvent
from tests.api.handover_support import (
    add_leaver,
    holdings,
    leaver_holding_everything,
    reassign,
    send_staff_list,
    staff_csv,
)
from tests.api.sign_off_support import (
    create_document,
    create_route,
    decide,
    people_stage,
    submit,
    upload_draft,
)
from tests.api.test_handover import EVERYTHING, audit_after, audit_seq
from tests.factories import World


async def test_a_stage_given_to_the_drafts_writer_moves_nothing_and_says_why(
    client: AsyncClient, world: World
) -> None:
    leaver = await leaver_holding_everything(client, world)
    seq = await audit_seq(world)
    # The admin is the draft's author: they may decide stages, but not this one.
    refused = await reassign(
        client, world, leaver.person_id, str(world.a.admin.person_id), EVERYTHING
    )
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert [(u["kind"], u["role"]) for u in problem["unmoved"]] == [("sign_off_stage", "decider")]
    assert "wrote, uploaded or submitted the draft" in problem["unmoved"][0]["reason"]
    assert problem["detail"] == "1 of 5 could not move, so nothing moved."
    # Nothing moved: the documents, the action and the item are still the leaver's.
    assert (await holdings(client, world, leaver.person_id))["counts"] == {
        "document": 2,
        "sign_off_stage": 1,
        "monitoring_action": 1,
        "update_cycle_item": 1,
    }
    assert await audit_after(world, seq) == []
    # Someone with no role that decides is refused by the stage's own check too.
    unable = await reassign(
        client,
        world,
        leaver.person_id,
        str(world.a.author.person_id),
        [{"kind": "sign_off_stage", "role": "decider"}],
    )
    assert unable.status_code == 409, unable.text
    assert "holds no role that lets them decide" in unable.json()["unmoved"][0]["reason"]


async def test_one_item_by_id_moves_alone(client: AsyncClient, world: World) -> None:
    leaver = await leaver_holding_everything(client, world)
    moved = await reassign(
        client,
        world,
        leaver.person_id,
        str(world.a.approver.person_id),
        [{"kind": "monitoring_action", "role": "owner", "id": leaver.action_id}],
    )
    assert moved.status_code == 200, moved.text
    assert [(m["kind"], m["id"]) for m in moved.json()["moved"]] == [
        ("monitoring_action", leaver.action_id)
    ]
    left = (await holdings(client, world, leaver.person_id))["counts"]
    assert "monitoring_action" not in left and left["document"] == 2


async def test_the_new_holder_must_be_an_active_person_of_the_organisation(
    client: AsyncClient, world: World
) -> None:
    leaver = await leaver_holding_everything(client, world)
    items = [{"kind": "document", "role": "owner"}]
    for to in (str(world.b.approver.person_id), str(uuid.uuid4())):
        answer = await reassign(client, world, leaver.person_id, to, items)
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"] == "No such person in this organisation."
    same = await reassign(client, world, leaver.person_id, leaver.person_id, items)
    assert same.status_code == 422, same.text
    gone = await add_leaver(client, world, "Gail Gone")
    current = await client.get(f"/v1/people/{gone}", headers=world.a.admin.headers)
    await client.patch(
        f"/v1/people/{gone}",
        json={"is_active": False},
        headers={**world.a.admin.headers, "If-Match": current.headers["ETag"]},
    )
    inactive = await reassign(client, world, leaver.person_id, gone, items)
    assert inactive.status_code == 422, inactive.text
    assert "no longer active" in inactive.json()["detail"]


async def test_another_organisations_records_answer_as_missing(
    client: AsyncClient, world: World
) -> None:
    leaver = await leaver_holding_everything(client, world)
    # Beta's person in the path: 404, as for a person who does not exist.
    for person_id in (str(world.b.approver.person_id), str(uuid.uuid4())):
        found = await client.get(
            f"/v1/people/{person_id}/holdings", headers=world.a.policy_officer.headers
        )
        assert found.status_code == 404, found.text
    # Beta's document named as an item: not among what the leaver holds, like a random id.
    foreign = await client.post(
        "/v1/documents",
        json={"reference": "B-1", "title": "Beta's", "kind": "policy"},
        headers=world.b.policy_officer.headers,
    )
    assert foreign.status_code == 201, foreign.text
    answers = []
    for document_id in (foreign.json()["id"], str(uuid.uuid4())):
        answer = await reassign(
            client,
            world,
            leaver.person_id,
            str(world.a.approver.person_id),
            [{"kind": "document", "role": "owner", "id": document_id}],
        )
        assert answer.status_code == 409, answer.text
        answers.append(answer.json()["unmoved"][0]["reason"])
    assert answers[0] == answers[1]


@pytest.mark.parametrize("role", ["author", "approver", "reader"])
async def test_only_the_policy_team_and_admins_see_or_move_a_colleagues_holdings(
    client: AsyncClient, world: World, role: str
) -> None:
    person_id = str(world.a.policy_officer.person_id)
    headers = world.a.members[role].headers
    calls = [
        await client.get(f"/v1/people/{person_id}/holdings", headers=headers),
        await reassign(
            client,
            world,
            person_id,
            str(world.a.admin.person_id),
            [{"kind": "document", "role": "owner"}],
            headers=headers,
        ),
        await client.get("/v1/orphaned-documents", headers=headers),
        await send_staff_list(client, world, staff_csv(), headers=headers),
    ]
    assert [c.status_code for c in calls] == [403, 403, 403, 403]
    admin = await client.get(f"/v1/people/{person_id}/holdings", headers=world.a.admin.headers)
    assert admin.status_code == 200


async def test_a_reassignment_is_bounded(client: AsyncClient, world: World) -> None:
    person_id = str(world.a.author.person_id)
    items = [{"kind": "document", "role": "owner", "id": str(uuid.uuid4())}] * 501
    answer = await reassign(client, world, person_id, str(world.a.approver.person_id), items)
    assert answer.status_code == 422, answer.text
    wrong = await reassign(
        client,
        world,
        person_id,
        str(world.a.approver.person_id),
        [{"kind": "document", "role": "decider"}],
    )
    assert wrong.status_code == 422, wrong.text
    assert "cannot be reassigned as 'decider'" in wrong.json()["detail"]


async def test_a_staff_list_dry_run_says_who_has_left_and_what_they_hold_and_changes_nothing(
    client: AsyncClient, world: World
) -> None:
    leaver = await leaver_holding_everything(client, world)
    content = staff_csv(
        "lee.leaver@alpha.example.org,Lee Leaver,Left,,CIN",
        "author@alpha.example.org,Author,Active,,CIN",
        "nobody@alpha.example.org,Nobody,Leaver,,CIN",
        "approver@alpha.example.org,Approver,Active,2099-01-31,CIN",
    )
    dry = await send_staff_list(client, world, content)
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert (report["dry_run"], report["rows"], report["marked"]) == (True, 4, 0)
    [found] = report["leavers"]
    assert (found["person_id"], found["row"], found["already_inactive"]) == (
        leaver.person_id,
        2,
        False,
    )
    assert found["holdings"] == {
        "document": 2,
        "sign_off_stage": 1,
        "monitoring_action": 1,
        "update_cycle_item": 1,
    }
    assert report["unknown"] == [
        {"row": 4, "message": "nobody@alpha.example.org is not in the directory."}
    ]
    person = await client.get(f"/v1/people/{leaver.person_id}", headers=world.a.admin.headers)
    assert person.json()["is_active"] is True
    assert await _left_events(world) == []


async def test_applying_a_staff_list_marks_the_leavers_and_tells_the_policy_team_once(
    client: AsyncClient, world: World
) -> None:
    leaver = await leaver_holding_everything(client, world)
    other = await add_leaver(client, world, "Olive Other")
    content = staff_csv(
        "Lee.Leaver@alpha.example.org,Lee Leaver,,2020-03-31,CIN",
        "olive.other@alpha.example.org,Olive Other,inactive,,CIN",
        "author@alpha.example.org,Author,Active,,CIN",
    )
    applied = await send_staff_list(client, world, content, dry_run=False)
    assert applied.status_code == 200, applied.text
    assert applied.json()["marked"] == 2
    for person_id in (leaver.person_id, other):
        person = await client.get(f"/v1/people/{person_id}", headers=world.a.admin.headers)
        assert person.json()["is_active"] is False
    author = await client.get(
        f"/v1/people/{world.a.author.person_id}", headers=world.a.admin.headers
    )
    assert author.json()["is_active"] is True
    assert await _left_events(world) == [
        ("staff_list", sorted([leaver.person_id, other]), "HR leavers November.csv")
    ]
    # The same list again marks nobody and tells nobody again.
    again = await send_staff_list(client, world, content, dry_run=False)
    assert again.json()["marked"] == 0
    assert [f["already_inactive"] for f in again.json()["leavers"]] == [True, True]
    assert len(await _left_events(world)) == 1


async def test_a_staff_list_with_an_unreadable_row_is_refused_whole_when_applied(
    client: AsyncClient, world: World
) -> None:
    leaver = await add_leaver(client, world)
    content = staff_csv("lee.leaver@alpha.example.org,Lee,Left,,", ",No email,Left,,")
    dry = await send_staff_list(client, world, content)
    assert dry.json()["problems"] == [{"row": 3, "message": "No email address."}]
    applied = await send_staff_list(client, world, content, dry_run=False)
    assert applied.status_code == 422, applied.text
    assert applied.json()["problems"] == [{"row": 3, "message": "No email address."}]
    person = await client.get(f"/v1/people/{leaver}", headers=world.a.admin.headers)
    assert person.json()["is_active"] is True
    bad_date = await send_staff_list(client, world, staff_csv("a@alpha.example.org,A,,31.03.2020,"))
    assert bad_date.json()["problems"][0]["message"].startswith("The leaving date is not a date")


async def test_a_staff_list_is_bounded_and_must_name_its_columns(
    client: AsyncClient, world: World
) -> None:
    big = b"Email,Status\n" + b"x" * staff_list.MAX_BYTES
    too_big = await send_staff_list(client, world, big)
    assert too_big.status_code == 413, too_big.text
    no_columns = await send_staff_list(client, world, b"Name,Team\nLee,CIN\n")
    assert no_columns.status_code == 422, no_columns.text
    assert "email column" in no_columns.json()["detail"]
    not_text = await send_staff_list(client, world, b"\xff\xfe\x00bad")
    assert not_text.status_code == 422, not_text.text


async def _left_events(world: World) -> list[tuple[str, list[str], str]]:
    async with world.sessionmaker() as session:
        rows = await session.execute(
            select(OutboxEvent.payload)
            .where(OutboxEvent.type == "people.left", OutboxEvent.organisation_id == world.a.id)
            .order_by(OutboxEvent.created_at)
        )
        return [(p["source"], sorted(p["person_ids"]), p["filename"]) for p in rows.scalars().all()]


async def test_a_seat_already_decided_in_this_round_is_no_longer_held(
    client: AsyncClient, world: World
) -> None:
    panel = [str(world.a.approver.person_id), str(world.a.admin.person_id)]
    await create_route(client, world, [people_stage("panel", panel, rule="all")])
    document_id = await create_document(client, world)
    version = await upload_draft(client, world, document_id)
    submitted = await submit(client, world, document_id, version["id"])
    assert submitted.status_code == 201, submitted.text
    sign_off = submitted.json()
    stage_id = next(s["id"] for s in sign_off["stages"] if s["key"] == "panel")
    waiting = {"kind": "sign_off_stage", "role": "decider", "id": stage_id}
    held = await holdings(client, world, str(world.a.approver.person_id))
    assert waiting | {"within_id": sign_off["id"]} in [
        {k: i[k] for k in ("kind", "role", "id", "within_id")} for i in held["items"]
    ]
    decided = await decide(client, sign_off, world.a.approver.headers)
    assert decided.status_code == 201, decided.text
    after = await holdings(client, world, str(world.a.approver.person_id))
    assert "sign_off_stage" not in after["counts"]
    admin = await holdings(client, world, str(world.a.admin.person_id))
    assert admin["counts"]["sign_off_stage"] == 1
    moved = await reassign(
        client,
        world,
        str(world.a.approver.person_id),
        str(world.a.policy_officer.person_id),
        [waiting],
    )
    assert moved.status_code == 409, moved.text
    assert "holds no open sign_off_stage" in moved.json()["unmoved"][0]["reason"]

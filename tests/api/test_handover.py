"""Orphaned owners (issue 20, item 6): everything a leaver holds is listed, the policy team is
told once, the tracker flags documents with no active owner, and one request moves it all to
someone else, all or nothing, with an audit record for each thing moved."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import func, select

from services.domain.models.audit import AuditRecord
from services.domain.models.outbox import OutboxEvent
from tests.api.handover_support import (
    deactivate,
    holdings,
    leaver_holding_everything,
    reassign,
)
from tests.api.policy_requests_support import notices, relay
from tests.factories import World


async def audit_seq(world: World) -> int:
    async with world.sessionmaker() as session:
        found = await session.execute(
            select(func.coalesce(func.max(AuditRecord.seq), 0)).where(
                AuditRecord.organisation_id == world.a.id
            )
        )
        return int(found.scalar_one())


async def audit_after(world: World, seq: int) -> list[tuple[str, str]]:
    """The organisation's audit records after ``seq``: (action, entity id)."""
    async with world.sessionmaker() as session:
        rows = await session.execute(
            select(AuditRecord.action, AuditRecord.entity_id)
            .where(AuditRecord.organisation_id == world.a.id, AuditRecord.seq > seq)
            .order_by(AuditRecord.seq)
        )
        return [(action, str(entity)) for action, entity in rows.all()]


EVERYTHING = [
    {"kind": "document", "role": "owner"},
    {"kind": "document", "role": "responsible_officer"},
    {"kind": "sign_off_stage", "role": "decider"},
    {"kind": "monitoring_action", "role": "owner"},
    {"kind": "update_cycle_item", "role": "assignee"},
]


async def test_holdings_list_every_open_thing_a_person_holds_with_the_role_they_hold_it_in(
    client: AsyncClient, world: World
) -> None:
    leaver = await leaver_holding_everything(client, world)
    found = await holdings(client, world, leaver.person_id)
    assert found["counts"] == {
        "document": 2,
        "sign_off_stage": 1,
        "monitoring_action": 1,
        "update_cycle_item": 1,
    }
    held = {(i["kind"], i["role"], i["id"]) for i in found["items"]}
    stage_id = next(s["id"] for s in leaver.sign_off["stages"] if s["key"] == "rsm")
    assert held == {
        ("document", "owner", leaver.draft_id),
        ("document", "responsible_officer", leaver.published_id),
        ("sign_off_stage", "decider", stage_id),
        ("monitoring_action", "owner", leaver.action_id),
        ("update_cycle_item", "assignee", leaver.item_id),
    }
    stage = next(i for i in found["items"] if i["kind"] == "sign_off_stage")
    assert stage["within_id"] == leaver.sign_off["id"]
    assert stage["document_id"] == leaver.draft_id
    assert all(i["reassignable"] for i in found["items"])
    # The policy officer's own holdings: the published procedure's owner is the approver.
    approver = await holdings(client, world, str(world.a.approver.person_id))
    assert ("document", "owner", leaver.published_id) in {
        (i["kind"], i["role"], i["id"]) for i in approver["items"]
    }


async def test_deactivating_someone_tells_the_policy_team_once_what_they_still_hold(
    client: AsyncClient, world: World
) -> None:
    leaver = await leaver_holding_everything(client, world)
    answer = await deactivate(client, world, leaver.person_id)
    assert answer.status_code == 200, answer.text
    async with world.sessionmaker() as session:
        left = (
            (
                await session.execute(
                    select(OutboxEvent.payload).where(OutboxEvent.type == "people.left")
                )
            )
            .scalars()
            .all()
        )
    assert [p["person_ids"] for p in left] == [[leaver.person_id]]
    await relay(world)
    told = await notices(world, "people.left")
    assert [n.recipient_person_id for n in told] == [world.a.policy_officer.person_id]
    context = told[0].context
    assert [leaver["name"] for leaver in context["leavers"]] == ["Lee Leaver"]
    assert context["leavers"][0]["total"] == 5
    assert {e["document_id"] for e in context["entries"]} >= {
        leaver.draft_id,
        leaver.published_id,
    }
    # Changing the person again (they are already inactive) tells nobody again.
    again = await client.get(f"/v1/people/{leaver.person_id}", headers=world.a.admin.headers)
    renamed = await client.patch(
        f"/v1/people/{leaver.person_id}",
        json={"name": "Lee Leaver (left)"},
        headers={**world.a.admin.headers, "If-Match": again.headers["ETag"]},
    )
    assert renamed.status_code == 200, renamed.text
    await relay(world)
    assert len(await notices(world, "people.left")) == 1


async def test_the_tracker_flags_and_filters_documents_whose_ro_has_left(
    client: AsyncClient, world: World
) -> None:
    leaver = await leaver_holding_everything(client, world)
    headers = world.a.policy_officer.headers
    before = await client.get("/v1/tracker?orphaned=true", headers=headers)
    assert before.json()["items"] == []
    await deactivate(client, world, leaver.person_id)
    flagged = await client.get("/v1/tracker?orphaned=true", headers=headers)
    [row] = flagged.json()["items"]
    assert (row["document_id"], row["orphaned"]) == (leaver.published_id, True)
    assert row["vacant_roles"] == ["responsible_officer"]
    others = await client.get("/v1/tracker?orphaned=false", headers=headers)
    assert leaver.published_id not in {r["document_id"] for r in others.json()["items"]}
    # The organisation's list has the draft too (its owner left), which the tracker does not.
    listed = await client.get("/v1/orphaned-documents", headers=headers)
    assert listed.status_code == 200, listed.text
    assert {(d["document_id"], tuple(d["vacant_roles"])) for d in listed.json()["items"]} == {
        (leaver.draft_id, ("owner",)),
        (leaver.published_id, ("responsible_officer",)),
    }


async def test_reassigning_everything_moves_it_with_an_audit_record_each(
    client: AsyncClient, world: World
) -> None:
    leaver = await leaver_holding_everything(client, world)
    await deactivate(client, world, leaver.person_id)
    new = str(world.a.approver.person_id)
    seq = await audit_seq(world)
    moved = await reassign(client, world, leaver.person_id, new, EVERYTHING)
    assert moved.status_code == 200, moved.text
    assert len(moved.json()["moved"]) == 5
    assert (await holdings(client, world, leaver.person_id))["items"] == []
    headers = world.a.admin.headers
    draft = (await client.get(f"/v1/documents/{leaver.draft_id}", headers=headers)).json()
    assert draft["owner_id"] == new
    sign_off = (await client.get(f"/v1/sign-offs/{leaver.sign_off['id']}", headers=headers)).json()
    assert next(s for s in sign_off["stages"] if s["key"] == "rsm")["participants"] == [new]
    action = await client.get(f"/v1/monitoring-actions/{leaver.action_id}", headers=headers)
    assert action.json()["owner_id"] == new
    item = await client.get(f"/v1/update-cycle-items/{leaver.item_id}", headers=headers)
    assert item.json()["assigned_to_id"] == new
    actions = await audit_after(world, seq)
    assert sorted(actions) == sorted(
        [
            ("document.updated", leaver.draft_id),
            ("document.updated", leaver.published_id),
            ("sign_off.decider_replaced", leaver.sign_off["id"]),
            ("monitoring_action.updated", leaver.action_id),
            ("update_cycle_item.updated", leaver.item_id),
            ("person.holdings_reassigned", leaver.person_id),
        ]
    )
    # The one asked to decide instead is told, as the stage's deciders were.
    await relay(world)
    asked = await notices(world, "sign_off.decision_needed")
    assert world.a.approver.person_id in {n.recipient_person_id for n in asked}
    # And the tracker no longer flags anything.
    flagged = await client.get("/v1/tracker?orphaned=true", headers=headers)
    assert flagged.json()["items"] == []

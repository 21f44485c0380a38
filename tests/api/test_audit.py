"""The audit trail: every change recorded, append-only, hash-chained, tampering detected."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.domain.settings import Settings
from tests.factories import World, document_body


async def create_and_retitle(client: AsyncClient, world: World) -> str:
    h = world.a.policy_officer.headers
    doc = (await client.post("/v1/documents", json=document_body(title="Old"), headers=h)).json()
    await client.patch(
        f"/v1/documents/{doc['id']}", json={"title": "New"}, headers={**h, "If-Match": '"r1"'}
    )
    return str(doc["id"])


async def test_every_change_is_recorded_with_who_before_and_after(
    client: AsyncClient, world: World
) -> None:
    doc_id = await create_and_retitle(client, world)
    response = await client.get(
        f"/v1/audit?entity_type=document&entity_id={doc_id}", headers=world.a.admin.headers
    )
    assert response.status_code == 200
    records = response.json()["items"]
    assert [r["action"] for r in records] == ["document.created", "document.updated"]
    created, updated = records
    assert created["before"] is None and created["after"]["title"] == "Old"
    assert (updated["before"]["title"], updated["after"]["title"]) == ("Old", "New")
    assert updated["actor_person_id"] == str(world.a.policy_officer.person_id)
    assert "policy_officer@alpha.example.org" in updated["actor_label"]
    assert updated["prev_hash"] == created["hash"]


async def test_the_audit_trail_is_for_admins_and_policy_officers(
    client: AsyncClient, world: World
) -> None:
    assert (await client.get("/v1/audit", headers=world.a.reader.headers)).status_code == 403
    assert (
        await client.get("/v1/audit", headers=world.a.policy_officer.headers)
    ).status_code == 200


async def test_audit_records_filter_by_time_and_page(client: AsyncClient, world: World) -> None:
    await create_and_retitle(client, world)
    h = world.a.admin.headers
    everything = (await client.get("/v1/audit?limit=200", headers=h)).json()["items"]
    middle = everything[len(everything) // 2]["occurred_at"]
    later = (await client.get("/v1/audit", params={"since": middle}, headers=h)).json()["items"]
    assert later and all(r["occurred_at"] >= middle for r in later)
    assert len(later) < len(everything)
    first = (await client.get("/v1/audit?limit=2", headers=h)).json()
    second = (
        await client.get(f"/v1/audit?limit=2&cursor={first['next_cursor']}", headers=h)
    ).json()
    assert [r["seq"] for r in first["items"] + second["items"]] == [1, 2, 3, 4]
    naive = await client.get("/v1/audit", params={"since": "2026-01-01T00:00:00"}, headers=h)
    assert naive.status_code == 422


async def test_the_database_refuses_to_edit_or_delete_audit_records(world: World) -> None:
    async with world.sessionmaker() as session:
        with pytest.raises(DBAPIError, match="append-only"):
            await session.execute(text("UPDATE audit_records SET action = 'x'"))
    async with world.sessionmaker() as session:
        with pytest.raises(DBAPIError, match="append-only"):
            await session.execute(text("DELETE FROM audit_records"))


async def tamper(world: World, sql: str) -> None:
    async with world.sessionmaker() as session:
        # Only a superuser can bypass the append-only trigger like this: the attack we detect.
        await session.execute(text("SET LOCAL session_replication_role = replica"))
        await session.execute(text(sql), {"org": world.a.id})
        await session.commit()


async def test_an_intact_chain_verifies(client: AsyncClient, world: World) -> None:
    await create_and_retitle(client, world)
    verdict = (await client.get("/v1/audit/verification", headers=world.a.admin.headers)).json()
    assert verdict["is_intact"] is True
    assert verdict["records_checked"] >= 10


async def test_an_edited_record_is_found_and_named(client: AsyncClient, world: World) -> None:
    await create_and_retitle(client, world)
    await tamper(
        world,
        "UPDATE audit_records SET after = jsonb_set(after, '{title}', '\"Forged\"') "
        "WHERE organisation_id = :org AND action = 'document.created'",
    )
    async with world.sessionmaker() as session:
        seq = await session.scalar(
            text(
                "SELECT seq FROM audit_records "
                "WHERE action = 'document.created' AND organisation_id = :org"
            ),
            {"org": world.a.id},
        )
    verdict = (await client.get("/v1/audit/verification", headers=world.a.admin.headers)).json()
    assert verdict["is_intact"] is False
    assert verdict["first_broken_seq"] == seq
    assert verdict["reason"] == "content does not match its hash"
    other = (await client.get("/v1/audit/verification", headers=world.b.admin.headers)).json()
    assert other["is_intact"] is True


async def test_a_deleted_record_and_a_removed_tail_are_found(
    client: AsyncClient, world: World
) -> None:
    await create_and_retitle(client, world)
    await tamper(world, "DELETE FROM audit_records WHERE organisation_id = :org AND seq = 3")
    verdict = (await client.get("/v1/audit/verification", headers=world.a.admin.headers)).json()
    assert (verdict["is_intact"], verdict["first_broken_seq"]) == (False, 3)

    await tamper(
        world,
        "DELETE FROM audit_records WHERE organisation_id = :org AND seq = "
        "(SELECT max(seq) FROM audit_records WHERE organisation_id = :org)",
    )
    verdict_b = (await client.get("/v1/audit/verification", headers=world.b.admin.headers)).json()
    assert verdict_b["is_intact"] is True


async def test_removing_the_newest_records_is_found(client: AsyncClient, world: World) -> None:
    await create_and_retitle(client, world)
    await tamper(
        world,
        "DELETE FROM audit_records WHERE organisation_id = :org AND seq = "
        "(SELECT max(seq) FROM audit_records WHERE organisation_id = :org)",
    )
    verdict = (await client.get("/v1/audit/verification", headers=world.a.admin.headers)).json()
    assert verdict["is_intact"] is False
    assert verdict["reason"] == "records after this one were removed"


async def test_concurrent_writers_keep_one_unbroken_chain(
    client: AsyncClient, world: World
) -> None:
    h = world.a.policy_officer.headers
    responses = await asyncio.gather(
        *(
            client.post("/v1/documents", json=document_body(reference=f"C-{n}"), headers=h)
            for n in range(12)
        )
    )
    assert {r.status_code for r in responses} == {201}
    verdict = (await client.get("/v1/audit/verification", headers=world.a.admin.headers)).json()
    assert verdict["is_intact"] is True


async def test_the_cli_names_the_first_broken_link(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    await create_and_retitle(client, world)
    env = {**os.environ, "POLICYGOV_DATABASE_URL": settings.database_url}
    ok = subprocess.run(
        [sys.executable, "-m", "services.cli", "verify-audit"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    assert "alpha: intact" in ok.stdout
    await tamper(
        world,
        "UPDATE audit_records SET actor_label = 'someone else' "
        "WHERE organisation_id = :org AND seq = 5",
    )
    broken = subprocess.run(
        [sys.executable, "-m", "services.cli", "verify-audit", "--org", "alpha"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert broken.returncode == 1
    assert "alpha: BROKEN at record 5" in broken.stdout

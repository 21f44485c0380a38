"""Idempotency-Key on POST: a repeat returns the stored response with no second effect."""

from __future__ import annotations

import asyncio
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import func, select

from services.domain.models.audit import AuditChainHead
from services.domain.models.documents import Document
from services.domain.models.idempotency import IdempotencyRecord
from tests.factories import World, document_body


async def count_documents(world: World) -> int:
    async with world.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Document)) or 0)


async def test_a_repeated_post_returns_the_first_response_and_creates_nothing_more(
    client: AsyncClient, world: World
) -> None:
    headers = {**world.a.policy_officer.headers, "Idempotency-Key": "create-pol-7"}
    body = document_body(reference="POL-7")
    first = await client.post("/v1/documents", json=body, headers=headers)
    second = await client.post("/v1/documents", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await count_documents(world) == 1


async def test_the_same_key_with_a_different_body_is_a_422(
    client: AsyncClient, world: World
) -> None:
    headers = {**world.a.policy_officer.headers, "Idempotency-Key": "k1"}
    await client.post("/v1/documents", json=document_body(reference="A-1"), headers=headers)
    other = await client.post("/v1/documents", json=document_body(reference="A-2"), headers=headers)
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert await count_documents(world) == 1


async def test_keys_belong_to_an_organisation(client: AsyncClient, world: World) -> None:
    body = document_body(reference="SAME")
    a = await post_with_key(client, world.a.admin, body)
    b = await client.post(
        "/v1/documents", json=body, headers={**world.b.admin.headers, "Idempotency-Key": "k"}
    )
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


async def post_with_key(client: AsyncClient, who: Any, body: dict[str, Any]) -> Response:
    headers = {**who.headers, "Idempotency-Key": "k"}
    return await client.post("/v1/documents", json=body, headers=headers)


async def test_a_reader_resending_an_admins_key_and_body_does_not_get_the_admins_201(
    client: AsyncClient, world: World
) -> None:
    body = document_body(reference="ADMIN-1")
    admin = await post_with_key(client, world.a.admin, body)
    assert admin.status_code == 201
    reader = await post_with_key(client, world.a.reader, body)
    assert reader.status_code == 403
    assert "idempotent-replayed" not in reader.headers
    assert admin.json()["id"] not in reader.text
    assert await count_documents(world) == 1


async def test_a_readers_403_under_a_key_is_not_replayed_to_the_admin(
    client: AsyncClient, world: World
) -> None:
    body = document_body(reference="ADMIN-2")
    reader = await post_with_key(client, world.a.reader, body)
    assert reader.status_code == 403
    admin = await post_with_key(client, world.a.admin, body)
    assert admin.status_code == 201
    assert "idempotent-replayed" not in admin.headers
    assert await count_documents(world) == 1
    # A refusal changed nothing, so it is not kept: the reader is refused again, afresh.
    again = await post_with_key(client, world.a.reader, body)
    assert again.status_code == 403 and "idempotent-replayed" not in again.headers


async def test_a_repeat_while_the_first_is_in_flight_is_a_409(
    client: AsyncClient, world: World
) -> None:
    body = document_body(reference="SLOW-1")
    headers = {**world.a.policy_officer.headers, "Idempotency-Key": "slow"}
    async with world.sessionmaker() as session:
        # Hold the organisation's audit chain head: the first request waits on it, in flight.
        await session.execute(
            select(AuditChainHead)
            .where(AuditChainHead.organisation_id == world.a.id)
            .with_for_update()
        )
        first = asyncio.create_task(client.post("/v1/documents", json=body, headers=headers))
        for _ in range(200):
            async with world.sessionmaker() as probe:
                state = await probe.scalar(
                    select(IdempotencyRecord.state).where(IdempotencyRecord.key == "slow")
                )
            if state == "in_flight":
                break
            await asyncio.sleep(0.01)
        second = await client.post("/v1/documents", json=body, headers=headers)
        await session.rollback()
    done = await first
    assert second.status_code == 409
    assert done.status_code == 201
    replay = await client.post("/v1/documents", json=body, headers=headers)
    assert replay.status_code == 201 and replay.json()["id"] == done.json()["id"]


async def test_an_unauthenticated_post_with_a_key_is_a_401_and_stores_nothing(
    client: AsyncClient, world: World
) -> None:
    response = await client.post(
        "/v1/documents", json=document_body(), headers={"Idempotency-Key": "anon"}
    )
    assert response.status_code == 401
    async with world.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 0


async def test_a_retried_upload_with_a_new_multipart_boundary_is_the_same_request(
    client: AsyncClient, world: World
) -> None:
    h = world.a.policy_officer.headers
    doc = (await client.post("/v1/documents", json=document_body(), headers=h)).json()
    url = f"/v1/documents/{doc['id']}/versions"
    headers = {**h, "Idempotency-Key": "upload-1"}
    files = {"file": ("policy.md", b"# Policy", "text/markdown")}
    first = await client.post(url, files=files, data={"change_summary": "first"}, headers=headers)
    retry = await client.post(url, files=files, data={"change_summary": "first"}, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"]
    assert retry.headers["idempotent-replayed"] == "true"
    changed = await client.post(
        url, files={"file": ("policy.md", b"# Other", "text/markdown")}, headers=headers
    )
    assert changed.status_code == 422
    versions = (await client.get(url, headers=h)).json()
    assert [v["number"] for v in versions] == ["0.1"]


async def test_a_one_time_secret_is_never_kept_for_replay(
    client: AsyncClient, world: World
) -> None:
    headers = {**world.a.admin.headers, "Idempotency-Key": "new-key"}
    body = {"name": "Trix upload", "role": "integration"}
    first = await client.post("/v1/api-keys", json=body, headers=headers)
    assert first.status_code == 201
    secret = first.json()["key"]
    async with world.sessionmaker() as session:
        stored = await session.scalar(
            select(IdempotencyRecord.response_body).where(IdempotencyRecord.key == "new-key")
        )
    assert stored is None
    repeat = await client.post("/v1/api-keys", json=body, headers=headers)
    assert repeat.status_code == 409
    assert secret not in repeat.text
    listed = (await client.get("/v1/api-keys", headers=world.a.admin.headers)).json()
    assert [k["name"] for k in listed].count("Trix upload") == 1  # no second effect

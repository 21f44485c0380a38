"""Links between documents: both directions, no self-links, duplicates or governs cycles."""

from __future__ import annotations

from httpx import AsyncClient

from tests.factories import World, document_body


async def make(client: AsyncClient, world: World, reference: str) -> str:
    response = await client.post(
        "/v1/documents",
        json=document_body(reference=reference),
        headers=world.a.policy_officer.headers,
    )
    assert response.status_code == 201
    return str(response.json()["id"])


async def link(client: AsyncClient, world: World, source: str, target: str, kind: str) -> int:
    response = await client.post(
        f"/v1/documents/{source}/links",
        json={"target_id": target, "kind": kind},
        headers=world.a.policy_officer.headers,
    )
    return response.status_code


async def test_a_link_is_seen_from_both_ends(client: AsyncClient, world: World) -> None:
    policy, procedure = await make(client, world, "POL-1"), await make(client, world, "PROC-1")
    assert await link(client, world, policy, procedure, "governs") == 201
    h = world.a.reader.headers
    out = (await client.get(f"/v1/documents/{policy}/links", headers=h)).json()
    inc = (await client.get(f"/v1/documents/{procedure}/links", headers=h)).json()
    assert [(x["direction"], x["other"]["reference"], x["kind"]) for x in out] == [
        ("outgoing", "PROC-1", "governs")
    ]
    assert [(x["direction"], x["other"]["reference"]) for x in inc] == [("incoming", "POL-1")]


async def test_self_links_and_duplicates_are_refused(client: AsyncClient, world: World) -> None:
    a, b = await make(client, world, "A"), await make(client, world, "B")
    assert await link(client, world, a, a, "relates_to") == 422
    assert await link(client, world, a, b, "relates_to") == 201
    assert await link(client, world, a, b, "relates_to") == 409
    assert await link(client, world, a, b, "implements") == 201


async def test_governs_links_cannot_form_a_cycle(client: AsyncClient, world: World) -> None:
    a, b, c = [await make(client, world, r) for r in ("A", "B", "C")]
    assert await link(client, world, a, b, "governs") == 201
    assert await link(client, world, b, c, "governs") == 201
    assert await link(client, world, c, a, "governs") == 409
    # Other kinds may point back: a procedure relates to its policy.
    assert await link(client, world, c, a, "relates_to") == 201


async def test_removing_a_link_needs_if_match(client: AsyncClient, world: World) -> None:
    a, b = await make(client, world, "A"), await make(client, world, "B")
    created = await client.post(
        f"/v1/documents/{a}/links",
        json={"target_id": b, "kind": "relates_to"},
        headers=world.a.policy_officer.headers,
    )
    url = f"/v1/documents/{a}/links/{created.json()['id']}"
    h = world.a.policy_officer.headers
    assert (await client.delete(url, headers=h)).status_code == 428
    assert (await client.delete(url, headers={**h, "If-Match": '"r2"'})).status_code == 412
    assert (
        await client.delete(url, headers={**h, "If-Match": created.headers["etag"]})
    ).status_code == 204
    assert (await client.get(f"/v1/documents/{b}/links", headers=h)).json() == []

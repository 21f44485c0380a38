"""The register through the HTTP API: creating, changing, finding documents."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy import func, select

from services.domain.models.outbox import OutboxEvent
from tests.factories import World, document_body

PROBLEM = "application/problem+json"


async def create(client: AsyncClient, headers: dict[str, str], **fields: object) -> dict:
    response = await client.post("/v1/documents", json=document_body(**fields), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_policy_officer_registers_a_document_that_every_member_can_read(
    client: AsyncClient, world: World
) -> None:
    created = await client.post(
        "/v1/documents",
        json=document_body(reference="POL-001", tags=["cin", "cin", "voice"]),
        headers=world.a.policy_officer.headers,
    )
    assert created.status_code == 201, created.text
    assert created.headers["etag"] == '"r1"'
    assert created.json()["status"] == "draft"
    assert created.json()["tags"] == ["cin", "voice"]
    got = await client.get(created.headers["location"], headers=world.a.reader.headers)
    assert got.status_code == 200
    assert got.json()["reference"] == "POL-001"
    assert got.headers["etag"] == '"r1"'


async def test_a_reader_cannot_register_documents(client: AsyncClient, world: World) -> None:
    response = await client.post(
        "/v1/documents", json=document_body(), headers=world.a.reader.headers
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM


async def test_an_author_registers_drafts_only_and_becomes_their_author(
    client: AsyncClient, world: World
) -> None:
    doc = await create(client, world.a.author.headers)
    assert doc["author_id"] == str(world.a.author.person_id)
    refused = await client.post(
        "/v1/documents",
        json=document_body(status="published"),
        headers=world.a.author.headers,
    )
    assert refused.status_code == 403


async def test_a_procedure_without_an_rsm_is_refused(client: AsyncClient, world: World) -> None:
    response = await client.post(
        "/v1/documents",
        json=document_body(kind="procedure", reference="PROC-001"),
        headers=world.a.policy_officer.headers,
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["invalid_params"][0]["name"] == "owner_id"


async def test_the_rsm_stands_in_as_ro_when_none_is_named(
    client: AsyncClient, world: World
) -> None:
    # NCT: every procedure always has an RO; when none is named the RSM stands in.
    doc = await create(
        client,
        world.a.policy_officer.headers,
        kind="procedure",
        owner_id=str(world.a.approver.person_id),
    )
    assert doc["responsible_officer_id"] is None
    assert doc["acting_responsible_officer_id"] == str(world.a.approver.person_id)
    named = await create(
        client,
        world.a.policy_officer.headers,
        kind="procedure",
        owner_id=str(world.a.approver.person_id),
        responsible_officer_id=str(world.a.author.person_id),
    )
    assert named["acting_responsible_officer_id"] == str(world.a.author.person_id)


async def test_a_reference_is_unique_within_an_organisation_only(
    client: AsyncClient, world: World
) -> None:
    await create(client, world.a.policy_officer.headers, reference="PROC-014")
    clash = await client.post(
        "/v1/documents",
        json=document_body(reference="PROC-014"),
        headers=world.a.policy_officer.headers,
    )
    assert clash.status_code == 409
    await create(client, world.b.policy_officer.headers, reference="PROC-014")


async def test_bad_input_lists_every_bad_field(client: AsyncClient, world: World) -> None:
    response = await client.post(
        "/v1/documents",
        json={"reference": "", "title": "x" * 301, "kind": "policy", "review_interval_months": 0},
        headers=world.a.policy_officer.headers,
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    names = {p["name"] for p in response.json()["invalid_params"]}
    assert {"reference", "title", "review_interval_months"} <= names


async def test_text_with_nul_characters_is_refused_not_a_server_error(
    client: AsyncClient, world: World
) -> None:
    response = await client.post(
        "/v1/documents",
        json=document_body(title="Bad\x00title"),
        headers=world.a.policy_officer.headers,
    )
    assert response.status_code == 422


async def test_a_person_of_another_organisation_cannot_be_named_owner(
    client: AsyncClient, world: World
) -> None:
    response = await client.post(
        "/v1/documents",
        json=document_body(owner_id=str(world.b.approver.person_id)),
        headers=world.a.policy_officer.headers,
    )
    assert response.status_code == 422
    assert response.json()["invalid_params"][0]["name"] == "owner_id"


async def test_patch_needs_if_match_and_refuses_a_stale_etag(
    client: AsyncClient, world: World
) -> None:
    doc = await create(client, world.a.policy_officer.headers)
    url = f"/v1/documents/{doc['id']}"
    headers = world.a.policy_officer.headers
    missing = await client.patch(url, json={"title": "New"}, headers=headers)
    assert missing.status_code == 428
    ok = await client.patch(url, json={"title": "New"}, headers={**headers, "If-Match": '"r1"'})
    assert ok.status_code == 200, ok.text
    assert ok.json()["title"] == "New"
    assert ok.headers["etag"] == '"r2"'
    stale = await client.patch(
        url, json={"title": "Lost update"}, headers={**headers, "If-Match": '"r1"'}
    )
    assert stale.status_code == 412
    current = await client.get(url, headers=headers)
    assert current.json()["title"] == "New"


async def test_an_author_edits_their_document_but_not_its_status_or_owner(
    client: AsyncClient, world: World
) -> None:
    doc = await create(client, world.a.author.headers)
    url = f"/v1/documents/{doc['id']}"
    headers = {**world.a.author.headers, "If-Match": '"r1"'}
    ok = await client.patch(url, json={"summary": "Clearer summary"}, headers=headers)
    assert ok.status_code == 200
    headers["If-Match"] = ok.headers["etag"]
    refused = await client.patch(url, json={"status": "published"}, headers=headers)
    assert refused.status_code == 403
    other = await create(client, world.a.policy_officer.headers)
    not_theirs = await client.patch(
        f"/v1/documents/{other['id']}",
        json={"summary": "x"},
        headers={**world.a.author.headers, "If-Match": '"r1"'},
    )
    assert not_theirs.status_code == 403


async def test_assigning_an_owner_emits_an_event_for_the_notifier(
    client: AsyncClient, world: World
) -> None:
    doc = await create(client, world.a.policy_officer.headers)
    response = await client.patch(
        f"/v1/documents/{doc['id']}",
        json={"owner_id": str(world.a.approver.person_id)},
        headers={**world.a.policy_officer.headers, "If-Match": '"r1"'},
    )
    assert response.status_code == 200
    async with world.sessionmaker() as session:
        events = (
            (
                await session.execute(
                    select(OutboxEvent).where(OutboxEvent.type == "document.owner_changed")
                )
            )
            .scalars()
            .all()
        )
    assert [(e.payload["role"], e.payload["person_id"]) for e in events] == [
        ("owner", str(world.a.approver.person_id))
    ]


async def test_a_refused_change_leaves_no_event_and_no_audit_record(
    client: AsyncClient, world: World
) -> None:
    from services.domain.models.audit import AuditRecord

    async with world.sessionmaker() as session:
        before_events = await session.scalar(select(func.count()).select_from(OutboxEvent))
        before_audit = await session.scalar(select(func.count()).select_from(AuditRecord))
    response = await client.post(
        "/v1/documents",
        json=document_body(kind="procedure"),  # no owner: refused after validation starts
        headers=world.a.policy_officer.headers,
    )
    assert response.status_code == 422
    async with world.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxEvent)) == before_events
        assert await session.scalar(select(func.count()).select_from(AuditRecord)) == before_audit


async def test_filters_narrow_the_list(client: AsyncClient, world: World) -> None:
    h = world.a.policy_officer.headers
    await create(client, h, reference="POL-1", tags=["cin"], next_review_due="2026-01-10")
    await create(
        client,
        h,
        reference="PROC-1",
        kind="procedure",
        owner_id=str(world.a.approver.person_id),
        service_area="Disabled Children",
        tags=["short-breaks"],
        next_review_due="2027-05-01",
    )
    await create(client, h, reference="PS-1", kind="practice_standard", status="published")

    async def refs(query: str) -> list[str]:
        response = await client.get(f"/v1/documents?{query}", headers=world.a.reader.headers)
        assert response.status_code == 200, response.text
        return [d["reference"] for d in response.json()["items"]]

    assert await refs("") == ["POL-1", "PROC-1", "PS-1"]
    assert await refs("kind=procedure") == ["PROC-1"]
    assert await refs("status=published") == ["PS-1"]
    assert await refs(f"owner_id={world.a.approver.person_id}") == ["PROC-1"]
    assert await refs("service_area=disabled%20children") == ["PROC-1"]
    assert await refs("tag=short-breaks") == ["PROC-1"]
    assert await refs("review_due_before=2026-06-01") == ["POL-1"]
    # PS-1 is in force, so it is due for review by the rule: a year after it was registered.
    assert await refs("review_due_after=2026-06-01") == ["PROC-1", "PS-1"]


async def test_pages_follow_each_other_without_gaps_or_repeats(
    client: AsyncClient, world: World
) -> None:
    h = world.a.policy_officer.headers
    for n in range(7):
        await create(client, h, reference=f"POL-{n:02d}")
    seen: list[str] = []
    cursor = None
    while True:
        query = "limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(f"/v1/documents?{query}", headers=h)).json()
        seen += [d["reference"] for d in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"POL-{n:02d}" for n in range(7)]


async def test_a_tampered_cursor_or_one_for_other_filters_is_a_400(
    client: AsyncClient, world: World
) -> None:
    h = world.a.policy_officer.headers
    for n in range(3):
        await create(client, h, reference=f"POL-{n}")
    cursor = (await client.get("/v1/documents?limit=1", headers=h)).json()["next_cursor"]
    payload, signature = cursor.split(".")
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + signature
    assert (
        await client.get(f"/v1/documents?limit=1&cursor={forged}", headers=h)
    ).status_code == 400
    other_filter = await client.get(f"/v1/documents?limit=1&kind=policy&cursor={cursor}", headers=h)
    assert other_filter.status_code == 400
    assert other_filter.json()["type"].endswith("/invalid-cursor")
    garbage = await client.get("/v1/documents?cursor=not-a-cursor", headers=h)
    assert garbage.status_code == 400

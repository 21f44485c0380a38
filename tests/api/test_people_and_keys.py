"""The staff directory and API keys."""

from __future__ import annotations

from httpx import AsyncClient

from tests.factories import World


async def test_a_policy_officer_adds_people_and_emails_are_unique_ignoring_case(
    client: AsyncClient, world: World
) -> None:
    h = world.a.policy_officer.headers
    body = {"name": "Amira Khan", "email": "Amira.Khan@alpha.example.org", "job_title": "RO"}
    created = await client.post("/v1/people", json=body, headers=h)
    assert created.status_code == 201, created.text
    assert created.json()["email"] == "amira.khan@alpha.example.org"
    assert created.json()["roles"] == ["reader"]
    again = await client.post(
        "/v1/people", json={**body, "email": "AMIRA.KHAN@alpha.example.org"}, headers=h
    )
    assert again.status_code == 409
    # The same email may exist in another organisation.
    other = await client.post("/v1/people", json=body, headers=world.b.admin.headers)
    assert other.status_code == 201


async def test_only_admins_give_roles(client: AsyncClient, world: World) -> None:
    body = {"name": "New Approver", "email": "new@alpha.example.org", "roles": ["approver"]}
    refused = await client.post("/v1/people", json=body, headers=world.a.policy_officer.headers)
    assert refused.status_code == 403
    ok = await client.post("/v1/people", json=body, headers=world.a.admin.headers)
    assert ok.status_code == 201
    person = ok.json()
    change = await client.patch(
        f"/v1/people/{person['id']}",
        json={"roles": ["approver", "author"]},
        headers={**world.a.policy_officer.headers, "If-Match": ok.headers["etag"]},
    )
    assert change.status_code == 403
    change = await client.patch(
        f"/v1/people/{person['id']}",
        json={"roles": ["approver", "author"]},
        headers={**world.a.admin.headers, "If-Match": ok.headers["etag"]},
    )
    assert change.status_code == 200
    assert change.json()["roles"] == ["approver", "author"]
    assert change.headers["etag"] != ok.headers["etag"]


async def test_a_deactivated_persons_key_stops_working(client: AsyncClient, world: World) -> None:
    reader = world.a.reader
    got = await client.get(f"/v1/people/{reader.person_id}", headers=world.a.admin.headers)
    response = await client.patch(
        f"/v1/people/{reader.person_id}",
        json={"is_active": False},
        headers={**world.a.admin.headers, "If-Match": got.headers["etag"]},
    )
    assert response.status_code == 200
    assert (await client.get("/v1/documents", headers=reader.headers)).status_code == 401


async def test_people_are_listed_by_name_and_filtered_by_role(
    client: AsyncClient, world: World
) -> None:
    h = world.a.admin.headers
    page = (await client.get("/v1/people?limit=2", headers=h)).json()
    rest = (await client.get(f"/v1/people?limit=50&cursor={page['next_cursor']}", headers=h)).json()
    names = [p["name"] for p in page["items"] + rest["items"]]
    assert names == sorted(names) and len(names) == 5
    approvers = (await client.get("/v1/people?role=approver", headers=h)).json()["items"]
    assert [p["email"] for p in approvers] == ["approver@alpha.example.org"]


async def test_an_api_key_is_shown_once_works_and_can_be_revoked(
    client: AsyncClient, world: World
) -> None:
    h = world.a.admin.headers
    created = await client.post(
        "/v1/api-keys", json={"name": "Trix upload script", "role": "integration"}, headers=h
    )
    assert created.status_code == 201, created.text
    secret = created.json()["key"]
    assert secret.startswith("pgv_") and created.json()["prefix"] == secret[:12]
    key_id = created.json()["id"]
    listed = (await client.get("/v1/api-keys", headers=h)).json()
    assert all("key" not in k for k in listed)
    use = await client.get("/v1/documents", headers={"Authorization": f"Bearer {secret}"})
    assert use.status_code == 200
    got = await client.get(f"/v1/api-keys/{key_id}", headers=h)
    assert got.json()["last_used_at"] is not None
    revoked = await client.delete(
        f"/v1/api-keys/{key_id}", headers={**h, "If-Match": got.headers["etag"]}
    )
    assert revoked.status_code == 204
    after = await client.get("/v1/documents", headers={"Authorization": f"Bearer {secret}"})
    assert after.status_code == 401
    assert after.headers["www-authenticate"] == "Bearer"


async def test_only_admins_manage_keys(client: AsyncClient, world: World) -> None:
    h = world.a.policy_officer.headers
    assert (await client.get("/v1/api-keys", headers=h)).status_code == 403
    refused = await client.post("/v1/api-keys", json={"name": "x", "role": "admin"}, headers=h)
    assert refused.status_code == 403


async def test_garbage_credentials_are_401_problems(client: AsyncClient) -> None:
    for header in ("Bearer pgv_nope", "Bearer a.b.c", "Basic dXNlcjpwYXNz", "Bearer "):
        response = await client.get("/v1/documents", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.headers["content-type"] == "application/problem+json"


async def test_kinds_are_configurable_per_organisation(client: AsyncClient, world: World) -> None:
    h = world.a.admin.headers
    kinds = (await client.get("/v1/document-kinds", headers=h)).json()
    assert {k["key"] for k in kinds} == {
        "policy",
        "procedure",
        "practice_standard",
        "practice_guidance",
        "form",
        "strategy",
        "policy_framework",
        "protocol",
    }
    created = await client.post(
        "/v1/document-kinds",
        json={"key": "terms_of_reference", "label": "Terms of reference"},
        headers=h,
    )
    assert created.status_code == 201
    doc = await client.post(
        "/v1/documents",
        json={"reference": "TOR-1", "title": "PPP Group", "kind": "terms_of_reference"},
        headers=h,
    )
    assert doc.status_code == 201
    elsewhere = await client.post(
        "/v1/documents",
        json={"reference": "TOR-1", "title": "PPP Group", "kind": "terms_of_reference"},
        headers=world.b.admin.headers,
    )
    assert elsewhere.status_code == 422
    retired = await client.patch(
        f"/v1/document-kinds/{created.json()['id']}",
        json={"is_active": False},
        headers={**h, "If-Match": created.headers["etag"]},
    )
    assert retired.status_code == 200
    after = await client.post(
        "/v1/documents",
        json={"reference": "TOR-2", "title": "Another", "kind": "terms_of_reference"},
        headers=h,
    )
    assert after.status_code == 422


async def test_health_and_readiness(client: AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok", "checks": {}}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    # No notifier runs in the tests: it is named, and the API is ready without it.
    assert ready.json()["checks"] == {
        "database": "ok",
        "redis": "ok",
        "notifier": "not reporting",
    }


async def test_unknown_paths_and_methods_are_problems(client: AsyncClient, world: World) -> None:
    missing = await client.get("/v1/nothing-here", headers=world.a.reader.headers)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    wrong = await client.put("/v1/documents", headers=world.a.reader.headers)
    assert wrong.status_code == 405
    assert wrong.headers["content-type"] == "application/problem+json"

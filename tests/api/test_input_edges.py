"""Edge inputs found by fuzzing the API: each once answered 500 or broke the schema's promise."""

from __future__ import annotations

from httpx import AsyncClient

from tests.factories import World, document_body

PROBLEM = "application/problem+json"


async def test_a_nul_in_the_kind_filter_is_refused_not_sent_to_the_database(
    client: AsyncClient, world: World
) -> None:
    response = await client.get("/v1/documents?kind=po%00licy", headers=world.a.reader.headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["invalid_params"][0]["name"] == "kind"


async def test_a_tri_x_url_too_long_once_normalised_is_refused(
    client: AsyncClient, world: World
) -> None:
    # 613 characters as sent; 3,619 once each "é" is percent-encoded.
    url = "http://trix.example.org/" + "é" * 600
    response = await client.post(
        "/v1/documents", json=document_body(trix_url=url), headers=world.a.policy_officer.headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["invalid_params"][0]["name"] == "trix_url"


async def test_a_key_with_a_long_name_for_a_long_email_can_still_write(
    client: AsyncClient, world: World
) -> None:
    admin = world.a.admin.headers
    email = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".org"
    person = await client.post(
        "/v1/people", json={"name": "Long", "email": email, "roles": ["admin"]}, headers=admin
    )
    assert person.status_code == 201, person.text
    issued = await client.post(
        "/v1/api-keys",
        json={"name": "k" * 200, "role": "admin", "person_id": person.json()["id"]},
        headers=admin,
    )
    assert issued.status_code == 201, issued.text
    key = {"Authorization": f"Bearer {issued.json()['key']}"}

    created = await client.post(
        "/v1/document-kinds", json={"key": "briefing", "label": "Briefing"}, headers=key
    )

    assert created.status_code == 201, created.text
    audit = await client.get("/v1/audit?entity_type=document_kind", headers=admin)
    [record] = [r for r in audit.json()["items"] if r["entity_id"] == created.json()["id"]]
    assert record["actor_label"].startswith(email)
    assert len(record["actor_label"]) == 320


async def test_control_characters_are_dropped_from_an_uploaded_file_name(
    client: AsyncClient, world: World
) -> None:
    headers = world.a.policy_officer.headers
    doc = await client.post("/v1/documents", json=document_body(), headers=headers)
    body = (
        b"--B\r\n"
        b'Content-Disposition: form-data; name="file"; filename="po\x00li\x7fcy.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\nOur policy\r\n--B--\r\n"
    )
    upload = await client.post(
        f"/v1/documents/{doc.json()['id']}/versions",
        content=body,
        headers={**headers, "Content-Type": "multipart/form-data; boundary=B"},
    )
    assert upload.status_code == 201, upload.text
    assert upload.json()["filename"] == "policy.txt"


async def test_dates_and_times_in_queries_are_iso_8601_text_not_timestamps(
    client: AsyncClient, world: World
) -> None:
    headers = world.a.admin.headers
    for url in (
        "/v1/documents?review_due_before=0",
        "/v1/documents?review_due_after=1700000000",
        "/v1/audit?until=0.5",
        "/v1/audit?since=1700000000",
    ):
        response = await client.get(url, headers=headers)
        assert response.status_code == 422, url
    assert (
        await client.get("/v1/documents?review_due_before=2030-01-31", headers=headers)
    ).is_success
    assert (await client.get("/v1/audit?since=2020-01-01T00:00:00Z", headers=headers)).is_success


async def test_json_bodies_take_booleans_integers_and_dates_as_the_schema_types_them(
    client: AsyncClient, world: World
) -> None:
    admin = world.a.admin.headers
    cases = [
        ("/v1/people", {"name": "Sam", "email": "sam@example.org", "is_active": 0}),
        ("/v1/documents", document_body(review_interval_months="12")),
        ("/v1/documents", document_body(review_interval_months=12.0)),
        ("/v1/documents", document_body(next_review_due=0)),
        ("/v1/document-kinds", {"key": "memo", "label": "Memo", "requires_owner": "yes"}),
    ]
    for url, body in cases:
        response = await client.post(url, json=body, headers=admin)
        assert response.status_code == 422, (url, body, response.text)


async def test_method_not_allowed_lists_every_method_of_the_path(
    client: AsyncClient, world: World
) -> None:
    doc = await client.post(
        "/v1/documents", json=document_body(), headers=world.a.policy_officer.headers
    )
    response = await client.delete(
        f"/v1/documents/{doc.json()['id']}", headers=world.a.admin.headers
    )
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM
    allowed = {m.strip() for m in response.headers["allow"].split(",")}
    assert {"GET", "PATCH"} <= allowed

"""The Trix publication queue: the upload scripts poll it with an integration key, fetch the
issued file, publish it and report the page back; retired documents are queued for removal."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import func, select

from services.api.app import create_app
from services.domain.clock import london_today
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.outbox import OutboxEvent
from services.domain.publications.service import queue_publication
from services.domain.settings import Settings
from tests.api.sign_off_support import (
    create_document,
    create_route,
    decide,
    person_stage,
    submit,
    upload_draft,
)
from tests.factories import Org, World, document_body

PAGE = "https://trixcms.example.org/proc-014.html"


async def issued_document(client: AsyncClient, org: Org, **fields: Any) -> tuple[str, str]:
    """A document with an issued version 1.0 registered by the policy team."""
    created = await client.post(
        "/v1/documents", json=document_body(**fields), headers=org.policy_officer.headers
    )
    assert created.status_code == 201, created.text
    document_id = created.json()["id"]
    uploaded = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("issued.md", b"# Allegations procedure", "text/markdown")},
        data={"issued": "true", "change_summary": "First issue"},
        headers=org.policy_officer.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    return document_id, uploaded.json()["id"]


async def queue(
    world: World, document_id: str, version_id: str | None, action: str, reason: str
) -> str:
    """Queue through the domain function, as the sign-off engine does (no person: system)."""
    async with world.sessionmaker() as session, session.begin():
        document = await session.get(Document, uuid.UUID(document_id))
        version = await session.get(DocumentVersion, uuid.UUID(version_id)) if version_id else None
        assert document is not None
        publication = await queue_publication(
            session,
            None,
            document=document,
            version=version,
            action=action,  # type: ignore[arg-type]
            reason=reason,
        )
        return str(publication.id)


async def completed_events(world: World, publication_id: str) -> int:
    async with world.sessionmaker() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(
                OutboxEvent.type == "publication.completed",
                OutboxEvent.payload["publication_id"].astext == publication_id,
            )
        )
        return int(count or 0)


async def audit_actions(client: AsyncClient, world: World, publication_id: str) -> list[str]:
    response = await client.get(
        f"/v1/audit?entity_type=publication&entity_id={publication_id}",
        headers=world.a.admin.headers,
    )
    assert response.status_code == 200, response.text
    return [r["action"] for r in response.json()["items"]]


async def test_the_scripts_see_pending_uploads_oldest_first_and_can_fetch_the_file(
    client: AsyncClient, world: World
) -> None:
    first_doc, first_version = await issued_document(client, world.a, reference="PROC-014")
    second_doc, second_version = await issued_document(client, world.a, reference="PROC-002")
    first = await queue(world, first_doc, first_version, "upload", "issued")
    second = await queue(world, second_doc, second_version, "upload", "issued")

    key = world.a.integration.headers
    page = await client.get("/v1/publications?status=pending&limit=1", headers=key)
    assert page.status_code == 200, page.text
    assert [p["id"] for p in page.json()["items"]] == [first]
    rest = await client.get(
        f"/v1/publications?status=pending&limit=1&cursor={page.json()['next_cursor']}",
        headers=key,
    )
    assert [p["id"] for p in rest.json()["items"]] == [second]
    assert rest.json()["next_cursor"] is None

    item = page.json()["items"][0]
    assert item["document_id"] == first_doc
    assert item["reference"] == "PROC-014"
    assert item["title"] == "Children in Need policy"
    assert item["version_id"] == first_version
    assert item["version_number"] == "1.0"
    assert item["issued_on"] is not None
    assert (item["action"], item["reason"], item["status"]) == ("upload", "issued", "pending")
    assert item["trix_url"] is None and item["completed_at"] is None
    assert item["file_url"] == (
        f"http://testserver/v1/documents/{first_doc}/versions/{first_version}/file"
    )
    # The integration key downloads the issued file it must publish.
    file = await client.get(item["file_url"], headers=key)
    assert file.status_code == 200, file.text
    assert file.content == b"# Allegations procedure"
    # A system action is audited as such.
    assert await audit_actions(client, world, first) == ["publication.queued"]


async def test_behind_a_proxy_that_adds_a_path_prefix_the_file_url_still_downloads(
    client: AsyncClient, world: World, app: object
) -> None:
    # The proxy passes /policygov/... on; uvicorn is told (--root-path) what it strips.
    document_id, version_id = await issued_document(client, world.a)
    await queue(world, document_id, version_id, "upload", "issued")
    transport = ASGITransport(app=app, root_path="/policygov")  # type: ignore[arg-type]
    base = "https://intranet.example.org/policygov"
    async with AsyncClient(transport=transport, base_url=base) as proxied:
        page = await proxied.get("/v1/publications", headers=world.a.integration.headers)
        assert page.status_code == 200, page.text
        file_url = page.json()["items"][0]["file_url"]
        assert file_url == f"{base}/v1/documents/{document_id}/versions/{version_id}/file"
        file = await proxied.get(file_url, headers=world.a.integration.headers)
    assert file.status_code == 200, file.text
    assert file.content == b"# Allegations procedure"


async def test_the_file_url_and_feed_addresses_are_built_from_the_public_url_setting(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    document_id, version_id = await issued_document(client, world.a)
    publication_id = await queue(world, document_id, version_id, "upload", "issued")
    public = settings.model_copy(update={"public_url": "https://policies.example.org/api"})
    app = create_app(public)
    try:
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://10.0.0.7:8000") as internal:
            got = await internal.get(
                f"/v1/publications/{publication_id}", headers=world.a.integration.headers
            )
            me = world.a.reader
            feed = await internal.get(
                f"/v1/people/{me.person_id}/calendar-feed", headers=me.headers
            )
    finally:
        await app.state.redis.aclose()
        await app.state.engine.dispose()
    assert got.status_code == 200, got.text
    assert got.json()["file_url"] == (
        f"https://policies.example.org/api/v1/documents/{document_id}/versions/{version_id}/file"
    )
    assert feed.json()["url"].startswith(
        f"https://policies.example.org/api/v1/calendar-feeds/people/{me.person_id}.ics?token="
    )


@pytest.mark.parametrize("address", ["intranet.example.org/policygov", "ftp://a.example.org"])
def test_the_public_url_setting_must_be_an_absolute_web_address(address: str) -> None:
    with pytest.raises(ValueError, match="absolute http"):
        Settings(public_url=address)
    assert Settings(public_url="https://a.example.org/p/").public_url == "https://a.example.org/p"


async def test_filters_pick_by_action_status_and_document(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await issued_document(client, world.a)
    other_doc, other_version = await issued_document(client, world.a)
    upload = await queue(world, document_id, version_id, "upload", "issued")
    removal = await queue(world, document_id, version_id, "remove", "retired")
    other = await queue(world, other_doc, other_version, "upload", "issued")
    h = world.a.policy_officer.headers

    async def ids(query: str) -> list[str]:
        response = await client.get(f"/v1/publications?{query}", headers=h)
        assert response.status_code == 200, response.text
        return [p["id"] for p in response.json()["items"]]

    assert await ids("action=remove") == [removal]
    assert await ids(f"document_id={document_id}") == [upload, removal]
    assert await ids("action=upload&status=pending") == [upload, other]
    assert await ids("status=done") == []
    assert (await client.get("/v1/publications?status=sent", headers=h)).status_code == 422


async def test_marking_uploaded_records_the_page_once_and_repeats_change_nothing(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await issued_document(client, world.a)
    publication_id = await queue(world, document_id, version_id, "upload", "issued")
    key = world.a.integration.headers
    url = f"/v1/publications/{publication_id}/uploaded"

    done = await client.post(url, json={"trix_url": PAGE}, headers=key)
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["status"], body["trix_url"]) == ("done", PAGE)
    assert body["completed_at"] is not None
    assert body["completed_by_id"] is None  # an API key, not a person
    assert body["completed_by_label"]
    document = await client.get(f"/v1/documents/{document_id}", headers=key)
    assert document.json()["trix_url"] == PAGE

    again = await client.post(url, json={"trix_url": PAGE}, headers=key)
    assert again.status_code == 200, again.text
    assert again.json() == body
    assert await audit_actions(client, world, publication_id) == [
        "publication.queued",
        "publication.uploaded",
    ]
    assert await completed_events(world, publication_id) == 1

    elsewhere = await client.post(
        url, json={"trix_url": "https://trixcms.example.org/other.html"}, headers=key
    )
    assert elsewhere.status_code == 409, elsewhere.text
    assert PAGE in elsewhere.json()["detail"]
    pending = await client.get("/v1/publications?status=pending", headers=key)
    assert pending.json()["items"] == []
    fetched = await client.get(f"/v1/publications/{publication_id}", headers=key)
    assert fetched.json()["trix_url"] == PAGE


async def test_reporting_the_wrong_outcome_for_the_action_says_which_to_report(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await issued_document(client, world.a)
    upload = await queue(world, document_id, version_id, "upload", "issued")
    removal = await queue(world, document_id, version_id, "remove", "retired")
    h = world.a.policy_officer.headers

    wrong = await client.post(f"/v1/publications/{upload}/removed", json={}, headers=h)
    assert wrong.status_code == 409, wrong.text
    assert "mark it uploaded" in wrong.json()["detail"]
    wrong = await client.post(
        f"/v1/publications/{removal}/uploaded", json={"trix_url": PAGE}, headers=h
    )
    assert wrong.status_code == 409, wrong.text
    assert "mark it removed" in wrong.json()["detail"]
    for publication_id in (upload, removal):
        got = await client.get(f"/v1/publications/{publication_id}", headers=h)
        assert got.json()["status"] == "pending"


async def test_a_trix_url_must_be_a_web_address_that_fits(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await issued_document(client, world.a)
    publication_id = await queue(world, document_id, version_id, "upload", "issued")
    url = f"/v1/publications/{publication_id}/uploaded"
    h = world.a.integration.headers
    for bad in (
        {"trix_url": "ftp://trixcms.example.org/a"},
        {"trix_url": "not a url"},
        {"trix_url": "https://trixcms.example.org/" + "a" * 2000},
        {},
        {"trix_url": PAGE, "extra": 1},
    ):
        response = await client.post(url, json=bad, headers=h)
        assert response.status_code == 422, (bad, response.text)
    got = await client.get(f"/v1/publications/{publication_id}", headers=h)
    assert got.json()["status"] == "pending"


async def test_only_the_policy_team_and_integration_keys_work_the_queue(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await issued_document(client, world.a)
    publication_id = await queue(world, document_id, version_id, "upload", "issued")
    for role in ("reader", "author", "approver"):
        headers = getattr(world.a, role).headers
        assert (await client.get("/v1/publications", headers=headers)).status_code == 403
        got = await client.get(f"/v1/publications/{publication_id}", headers=headers)
        assert got.status_code == 403
        done = await client.post(
            f"/v1/publications/{publication_id}/uploaded", json={"trix_url": PAGE}, headers=headers
        )
        assert done.status_code == 403
    for role in ("admin", "policy_officer", "integration"):
        headers = getattr(world.a, role).headers
        listed = await client.get("/v1/publications", headers=headers)
        assert [p["id"] for p in listed.json()["items"]] == [publication_id], role
    got = await client.get(f"/v1/publications/{publication_id}", headers=world.a.admin.headers)
    assert got.json()["status"] == "pending"


async def test_retiring_a_published_document_queues_the_removal_of_its_page(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await issued_document(client, world.a)
    upload = await queue(world, document_id, version_id, "upload", "issued")
    done = await client.post(
        f"/v1/publications/{upload}/uploaded",
        json={"trix_url": PAGE},
        headers=world.a.integration.headers,
    )
    assert done.status_code == 200, done.text
    h = world.a.policy_officer.headers
    current = await client.get(f"/v1/documents/{document_id}", headers=h)
    retired = await client.patch(
        f"/v1/documents/{document_id}",
        json={"status": "retired"},
        headers={**h, "If-Match": current.headers["ETag"]},
    )
    assert retired.status_code == 200, retired.text

    pending = (await client.get("/v1/publications?status=pending", headers=h)).json()["items"]
    assert [(p["action"], p["reason"]) for p in pending] == [("remove", "retired")]
    removal = pending[0]
    assert removal["version_id"] == version_id and removal["version_number"] == "1.0"
    assert removal["trix_url"] == PAGE  # the page to take down
    assert await audit_actions(client, world, removal["id"]) == ["publication.queued"]

    removed = await client.post(
        f"/v1/publications/{removal['id']}/removed",
        json={"note": "Chapter withdrawn from the manual"},
        headers=world.a.integration.headers,
    )
    assert removed.status_code == 200, removed.text
    assert (removed.json()["status"], removed.json()["trix_url"]) == ("done", PAGE)
    document = await client.get(f"/v1/documents/{document_id}", headers=h)
    assert document.json()["trix_url"] is None
    again = await client.post(
        f"/v1/publications/{removal['id']}/removed", headers=world.a.integration.headers
    )
    assert again.status_code == 200, again.text
    assert again.json() == removed.json()
    assert await completed_events(world, removal["id"]) == 1

    # Retired -> superseded does not queue a second removal.
    superseded = await client.patch(
        f"/v1/documents/{document_id}",
        json={"status": "superseded"},
        headers={**h, "If-Match": document.headers["ETag"]},
    )
    assert superseded.status_code == 200, superseded.text
    everything = await client.get(f"/v1/publications?document_id={document_id}", headers=h)
    assert [p["action"] for p in everything.json()["items"]] == ["upload", "remove"]


async def test_a_pending_upload_stays_queued_before_the_removal_when_superseded(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await issued_document(client, world.a)
    upload = await queue(world, document_id, version_id, "upload", "issued")
    h = world.a.admin.headers
    current = await client.get(f"/v1/documents/{document_id}", headers=h)
    superseded = await client.patch(
        f"/v1/documents/{document_id}",
        json={"status": "superseded"},
        headers={**h, "If-Match": current.headers["ETag"]},
    )
    assert superseded.status_code == 200, superseded.text
    pending = (await client.get("/v1/publications?status=pending", headers=h)).json()["items"]
    assert [(p["id"] == upload, p["action"], p["reason"]) for p in pending] == [
        (True, "upload", "issued"),
        (False, "remove", "superseded"),
    ]


async def test_retiring_a_document_never_issued_queues_nothing(
    client: AsyncClient, world: World
) -> None:
    h = world.a.policy_officer.headers
    created = await client.post("/v1/documents", json=document_body(), headers=h)
    retired = await client.patch(
        f"/v1/documents/{created.json()['id']}",
        json={"status": "retired"},
        headers={**h, "If-Match": created.headers["ETag"]},
    )
    assert retired.status_code == 200, retired.text
    assert (await client.get("/v1/publications", headers=h)).json()["items"] == []


async def test_another_organisations_publication_is_not_found(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await issued_document(client, world.b)
    publication_id = await queue(world, document_id, version_id, "upload", "issued")
    key = world.a.integration.headers
    assert (await client.get("/v1/publications", headers=key)).json()["items"] == []
    got = await client.get(f"/v1/publications/{publication_id}", headers=key)
    assert got.status_code == 404
    done = await client.post(
        f"/v1/publications/{publication_id}/uploaded", json={"trix_url": PAGE}, headers=key
    )
    assert done.status_code == 404
    own = await client.get(
        f"/v1/publications/{publication_id}", headers=world.b.integration.headers
    )
    assert own.json()["status"] == "pending"


async def _issued_by_sign_off(client: AsyncClient, world: World) -> tuple[str, str]:
    """A procedure whose draft the RSM approved: 1.0 issued and queued for upload."""
    await create_route(client, world, [person_stage("rsm")])
    document_id = await create_document(client, world)
    draft = await upload_draft(client, world, document_id)
    submitted = await submit(client, world, document_id, draft["id"])
    assert submitted.status_code == 201, submitted.text
    decided = await decide(client, submitted.json(), world.a.approver.headers)
    assert decided.status_code == 201, decided.text
    return document_id, decided.json()["issued_version_id"]


async def test_issuing_2_0_takes_the_pending_1_0_upload_off_the_queue(
    client: AsyncClient, world: World
) -> None:
    document_id, first_issue = await _issued_by_sign_off(client, world)
    h = world.a.policy_officer.headers
    [first] = (await client.get("/v1/publications?status=pending", headers=h)).json()["items"]
    assert (first["version_id"], first["status"]) == (first_issue, "pending")

    draft = await upload_draft(client, world, document_id, b"Amended text.")
    second = await submit(client, world, document_id, draft["id"])
    decided = await decide(client, second.json(), world.a.approver.headers)
    assert decided.status_code == 201, decided.text

    # The scripts never upload a superseded version: only 2.0 waits.
    key = world.a.integration.headers
    pending = (await client.get("/v1/publications?status=pending", headers=key)).json()["items"]
    assert [(p["version_number"], p["reason"]) for p in pending] == [("2.0", "issued")]
    # 1.0's upload is kept, cancelled with the reason.
    cancelled = (await client.get(f"/v1/publications/{first['id']}", headers=key)).json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancelled_at"] is not None
    assert cancelled["cancelled_reason"] == "Superseded by version 2.0."
    assert cancelled["completed_at"] is None
    listed = (await client.get("/v1/publications?status=cancelled", headers=key)).json()
    assert [p["id"] for p in listed["items"]] == [first["id"]]
    assert await audit_actions(client, world, first["id"]) == [
        "publication.queued",
        "publication.cancelled",
    ]
    timeline = await client.get(f"/v1/documents/{document_id}/timeline", headers=h)
    cancellations = [e for e in timeline.json()["entries"] if e["type"] == "publication.cancelled"]
    assert [e["summary"] for e in cancellations] == [
        "Trix upload of version 1.0 cancelled: Superseded by version 2.0."
    ]


async def test_reporting_a_cancelled_upload_is_a_409_that_changes_nothing(
    client: AsyncClient, world: World
) -> None:
    document_id, _ = await _issued_by_sign_off(client, world)
    [first] = (
        await client.get("/v1/publications?status=pending", headers=world.a.admin.headers)
    ).json()["items"]
    draft = await upload_draft(client, world, document_id, b"Amended text.")
    second = await submit(client, world, document_id, draft["id"])
    assert (await decide(client, second.json(), world.a.approver.headers)).status_code == 201

    key = world.a.integration.headers
    for _ in range(2):  # a retried script gets the same answer
        late = await client.post(
            f"/v1/publications/{first['id']}/uploaded", json={"trix_url": PAGE}, headers=key
        )
        assert late.status_code == 409, late.text
        problem = late.json()
        assert "cancelled" in problem["detail"] and "Superseded by version 2.0" in problem["detail"]
        assert problem["publication_status"] == "cancelled"
        wrong = await client.post(f"/v1/publications/{first['id']}/removed", headers=key)
        assert wrong.status_code == 409, wrong.text
        assert "cancelled" in wrong.json()["detail"]
    got = (await client.get(f"/v1/publications/{first['id']}", headers=key)).json()
    assert (got["status"], got["trix_url"], got["completed_at"]) == ("cancelled", None, None)
    document = (await client.get(f"/v1/documents/{document_id}", headers=key)).json()
    assert document["trix_url"] is None
    assert await completed_events(world, first["id"]) == 0


async def test_registering_an_issued_version_takes_older_pending_uploads_off_the_queue(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await issued_document(client, world.a)
    upload = await queue(world, document_id, version_id, "upload", "issued")
    registered = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("issued.md", b"# Allegations procedure, 2.0", "text/markdown")},
        data={
            "issued": "true",
            "change_summary": "Already live on Trix",
            "issued_on": london_today().isoformat(),
        },
        headers=world.a.policy_officer.headers,
    )
    assert registered.status_code == 201, registered.text
    assert registered.json()["number"] == "2.0"
    h = world.a.policy_officer.headers
    assert (await client.get("/v1/publications?status=pending", headers=h)).json()["items"] == []
    got = (await client.get(f"/v1/publications/{upload}", headers=h)).json()
    assert (got["status"], got["cancelled_reason"]) == ("cancelled", "Superseded by version 2.0.")

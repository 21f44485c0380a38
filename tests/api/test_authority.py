"""Decisions you can trust: a request does only what both its key's role and its person's roles
allow, nobody decides a stage on a draft they wrote, uploaded or submitted (unless the route
says so, and then the decision says it was self-approved), and another organisation's people
are as unknown as people who do not exist."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from httpx import AsyncClient

from services.domain.access import service as access
from services.domain.clock import london_today
from services.domain.models.access import ApiKey
from tests.api.sign_off_support import (
    create_document,
    create_route,
    decide,
    people_stage,
    person_stage,
    submit,
    upload_draft,
)
from tests.factories import Member, World

NCT_SEVERAL_RSMS = people_stage("rsms", [], rule="all")
# Someone who both drafts procedures and signs them off.
WRITER_RSM = ["author", "approver"]


async def _person_with_key(
    client: AsyncClient, world: World, name: str, roles: list[str], key_role: str
) -> Member:
    """A person of organisation a with ``roles``, and an API key of ``key_role`` for them."""
    email = f"{name.lower().replace(' ', '.')}@alpha.example.org"
    person = await client.post(
        "/v1/people",
        json={"name": name, "email": email, "roles": roles},
        headers=world.a.admin.headers,
    )
    assert person.status_code == 201, person.text
    key = await client.post(
        "/v1/api-keys",
        json={"name": f"{name} key", "role": key_role, "person_id": person.json()["id"]},
        headers=world.a.admin.headers,
    )
    assert key.status_code == 201, key.text
    return Member(uuid.UUID(person.json()["id"]), email, key.json()["key"])


async def _legacy_key(world: World, person_id: uuid.UUID | None, role: str) -> dict[str, str]:
    """A key issued before keys had to match their person's roles (straight to the database)."""
    secret = access.KEY_PREFIX + secrets.token_urlsafe(32)
    async with world.sessionmaker() as session, session.begin():
        session.add(
            ApiKey(
                organisation_id=world.a.id,
                person_id=person_id,
                name=f"old {role} key",
                role=role,
                prefix=secret[:12],
                key_hash=access.hash_key(secret),
            )
        )
    return {"Authorization": f"Bearer {secret}"}


async def _several_rsms_draft(
    client: AsyncClient, world: World, writer: Member, **route: Any
) -> tuple[str, str, str]:
    """NCT's alternative route for several RSMs; a procedure ``writer`` drafted (author, RO)."""
    created = await create_route(
        client, world, [NCT_SEVERAL_RSMS], key="several_rsms", is_alternative=True, **route
    )
    document_id = await create_document(
        client,
        world,
        author_id=str(writer.person_id),
        responsible_officer_id=str(writer.person_id),
    )
    uploaded = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("draft.txt", b"Draft procedure.", "text/plain")},
        headers=writer.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    return created["id"], document_id, uploaded.json()["id"]


async def test_an_author_cannot_name_herself_the_rsm_of_her_own_draft(
    client: AsyncClient, world: World
) -> None:
    # NCT: an author who is also an RSM submits on the "several RSMs" route naming herself.
    author = await _person_with_key(
        client, world, "Rebecca Lyle", ["author", "approver"], "approver"
    )
    route_id, document_id, version_id = await _several_rsms_draft(client, world, author)
    response = await submit(
        client,
        world,
        document_id,
        version_id,
        headers=author.headers,
        route_id=route_id,
        approvers={"rsms": [str(author.person_id)]},
    )
    assert response.status_code == 403, response.text
    problem = response.json()
    assert problem["rule"] == "segregation_of_duties"
    assert "Rebecca Lyle" in problem["detail"]
    # Nothing was started: the document is still a draft with no sign-off.
    document = (
        await client.get(f"/v1/documents/{document_id}", headers=world.a.admin.headers)
    ).json()
    assert document["status"] == "draft" and document["issued_version"] is None
    # An independent RSM may take it.
    independent = await submit(
        client,
        world,
        document_id,
        version_id,
        headers=author.headers,
        route_id=route_id,
        approvers={"rsms": [str(world.a.approver.person_id)]},
    )
    assert independent.status_code == 201, independent.text


async def test_nobody_decides_a_draft_they_uploaded_even_when_named_by_someone_else(
    client: AsyncClient, world: World
) -> None:
    rsm = await _person_with_key(client, world, "Imran Sheikh", ["approver"], "approver")
    await create_route(client, world, [person_stage("rsm")])
    document_id = await create_document(client, world, owner_id=str(rsm.person_id))
    # The RSM uploads the draft himself; the responsible officer submits it.
    uploaded = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("draft.txt", b"My own words.", "text/plain")},
        headers=rsm.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    response = await submit(client, world, document_id, uploaded.json()["id"])
    assert response.status_code == 403, response.text
    assert response.json()["rule"] == "segregation_of_duties"


async def test_a_decision_on_an_amended_draft_its_approver_uploaded_is_refused(
    client: AsyncClient, world: World
) -> None:
    await create_route(client, world, [person_stage("rsm")])
    document_id = await create_document(client, world)
    draft = await upload_draft(client, world, document_id)
    sign_off = (await submit(client, world, document_id, draft["id"])).json()
    conditions = await decide(
        client, sign_off, world.a.approver.headers, "approved_with_conditions", conditions=["4.2"]
    )
    assert conditions.status_code == 201, conditions.text
    # The RSM writes the amendment herself instead of the responsible officer...
    amended = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("draft.txt", b"Fixed 4.2 myself.", "text/plain")},
        headers=world.a.approver.headers,
    )
    assert amended.status_code == 201, amended.text
    back = await client.post(
        f"/v1/sign-offs/{sign_off['id']}/amendments",
        json={"version_id": amended.json()["id"]},
        headers=world.a.author.headers,
    )
    assert back.status_code == 403, back.text
    assert back.json()["rule"] == "segregation_of_duties"


async def test_a_route_that_allows_self_approval_records_it_on_the_decision(
    client: AsyncClient, world: World
) -> None:
    # A very small team: the route lifts segregation of duties, and says so on every decision.
    author = await _person_with_key(
        client, world, "Sole Manager", ["author", "approver"], "approver"
    )
    route_id, document_id, version_id = await _several_rsms_draft(
        client, world, author, definition={"allow_self_approval": True}
    )
    submitted = await submit(
        client,
        world,
        document_id,
        version_id,
        headers=author.headers,
        route_id=route_id,
        approvers={"rsms": [str(author.person_id)]},
    )
    assert submitted.status_code == 201, submitted.text
    decided = await decide(client, submitted.json(), author.headers)
    assert decided.status_code == 201, decided.text
    decision = decided.json()["decisions"][0]
    assert decision["is_self_approved"] is True
    assert decided.json()["status"] == "completed"
    # An independent decision on the same route is not marked.
    other_document = await create_document(client, world)
    other_draft = await upload_draft(client, world, other_document)
    other = await submit(
        client,
        world,
        other_document,
        other_draft["id"],
        route_id=route_id,
        approvers={"rsms": [str(world.a.approver.person_id)]},
    )
    assert other.status_code == 201, other.text
    independent = await decide(client, other.json(), world.a.approver.headers)
    assert independent.json()["decisions"][0]["is_self_approved"] is False


async def test_no_delegation_lends_authority_to_a_writer_of_the_draft(
    client: AsyncClient, world: World
) -> None:
    writer = await _person_with_key(
        client, world, "Helen Marsden", ["author", "approver"], "approver"
    )
    await create_route(client, world, [person_stage("rsm")])
    document_id = await create_document(
        client, world, author_id=str(writer.person_id), responsible_officer_id=str(writer.person_id)
    )
    uploaded = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("draft.txt", b"Draft.", "text/plain")},
        headers=writer.headers,
    )
    sign_off = (
        await submit(client, world, document_id, uploaded.json()["id"], writer.headers)
    ).json()
    # The RSM goes on leave; the policy team lends her authority to the draft's own author.
    lent = await client.post(
        "/v1/delegations",
        json={
            "delegator_id": str(world.a.approver.person_id),
            "delegate_id": str(writer.person_id),
            "starts_on": london_today().isoformat(),
            "ends_on": london_today().isoformat(),
        },
        headers=world.a.policy_officer.headers,
    )
    assert lent.status_code == 201, lent.text
    refused = await decide(client, sign_off, writer.headers)
    assert refused.status_code == 403, refused.text
    assert refused.json()["rule"] == "segregation_of_duties"
    assert (await decide(client, sign_off, world.a.approver.headers)).status_code == 201


async def test_reader_and_integration_keys_bound_to_the_rsm_never_decide(
    client: AsyncClient, world: World
) -> None:
    await create_route(client, world, [person_stage("rsm")])
    document_id = await create_document(client, world)
    draft = await upload_draft(client, world, document_id)
    sign_off = (await submit(client, world, document_id, draft["id"])).json()
    rsm = world.a.approver.person_id
    # A reader key for the RSM can be issued (it asks for less than he holds)...
    reader_key = await client.post(
        "/v1/api-keys",
        json={"name": "RSM's reading key", "role": "reader", "person_id": str(rsm)},
        headers=world.a.admin.headers,
    )
    assert reader_key.status_code == 201, reader_key.text
    # ...an integration key for him cannot: it would promise what he does not hold.
    integration_key = await client.post(
        "/v1/api-keys",
        json={"name": "script", "role": "integration", "person_id": str(rsm)},
        headers=world.a.admin.headers,
    )
    assert integration_key.status_code == 422, integration_key.text
    assert integration_key.json()["invalid_params"][0]["name"] == "role"
    old_integration = await _legacy_key(world, rsm, "integration")
    for headers in ({"Authorization": f"Bearer {reader_key.json()['key']}"}, old_integration):
        response = await decide(client, sign_off, headers)
        assert response.status_code == 403, response.text
        problem = response.json()
        assert problem["rule"] == "role"
        assert problem["permission"] == "sign_offs:decide"
    # An approver key bound to him decides.
    assert (await decide(client, sign_off, world.a.approver.headers)).status_code == 201
    document = (
        await client.get(f"/v1/documents/{document_id}", headers=world.a.admin.headers)
    ).json()
    assert document["issued_version"] == "1.0"


async def test_an_admin_key_acts_only_with_the_roles_its_person_holds(
    client: AsyncClient, world: World
) -> None:
    # A key made before keys had to match: admin role, for a person who is only a reader.
    headers = await _legacy_key(world, world.a.reader.person_id, "admin")
    refused = await client.get("/v1/api-keys", headers=headers)
    assert refused.status_code == 403, refused.text
    assert refused.json()["permission"] == "api_keys:manage"
    assert (await client.get("/v1/documents", headers=headers)).status_code == 200


async def test_another_organisations_person_is_refused_as_an_approver_like_an_unknown_id(
    client: AsyncClient, world: World
) -> None:
    route = await create_route(
        client, world, [NCT_SEVERAL_RSMS], key="several_rsms", is_alternative=True
    )
    document_id = await create_document(client, world)
    draft = await upload_draft(client, world, document_id)
    answers = []
    for person_id in (world.b.approver.person_id, uuid.uuid4()):
        response = await submit(
            client,
            world,
            document_id,
            draft["id"],
            route_id=route["id"],
            approvers={"rsms": [str(person_id)]},
        )
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1], answers
    assert answers[0][0] == 422
    assert answers[0][1]["invalid_params"][0]["name"] == "approvers.rsms"


async def test_a_stage_started_for_a_person_without_a_deciding_role_is_refused(
    client: AsyncClient, world: World
) -> None:
    # The route says the document's author decides, but the author holds no deciding role.
    await create_route(client, world, [person_stage("director", "responsible_officer")])
    document_id = await create_document(
        client, world, responsible_officer_id=str(world.a.reader.person_id)
    )
    draft = await upload_draft(client, world, document_id)
    response = await submit(client, world, document_id, draft["id"])
    assert response.status_code == 409, response.text
    assert "role that lets them decide" in response.json()["detail"]


async def test_the_integration_role_does_what_a_trix_upload_script_needs_and_nothing_more(
    client: AsyncClient, world: World
) -> None:
    script = world.a.integration.headers
    document_id = await create_document(client, world)
    # Register a version that is already live in Tri.x, and record where it is.
    registered = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("live.txt", b"As published on Tri.x.", "text/plain")},
        data={"issued": "true"},
        headers=script,
    )
    assert registered.status_code == 201, registered.text
    got = await client.get(f"/v1/documents/{document_id}", headers=script)
    assert got.status_code == 200
    patched = await client.patch(
        f"/v1/documents/{document_id}",
        json={"trix_url": "https://nct.trixonline.co.uk/chapter/live"},
        headers={**script, "If-Match": got.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.text
    assert (await client.get("/v1/publications", headers=script)).status_code == 200
    file = await client.get(f"/v1/documents/{document_id}/versions/1.0/file", headers=script)
    assert file.status_code == 200
    # Nothing more: not the title, not drafts, not people, boards or the tracker.
    got = await client.get(f"/v1/documents/{document_id}", headers=script)
    retitled = await client.patch(
        f"/v1/documents/{document_id}",
        json={"title": "Renamed by a script"},
        headers={**script, "If-Match": got.headers["ETag"]},
    )
    assert retitled.status_code == 403, retitled.text
    draft = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("draft.txt", b"A draft.", "text/plain")},
        headers=script,
    )
    assert draft.status_code == 403, draft.text
    for path in ("/v1/people", "/v1/boards", "/v1/tracker", "/v1/sign-offs", "/v1/routes"):
        refused = await client.get(path, headers=script)
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["rule"] == "role"


async def test_a_no_change_statement_is_confirmed_by_someone_other_than_its_maker(
    client: AsyncClient, world: World
) -> None:
    # NCT: with no RO named, the RSM stands in as RO; he cannot then confirm his own statement.
    document_id = await create_document(client, world, responsible_officer_id=None)
    issued = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("live.txt", b"In force.", "text/plain")},
        data={"issued": "true"},
        headers=world.a.policy_officer.headers,
    )
    assert issued.status_code == 201, issued.text
    started = await client.post(
        "/v1/reviews",
        json={"document_id": document_id, "kind": "scheduled"},
        headers=world.a.policy_officer.headers,
    )
    assert started.status_code == 201, started.text
    review = started.json()
    stated = await client.post(
        f"/v1/reviews/{review['id']}/no-change",
        json={"statement": "Still right."},
        headers={**world.a.approver.headers, "If-Match": started.headers["ETag"]},
    )
    assert stated.status_code == 200, stated.text
    confirmed = await client.post(
        f"/v1/reviews/{review['id']}/confirm",
        headers={**world.a.approver.headers, "If-Match": stated.headers["ETag"]},
    )
    assert confirmed.status_code == 403, confirmed.text
    assert confirmed.json()["rule"] == "segregation_of_duties"
    by_team = await client.post(
        f"/v1/reviews/{review['id']}/confirm",
        headers={**world.a.policy_officer.headers, "If-Match": stated.headers["ETag"]},
    )
    assert by_team.status_code == 200, by_team.text

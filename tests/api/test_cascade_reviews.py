"""Cascade reviews (issue 20, item 1; NCT 3.4(c)(ii), Dorset Forms): when a document in force is
amended and issued, each document in force linked to it (governs, implements, form_for) gets a
review opened, or a flag for its RO, as the organisation's rule for the link says, with the
reason 'parent changed' and the diff; its owner and RO are told once."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select

from services.domain.models.documents import Document, DocumentVersion
from services.domain.notifications.sending import is_still_true
from services.domain.reviews import cascades
from tests.api.cascade_support import (
    family,
    flags_of,
    in_force,
    issue_amended,
    link,
    notices,
    relay,
    reviews_of,
)
from tests.api.sign_off_support import create_document, create_route, person_stage
from tests.factories import World


@pytest.fixture
async def route(client: AsyncClient, world: World) -> None:
    await create_route(client, world, [person_stage("rsm_approval", "owner")])


async def get_review(client: AsyncClient, world: World, review_id: str) -> dict[str, Any]:
    got = await client.get(f"/v1/reviews/{review_id}", headers=world.a.author.headers)
    assert got.status_code == 200, got.text
    data: dict[str, Any] = got.json()
    return data


async def status_of(client: AsyncClient, world: World, document_id: str) -> str:
    got = await client.get(f"/v1/documents/{document_id}", headers=world.a.policy_officer.headers)
    return str(got.json()["status"])


async def set_rules(client: AsyncClient, world: World, **rules: str) -> Any:
    return await client.put("/v1/cascade-rules", json=rules, headers=world.a.policy_officer.headers)


async def test_an_amended_policy_opens_reviews_of_its_procedures_and_flags_its_form(
    client: AsyncClient, world: World, route: None
) -> None:
    f = await family(client, world)
    parent = await client.get(f"/v1/documents/{f.policy}", headers=world.a.author.headers)
    await issue_amended(client, world, f.policy)

    for child in (f.governed, f.implementing):
        [review] = await reviews_of(client, world, child)
        assert (review["kind"], review["trigger"], review["status"]) == (
            "unscheduled",
            "parent_changed",
            "in_progress",
        )
        assert review["started_by_id"] is None
        detail = review["trigger_detail"]
        assert parent.json()["reference"] in detail and "(replacing 1.0)" in detail
        diff = f"/v1/documents/{f.policy}/versions/1.0/diff/2.0"
        assert detail.endswith(f"What changed: {diff}")
        assert await status_of(client, world, child) == "under_review"
        [origin] = (await get_review(client, world, review["id"]))["cascades"]
        assert origin["parent_document_id"] == f.policy
        assert (origin["previous_version"], origin["parent_version"]) == ("1.0", "2.0")
        assert (origin["diff_path"], origin["status"]) == (diff, "review_opened")
        followed = await client.get(origin["diff_path"], headers=world.a.author.headers)
        assert followed.status_code == 200, followed.text
        assert followed.json()["summary"]["changed"] + followed.json()["summary"]["added"] >= 1
    assert await reviews_of(client, world, f.form) == []
    assert await status_of(client, world, f.form) == "published"
    [flag] = await flags_of(client, world, document_id=f.form)
    assert (flag["status"], flag["action"], flag["link_kind"]) == ("open", "flag", "form_for")
    assert (flag["parent"]["id"], flag["review_id"]) == (f.policy, None)
    opened = await flags_of(client, world, parent_document_id=f.policy, open="false")
    assert sorted(x["document"]["id"] for x in opened) == sorted([f.governed, f.implementing])
    # The lists a review's own change is measured by are not touched by the parent's issue.
    assert await reviews_of(client, world, f.policy) == []


async def test_a_first_issue_and_documents_not_in_force_cascade_nothing(
    client: AsyncClient, world: World, route: None
) -> None:
    policy = await create_document(client, world, kind="policy")
    governed = await in_force(client, world)
    never_issued = await create_document(client, world)
    await link(client, world, policy, governed, "governs")
    await link(client, world, policy, never_issued, "governs")
    await issue_amended(client, world, policy)  # its first issue: 1.0
    assert await flags_of(client, world, parent_document_id=policy) == []
    assert await reviews_of(client, world, governed) == []

    await issue_amended(client, world, policy, b"Amended once.")  # 2.0 replaces 1.0
    flags = await flags_of(client, world, parent_document_id=policy)
    assert [x["document"]["id"] for x in flags] == [governed]
    assert (flags[0]["previous_version"], flags[0]["parent_version"]) == ("1.0", "2.0")
    assert await reviews_of(client, world, never_issued) == []


async def test_the_organisations_rule_per_link_kind_decides_review_flag_or_nothing(
    client: AsyncClient, world: World, route: None
) -> None:
    defaults = await client.get("/v1/cascade-rules", headers=world.a.reader.headers)
    assert defaults.status_code == 200, defaults.text
    assert {r["link_kind"]: (r["action"], r["is_default"]) for r in defaults.json()} == {
        "governs": ("open_review", True),
        "implements": ("open_review", True),
        "form_for": ("flag", True),
    }
    for member in (world.a.author, world.a.approver, world.a.reader):
        refused = await client.put(
            "/v1/cascade-rules", json={"governs": "nothing"}, headers=member.headers
        )
        assert refused.status_code == 403, (member, refused.text)
    assert (await set_rules(client, world, governs="sometimes")).status_code == 422
    assert (await set_rules(client, world, supersedes="flag")).status_code == 422
    changed = await set_rules(client, world, governs="flag", implements="nothing")
    assert changed.status_code == 200, changed.text
    changed = await set_rules(client, world, form_for="open_review")
    rules = {r["link_kind"]: r for r in changed.json()}
    assert {k: r["action"] for k, r in rules.items()} == {
        "governs": "flag",
        "implements": "nothing",
        "form_for": "open_review",
    }
    assert rules["governs"]["updated_by_id"] == str(world.a.policy_officer.person_id)
    other = await client.get("/v1/cascade-rules", headers=world.b.policy_officer.headers)
    assert {r["action"] for r in other.json()} == {"open_review", "flag"}  # b keeps defaults

    f = await family(client, world)
    await issue_amended(client, world, f.policy)
    assert await reviews_of(client, world, f.governed) == []
    assert [x["status"] for x in await flags_of(client, world, document_id=f.governed)] == ["open"]
    assert await flags_of(client, world, document_id=f.implementing) == []
    assert await reviews_of(client, world, f.implementing) == []
    [review] = await reviews_of(client, world, f.form)
    assert review["trigger"] == "parent_changed"
    audit = await client.get(
        "/v1/audit", params={"entity_type": "cascade_rule"}, headers=world.a.admin.headers
    )
    assert [r["action"] for r in audit.json()["items"]] == ["cascade_rule.set"] * 3


async def test_a_document_already_under_review_has_the_change_noted_on_that_review(
    client: AsyncClient, world: World, route: None
) -> None:
    f = await family(client, world)
    started = await client.post(
        "/v1/reviews",
        json={"document_id": f.governed, "kind": "scheduled"},
        headers=world.a.author.headers,
    )
    assert started.status_code == 201, started.text
    await issue_amended(client, world, f.policy)

    [review] = await reviews_of(client, world, f.governed)
    assert review["id"] == started.json()["id"]
    [flag] = await flags_of(client, world, document_id=f.governed)
    assert (flag["status"], flag["review_id"]) == ("attached", review["id"])
    assert "Already under review" in flag["note"]
    [origin] = (await get_review(client, world, review["id"]))["cascades"]
    assert (origin["status"], origin["parent_document_id"]) == ("attached", f.policy)
    # The other children were not held up by it.
    assert len(await reviews_of(client, world, f.implementing)) == 1


async def test_each_owner_and_ro_is_told_once_listing_all_their_documents(
    client: AsyncClient, world: World, route: None
) -> None:
    f = await family(client, world)
    await issue_amended(client, world, f.policy)
    await relay(world)
    sent = await notices(world, "review.parent_changed")
    # Every child: owner the approver, RO the author.
    people = sorted([world.a.approver.person_id, world.a.author.person_id], key=str)
    assert sorted([n.recipient_person_id for n in sent], key=str) == people
    for notification in sent:
        entries = notification.context["entries"]
        assert sorted(e["document_id"] for e in entries) == sorted(
            [f.governed, f.implementing, f.form]
        )
        assert {e["document_id"]: e["status"] for e in entries}[f.form] == "open"
        assert notification.context["parent_document_id"] == f.policy
        assert (notification.context["previous_number"], notification.context["number"]) == (
            "1.0",
            "2.0",
        )
        async with world.sessionmaker() as session:
            assert await is_still_true(session, notification)
    await relay(world)
    assert len(await notices(world, "review.parent_changed")) == 2


async def test_an_email_void_once_nothing_it_lists_is_waiting(
    client: AsyncClient, world: World, route: None
) -> None:
    await set_rules(client, world, governs="flag", implements="flag")
    f = await family(client, world)
    await issue_amended(client, world, f.policy)
    await relay(world)
    [first, *_] = await notices(world, "review.parent_changed")
    for flag in await flags_of(client, world, parent_document_id=f.policy):
        dismissed = await client.post(
            f"/v1/cascade-flags/{flag['id']}/dismiss",
            json={"reason": "The change is to the policy's scope only."},
            headers=world.a.author.headers,
        )
        assert dismissed.status_code == 200, dismissed.text
    async with world.sessionmaker() as session:
        assert not await is_still_true(session, first)


async def test_a_flag_is_dismissed_with_a_reason_or_made_a_review_once_by_its_people(
    client: AsyncClient, world: World, route: None
) -> None:
    await set_rules(client, world, governs="flag")
    f = await family(client, world)
    await issue_amended(client, world, f.policy)
    [form_flag] = await flags_of(client, world, document_id=f.form)
    [governed_flag] = await flags_of(client, world, document_id=f.governed)

    by_reader = await client.post(
        f"/v1/cascade-flags/{form_flag['id']}/dismiss",
        json={"reason": "Not needed."},
        headers=world.a.reader.headers,
    )
    assert by_reader.status_code == 403
    empty = await client.post(
        f"/v1/cascade-flags/{form_flag['id']}/dismiss",
        json={"reason": ""},
        headers=world.a.author.headers,
    )
    assert empty.status_code == 422
    dismissed = await client.post(
        f"/v1/cascade-flags/{form_flag['id']}/dismiss",
        json={"reason": "The form asks nothing the change touches."},
        headers=world.a.author.headers,
    )
    assert dismissed.status_code == 200, dismissed.text
    assert dismissed.json()["status"] == "dismissed"
    assert dismissed.json()["decided_by_id"] == str(world.a.author.person_id)
    assert dismissed.json()["dismissed_reason"] == "The form asks nothing the change touches."
    again = await client.post(
        f"/v1/cascade-flags/{form_flag['id']}/review", headers=world.a.author.headers
    )
    assert again.status_code == 409

    opened = await client.post(
        f"/v1/cascade-flags/{governed_flag['id']}/review", headers=world.a.author.headers
    )
    assert opened.status_code == 200, opened.text
    assert opened.json()["status"] == "review_opened"
    review = await get_review(client, world, opened.json()["review_id"])
    assert (review["trigger"], review["started_by_id"]) == (
        "parent_changed",
        str(world.a.author.person_id),
    )
    assert review["cascades"][0]["flag_id"] == governed_flag["id"]
    assert "What changed: /v1/documents/" in review["trigger_detail"]
    twice = await client.post(
        f"/v1/cascade-flags/{governed_flag['id']}/review", headers=world.a.author.headers
    )
    assert twice.status_code == 409
    assert [x["id"] for x in await flags_of(client, world, open="true")] == []
    audit = await client.get(
        "/v1/audit",
        params={"entity_type": "cascade_flag", "entity_id": governed_flag["id"]},
        headers=world.a.admin.headers,
    )
    assert [r["action"] for r in audit.json()["items"]] == ["cascade.open", "cascade.review_opened"]


async def test_flags_of_another_organisation_or_of_documents_not_yours_answer_404(
    client: AsyncClient, world: World, route: None
) -> None:
    f = await family(client, world)
    await issue_amended(client, world, f.policy)
    [flag] = await flags_of(client, world, document_id=f.form)
    for headers in (world.b.policy_officer.headers, world.a.reader.headers):
        got = await client.get(f"/v1/cascade-flags/{flag['id']}", headers=headers)
        assert got.status_code == 404, got.text
        listed = await client.get("/v1/cascade-flags", headers=headers)
        assert listed.json()["items"] == []
    for action, body in (("dismiss", {"reason": "Not ours."}), ("review", None)):
        foreign = await client.post(
            f"/v1/cascade-flags/{flag['id']}/{action}",
            json=body,
            headers=world.b.policy_officer.headers,
        )
        assert foreign.status_code == 404, foreign.text
    missing = await client.get(f"/v1/cascade-flags/{uuid.uuid4()}", headers=world.a.author.headers)
    assert missing.status_code == 404
    # The RO sees their own documents' flags.
    assert [x["id"] for x in await flags_of(client, world, world.a.author.headers)] != []


async def test_a_parent_with_more_children_than_the_cap_flags_the_rest(
    client: AsyncClient, world: World, route: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cascades, "REVIEWS_PER_ISSUE", 2)
    policy = await in_force(client, world, kind="policy")
    children = [await in_force(client, world) for _ in range(4)]
    for child in children:
        await link(client, world, policy, child, "governs")
    await issue_amended(client, world, policy)
    flags = await flags_of(client, world, parent_document_id=policy)
    assert sorted(x["status"] for x in flags) == ["open", "open", "review_opened", "review_opened"]
    assert {x["note"] for x in flags if x["status"] == "open"} == {cascades.CAP_NOTE}


async def test_replaying_an_issue_adds_nothing(
    client: AsyncClient, world: World, route: None
) -> None:
    f = await family(client, world)
    await issue_amended(client, world, f.policy)
    async with world.sessionmaker() as session, session.begin():
        parent = await session.get(Document, uuid.UUID(f.policy))
        issued = await session.execute(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == uuid.UUID(f.policy), DocumentVersion.minor == 0)
            .order_by(DocumentVersion.major)
        )
        previous, version = issued.scalars().all()
        assert parent is not None and version.number == "2.0"
        issue = cascades.Issue(parent, version, previous)
        assert await cascades.cascade_issue(session, None, issue) == []
    assert len(await flags_of(client, world, parent_document_id=f.policy)) == 3

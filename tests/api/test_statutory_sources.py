"""Statutory sources (issue 20, item 2; NCT 3.2 "changes in legislation or statutory
guidance"): the register of sources, links to documents, a recorded change opening an
unscheduled review of every linked document in one batch, the impact report, and the owners
and ROs told once each."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

from httpx import AsyncClient
from sqlalchemy import func, select

from services.domain.models.audit import AuditRecord
from services.domain.models.notifications import Notification
from services.domain.models.reviews import Review
from services.domain.models.statutory_sources import StatutorySourceChange
from services.notifier.relay import relay_once
from tests.api.assessments_support import events_of, with_etag
from tests.api.sign_off_support import create_document
from tests.api.statutory_sources_support import (
    WORKING_TOGETHER,
    create_source,
    link,
    published_document,
)
from tests.factories import World
from tests.notifier.conftest import RecordingTransport

TRIGGER = "legislation_or_guidance_change"


async def record(client: AsyncClient, world: World, source_id: str, **body: Any) -> dict[str, Any]:
    recorded = await client.post(
        f"/v1/statutory-sources/{source_id}/changes",
        json={"summary": "Chapter 3 revised: multi-agency child protection.", **body},
        headers=world.a.policy_officer.headers,
    )
    assert recorded.status_code == 201, recorded.text
    data: dict[str, Any] = recorded.json()
    return data


async def open_reviews(world: World, document_id: str) -> list[Review]:
    async with world.sessionmaker() as session:
        rows = await session.execute(
            select(Review).where(
                Review.document_id == uuid.UUID(document_id),
                Review.status.in_(("in_progress", "awaiting_confirmation")),
            )
        )
        return list(rows.scalars())


async def test_the_policy_team_keeps_the_sources_and_everyone_else_reads_them(
    client: AsyncClient, world: World
) -> None:
    refused = await client.post(
        "/v1/statutory-sources",
        json={
            "title": "Children Act 1989",
            "kind": "act",
            "url": "https://www.legislation.gov.uk/ukpga/1989/41",
        },
        headers=world.a.author.headers,
    )
    assert refused.status_code == 403, refused.text
    source = await create_source(client, world)
    again = await client.post(
        "/v1/statutory-sources",
        json={"title": WORKING_TOGETHER, "kind": "act", "url": "https://example.org/"},
        headers=world.a.policy_officer.headers,
    )
    assert again.status_code == 409, again.text
    read = await client.get(f"/v1/statutory-sources/{source['id']}", headers=world.a.reader.headers)
    assert read.status_code == 200, read.text
    assert read.json()["title"] == WORKING_TOGETHER
    listed = await client.get(
        "/v1/statutory-sources?kind=statutory_guidance", headers=world.a.reader.headers
    )
    assert [s["id"] for s in listed.json()["items"]] == [source["id"]]
    none = await client.get("/v1/statutory-sources?kind=act", headers=world.a.reader.headers)
    assert none.json()["items"] == []
    reader_patch = await client.patch(
        f"/v1/statutory-sources/{source['id']}",
        json={"publisher": "DfE"},
        headers=with_etag(world.a.reader.headers, read),
    )
    assert reader_patch.status_code == 403
    changed = await client.patch(
        f"/v1/statutory-sources/{source['id']}",
        json={"publisher": "DfE"},
        headers=with_etag(world.a.policy_officer.headers, read),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["publisher"] == "DfE"
    stale = await client.patch(
        f"/v1/statutory-sources/{source['id']}",
        json={"publisher": "Department for Education"},
        headers=with_etag(world.a.policy_officer.headers, read),
    )
    assert stale.status_code == 412


async def test_another_organisations_source_or_document_answers_like_a_missing_one(
    client: AsyncClient, world: World
) -> None:
    source = await create_source(client, world)
    theirs = await client.get(
        f"/v1/statutory-sources/{source['id']}", headers=world.b.admin.headers
    )
    assert theirs.status_code == 404
    foreign_document = await create_document(client, world)
    # Org b's policy officer links org a's document to org b's source: no such document.
    their_source = await client.post(
        "/v1/statutory-sources",
        json={
            "title": "Care Act 2014",
            "kind": "act",
            "url": "https://www.legislation.gov.uk/ukpga/2014/23",
        },
        headers=world.b.policy_officer.headers,
    )
    linked = await client.post(
        f"/v1/statutory-sources/{their_source.json()['id']}/documents",
        json={"document_id": foreign_document},
        headers=world.b.policy_officer.headers,
    )
    assert linked.status_code == 422, linked.text
    assert [p["name"] for p in linked.json()["invalid_params"]] == ["document_id"]


async def test_a_change_opens_an_unscheduled_review_of_every_linked_published_document(
    client: AsyncClient, world: World
) -> None:
    first = await published_document(client, world, title="Strategy discussions")
    second = await published_document(client, world, title="Child protection conferences")
    draft = await create_document(client, world, title="Pre-birth protocol")
    unlinked = await published_document(client, world, title="Private fostering")
    source = await create_source(client, world)
    for document_id in (first, second, draft):
        await link(client, world, source["id"], document_id, "Sections 2 and 3")
    report = await record(client, world, source["id"], effective_on="2027-01-15")
    assert report["counts"] == {
        "review_opened": 2,
        "already_under_review": 0,
        "being_amended": 0,
        "not_in_force": 1,
        "documents": 3,
    }
    outcomes = {line["document_id"]: line["outcome"] for line in report["documents"]}
    assert outcomes == {first: "review_opened", second: "review_opened", draft: "not_in_force"}
    for document_id in (first, second):
        [review] = await open_reviews(world, document_id)
        assert (review.kind, review.trigger) == ("unscheduled", TRIGGER)
        assert WORKING_TOGETHER in review.trigger_detail
        assert "Chapter 3 revised" in review.trigger_detail
        assert "2027-01-15" in review.trigger_detail
        assert review.requested_by_id == world.a.policy_officer.person_id
        line = next(x for x in report["documents"] if x["document_id"] == document_id)
        assert line["review_id"] == str(review.id)
        assert line["owner_id"] == str(world.a.approver.person_id)
        assert line["responsible_officer_id"] == str(world.a.author.person_id)
    assert await open_reviews(world, unlinked) == []
    assert await open_reviews(world, draft) == []
    document = await client.get(f"/v1/documents/{first}", headers=world.a.reader.headers)
    assert document.json()["status"] == "under_review"
    [event] = await events_of(world, "statutory_source.changed")
    assert (event["reviews_opened"], event["documents"]) == (2, 3)


async def test_a_document_already_under_review_has_the_change_attached_not_a_second_review(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    started = await client.post(
        "/v1/reviews",
        json={"document_id": document_id, "kind": "scheduled"},
        headers=world.a.policy_officer.headers,
    )
    assert started.status_code == 201, started.text
    source = await create_source(client, world)
    await link(client, world, source["id"], document_id)
    report = await record(client, world, source["id"])
    [line] = report["documents"]
    assert line["outcome"] == "already_under_review"
    assert line["review_id"] == started.json()["id"]
    [review] = await open_reviews(world, document_id)
    assert str(review.id) == started.json()["id"]
    async with world.sessionmaker() as session:
        actions = (
            await session.execute(
                select(AuditRecord.action, AuditRecord.after).where(
                    AuditRecord.entity_id == review.id
                )
            )
        ).all()
    added = [after for action, after in actions if action == "review.trigger_added"]
    assert len(added) == 1
    assert added[0]["added_trigger"] == TRIGGER
    assert WORKING_TOGETHER in added[0]["added_trigger_detail"]


async def test_a_second_change_attaches_to_the_reviews_the_first_opened(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    source = await create_source(client, world)
    await link(client, world, source["id"], document_id)
    first = await record(client, world, source["id"])
    second = await record(client, world, source["id"], summary="Annex A corrected.")
    assert first["counts"]["review_opened"] == 1
    assert second["counts"]["review_opened"] == 0
    assert second["counts"]["already_under_review"] == 1
    assert len(await open_reviews(world, document_id)) == 1
    changes = await client.get(
        f"/v1/statutory-sources/{source['id']}/changes?limit=1", headers=world.a.reader.headers
    )
    page = changes.json()
    assert [c["summary"] for c in page["items"]] == ["Annex A corrected."]
    rest = await client.get(
        f"/v1/statutory-sources/{source['id']}/changes?limit=1&cursor={page['next_cursor']}",
        headers=world.a.reader.headers,
    )
    assert [c["origin"] for c in rest.json()["items"]] == ["api"]
    assert rest.json()["items"][0]["id"] == first["change"]["id"]


async def relay(world: World) -> None:
    while await relay_once(world.sessionmaker, RecordingTransport()):
        pass


async def test_each_owner_and_ro_is_told_once_with_all_their_documents(
    client: AsyncClient, world: World
) -> None:
    documents = [await published_document(client, world, title=f"Procedure {n}") for n in range(3)]
    source = await create_source(client, world)
    for document_id in documents:
        await link(client, world, source["id"], document_id)
    await record(client, world, source["id"])
    await relay(world)
    async with world.sessionmaker() as session:
        sent = list(
            (
                await session.execute(
                    select(Notification).where(Notification.kind == "statutory_source.changed")
                )
            ).scalars()
        )
    by_person = {n.recipient_person_id: n for n in sent}
    # The approver owns all three, the author is RO of all three: two emails, not six.
    assert len(sent) == 2
    assert set(by_person) == {world.a.approver.person_id, world.a.author.person_id}
    for notice in sent:
        assert sorted(e["document_id"] for e in notice.context["entries"]) == sorted(documents)
        assert notice.context["reviews_opened"] == 3
        assert notice.context["source_title"] == WORKING_TOGETHER


async def test_the_impact_report_reads_as_json_and_as_csv(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world, title="=HYPERLINK(1)")
    source = await create_source(client, world)
    await link(client, world, source["id"], document_id)
    recorded = await record(client, world, source["id"])
    change_id = recorded["change"]["id"]
    report = await client.get(
        f"/v1/statutory-source-changes/{change_id}/impact", headers=world.a.reader.headers
    )
    assert report.status_code == 200, report.text
    assert report.json()["counts"]["review_opened"] == 1
    [line] = report.json()["documents"]
    assert line["owner_name"] == "Approver of alpha"
    assert line["responsible_officer_name"] == "Author of alpha"
    as_csv = await client.get(
        f"/v1/statutory-source-changes/{change_id}/impact.csv", headers=world.a.reader.headers
    )
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["reference", "title", "document_status", "outcome"]
    assert rows[1][1] == "'=HYPERLINK(1)"  # never run as a formula
    assert rows[1][3] == "review_opened"
    assert rows[1][5:7] == ["Approver of alpha", "Author of alpha"]
    theirs = await client.get(
        f"/v1/statutory-source-changes/{change_id}/impact", headers=world.b.admin.headers
    )
    assert theirs.status_code == 404


async def test_links_list_and_unlink_and_a_source_with_changes_is_kept(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_document(client, world)
    source = await create_source(client, world)
    await link(client, world, source["id"], document_id, "Section 4")
    twice = await client.post(
        f"/v1/statutory-sources/{source['id']}/documents",
        json={"document_id": document_id},
        headers=world.a.policy_officer.headers,
    )
    assert twice.status_code == 409
    listed = await client.get(
        f"/v1/statutory-sources/{source['id']}/documents", headers=world.a.reader.headers
    )
    assert [(d["document_id"], d["reason"]) for d in listed.json()["items"]] == [
        (document_id, "Section 4")
    ]
    by_document = await client.get(
        f"/v1/statutory-sources?document_id={document_id}", headers=world.a.reader.headers
    )
    assert [s["id"] for s in by_document.json()["items"]] == [source["id"]]
    await record(client, world, source["id"])
    kept = await client.delete(
        f"/v1/statutory-sources/{source['id']}", headers=world.a.policy_officer.headers
    )
    assert kept.status_code == 409
    unlinked = await client.delete(
        f"/v1/statutory-sources/{source['id']}/documents/{document_id}",
        headers=world.a.policy_officer.headers,
    )
    assert unlinked.status_code == 204
    after = await record(client, world, source["id"], summary="A later change.")
    assert after["counts"]["documents"] == 0
    spare = await create_source(
        client, world, title="Ofsted ILACS framework", kind="inspection_framework"
    )
    gone = await client.delete(
        f"/v1/statutory-sources/{spare['id']}", headers=world.a.policy_officer.headers
    )
    assert gone.status_code == 204
    async with world.sessionmaker() as session:
        count = await session.scalar(select(func.count()).select_from(StatutorySourceChange))
    assert count == 2

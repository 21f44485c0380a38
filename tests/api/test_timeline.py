"""The document timeline: the whole paper trail of a document in time order, for FOI requests.

Board items and decisions and versions go through the HTTP API; assessment and sign-off rows
are written with the ORM (their APIs are built alongside this one), with the times they would
have."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy import event

from services.domain.assessments.models import (
    EqualityAssessment,
    FitnessCheck,
    LegalReview,
    Proposal,
)
from services.domain.db import utcnow
from services.domain.documents.models import Document, DocumentVersion
from services.domain.publications.service import queue_publication
from services.domain.routes.models import GovernanceRoute, RouteVersion
from services.domain.sign_off.models import Delegation, SignOff, SignOffDecision, SignOffStage
from tests.api.boards_support import (
    create_board,
    create_document_with_draft,
    create_meeting,
    in_days,
    propose,
)
from tests.factories import World

APPROVER = "Approver of alpha"
AUTHOR = "Author of alpha"
ADMIN = "Admin of alpha"


async def timeline(client: AsyncClient, world: World, document_id: str) -> list[dict[str, Any]]:
    response = await client.get(
        f"/v1/documents/{document_id}/timeline", headers=world.a.policy_officer.headers
    )
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


async def add_version(
    client: AsyncClient, headers: dict[str, str], document_id: str, summary: str, issued: bool
) -> str:
    response = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("v.md", f"# {summary}".encode(), "text/markdown")},
        data={"change_summary": summary, "issued": "true" if issued else "false"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def add_rows(world: World, *rows: Any) -> None:
    async with world.sessionmaker() as session, session.begin():
        for row in rows:
            session.add(row)
            await session.flush()


async def held_meeting_decisions(
    client: AsyncClient, world: World, document_id: str
) -> tuple[str, str, str, str]:
    """The author puts the draft to the board; it is minuted, then the minute corrected."""
    board = await create_board(client, world)
    meeting = await create_meeting(client, world, board["id"], in_days(60))
    item = await propose(client, world, board["id"], meeting["id"], document_id)
    assert item.status_code == 201, item.text
    chair = world.a.approver.headers
    got = await client.get(f"/v1/meetings/{meeting['id']}", headers=chair)
    moved = await client.patch(
        f"/v1/meetings/{meeting['id']}",
        json={"starts_at": in_days(-1)},
        headers={**chair, "If-Match": got.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.text
    attended = await client.put(
        f"/v1/meetings/{meeting['id']}/attendance",
        json={"attendance": [{"person_id": str(world.a.approver.person_id), "status": "present"}]},
        headers=chair,
    )
    assert attended.status_code == 200, attended.text
    url = f"/v1/meetings/{meeting['id']}/decisions"
    first = await client.post(
        url,
        json={
            "agenda_item_id": item.json()["id"],
            "outcome": "approved_with_conditions",
            "conditions": ["Add the LADO contact details"],
        },
        headers=chair,
    )
    assert first.status_code == 201, first.text
    second = await client.post(
        url,
        json={
            "agenda_item_id": item.json()["id"],
            "outcome": "approved",
            "supersedes_id": first.json()["id"],
        },
        headers=chair,
    )
    assert second.status_code == 201, second.text
    return meeting["id"], item.json()["id"], first.json()["id"], second.json()["id"]


def route_rows(world: World) -> tuple[GovernanceRoute, RouteVersion]:
    route = GovernanceRoute(
        id=uuid.uuid4(),
        organisation_id=world.a.id,
        key="dlg",
        name="Director Leadership Group",
        current_version=2,
    )
    version = RouteVersion(
        id=uuid.uuid4(),
        organisation_id=world.a.id,
        route_id=route.id,
        number=2,
        definition={"stages": []},
    )
    return route, version


async def sign_off_story(
    world: World, document_id: str, draft_id: str, meeting_id: str
) -> dict[str, uuid.UUID]:
    """A sign-off of the draft: an approver's delegate decides, then the DLG meeting decides
    and corrects its decision. Written as the engine would write it, one step at a time."""
    org, doc, draft = world.a.id, uuid.UUID(document_id), uuid.UUID(draft_id)
    approver, author = world.a.approver.person_id, world.a.author.person_id
    admin = world.a.admin.person_id
    route, route_version = route_rows(world)
    sign_off = SignOff(
        id=uuid.uuid4(),
        organisation_id=org,
        document_id=doc,
        version_id=draft,
        route_version_id=route_version.id,
        previous_status="draft",
        submitted_by_id=author,
        submitted_at=utcnow(),
    )
    await add_rows(world, route, route_version, sign_off)
    manager = SignOffStage(
        id=uuid.uuid4(),
        organisation_id=org,
        sign_off_id=sign_off.id,
        position=1,
        key="manager",
        name="Service manager approval",
        definition={},
        status="approved",
        started_at=utcnow(),
    )
    await add_rows(world, manager)
    delegation = Delegation(
        id=uuid.uuid4(),
        organisation_id=org,
        delegator_id=approver,
        delegate_id=admin,
        starts_on=date.today() - timedelta(days=2),
        ends_on=date.today() + timedelta(days=2),
    )
    covered = SignOffDecision(
        id=uuid.uuid4(),
        organisation_id=org,
        sign_off_id=sign_off.id,
        stage_id=manager.id,
        round=1,
        version_id=draft,
        outcome="approved",
        method="individual",
        reasons="Clear and lawful.",
        decided_by_id=admin,
        on_behalf_of_id=approver,
        recorded_by_id=admin,
        recorded_by_label="admin@alpha.example.org",
        recorded_at=utcnow(),
    )
    await add_rows(world, delegation, covered)
    board_stage = SignOffStage(
        id=uuid.uuid4(),
        organisation_id=org,
        sign_off_id=sign_off.id,
        position=2,
        key="dlg",
        name="DLG approval",
        definition={},
        status="approved",
        started_at=utcnow(),
    )
    await add_rows(world, board_stage)
    at_meeting = SignOffDecision(
        id=uuid.uuid4(),
        organisation_id=org,
        sign_off_id=sign_off.id,
        stage_id=board_stage.id,
        round=1,
        version_id=draft,
        outcome="approved_with_conditions",
        method="meeting",
        conditions=["Name the LADO"],
        meeting_id=uuid.UUID(meeting_id),
        decided_by_id=approver,
        recorded_by_id=approver,
        recorded_by_label="approver@alpha.example.org",
        recorded_at=utcnow(),
    )
    await add_rows(world, at_meeting)
    correction = SignOffDecision(
        id=uuid.uuid4(),
        organisation_id=org,
        sign_off_id=sign_off.id,
        stage_id=board_stage.id,
        round=1,
        version_id=draft,
        outcome="approved",
        method="meeting",
        meeting_id=uuid.UUID(meeting_id),
        decided_by_id=approver,
        recorded_by_id=approver,
        recorded_by_label="approver@alpha.example.org",
        recorded_at=utcnow(),
        supersedes_id=at_meeting.id,
    )
    await add_rows(world, correction)
    return {
        "sign_off_id": sign_off.id,
        "manager_stage": manager.id,
        "board_stage": board_stage.id,
        "covered": covered.id,
        "delegation": delegation.id,
        "at_meeting": at_meeting.id,
        "correction": correction.id,
        "route_version": route_version.id,
    }


async def close_with_issue(
    world: World, sign_off_id: uuid.UUID, issued_id: str, effective_on: date
) -> None:
    async with world.sessionmaker() as session, session.begin():
        sign_off = await session.get(SignOff, sign_off_id)
        issued = await session.get(DocumentVersion, uuid.UUID(issued_id))
        assert sign_off is not None and issued is not None
        issued.effective_on = effective_on
        sign_off.issued_version_id = issued.id
        sign_off.status = "completed"
        sign_off.closed_at = utcnow()


async def queue_upload(world: World, document_id: str, version_id: str) -> str:
    async with world.sessionmaker() as session, session.begin():
        document = await session.get(Document, uuid.UUID(document_id))
        version = await session.get(DocumentVersion, uuid.UUID(version_id))
        assert document is not None
        queued = await queue_publication(
            session, None, document=document, version=version, action="upload", reason="issued"
        )
        return str(queued.id)


def assessment_rows(world: World, document_id: str, version_id: str) -> list[Any]:
    org, doc, version = world.a.id, uuid.UUID(document_id), uuid.UUID(version_id)
    author, admin = world.a.author.person_id, world.a.admin.person_id
    return [
        EqualityAssessment(
            organisation_id=org,
            document_id=doc,
            version_id=version,
            kind="screening",
            status="completed",
            outcome="no_adverse_impact",
            assessor_id=author,
            created_at=utcnow(),
            completed_at=utcnow(),
        ),
        LegalReview(
            organisation_id=org,
            document_id=doc,
            version_id=version,
            question="Does the LADO referral meet the statutory guidance?",
            requested_by_id=author,
            reviewer_id=admin,
            created_at=utcnow(),
            advice="Yes, as drafted.",
            outcome="no_concerns",
            answered_by_id=admin,
            answered_at=utcnow(),
        ),
        FitnessCheck(
            organisation_id=org,
            document_id=doc,
            version_id=version,
            answers={
                "clear": {"answer": "yes", "comment": ""},
                "current": {"answer": "yes", "comment": ""},
                "accessible": {"answer": "partly", "comment": "Needs an easy-read version"},
            },
            checked_by_id=author,
            created_at=utcnow(),
        ),
    ]


async def test_the_timeline_tells_the_whole_story_oldest_first(
    client: AsyncClient, world: World
) -> None:
    proposal = Proposal(
        organisation_id=world.a.id,
        title="Revise the allegations procedure",
        status="approved",
        created_by_id=world.a.author.person_id,
        created_at=utcnow() - timedelta(days=30),
        decided_at=utcnow() - timedelta(days=29),
        decision_note="Go ahead.",
    )
    document_id, draft_id = await create_document_with_draft(client, world)
    proposal.document_id = uuid.UUID(document_id)
    await add_rows(world, proposal)
    second_draft = await add_version(
        client, world.a.author.headers, document_id, "Added the LADO section", issued=False
    )
    await add_rows(world, *assessment_rows(world, document_id, second_draft))
    meeting_id, item_id, minuted, corrected = await held_meeting_decisions(
        client, world, document_id
    )
    story = await sign_off_story(world, document_id, second_draft, meeting_id)
    issued = await add_version(
        client, world.a.policy_officer.headers, document_id, "First issue", issued=True
    )
    await close_with_issue(world, story["sign_off_id"], issued, date(2030, 1, 6))
    publication_id = await queue_upload(world, document_id, issued)
    done = await client.post(
        f"/v1/publications/{publication_id}/uploaded",
        json={"trix_url": "https://trix.example.org/allegations.html"},
        headers=world.a.integration.headers,
    )
    assert done.status_code == 200, done.text

    entries = await timeline(client, world, document_id)
    assert [e["type"] for e in entries] == [
        "proposal.created",
        "proposal.decided",
        "version.added",
        "version.added",
        "eia.started",
        "eia.completed",
        "legal_review.requested",
        "legal_review.answered",
        "fitness_check.completed",
        "agenda_item.planned",
        "meeting.decision",
        "meeting.decision",
        "sign_off.submitted",
        "sign_off.stage_started",
        "sign_off.decision",
        "sign_off.stage_started",
        "sign_off.decision",
        "sign_off.decision",
        "version.added",
        "document.issued",
        "sign_off.closed",
        "publication.queued",
        "publication.done",
    ]
    moments = [e["at"] for e in entries]
    assert moments == sorted(moments)
    assert all(m.endswith(("Z", "+00:00")) for m in moments)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_type.setdefault(entry["type"], []).append(entry)

    drafts = by_type["version.added"]
    assert [d["refs"]["version_id"] for d in drafts[:2]] == [draft_id, second_draft]
    assert drafts[1]["summary"] == (
        f"Version 0.2 (draft) uploaded by {AUTHOR}: Added the LADO section."
    )
    assert (drafts[1]["actor_id"], drafts[1]["actor_name"]) == (
        str(world.a.author.person_id),
        AUTHOR,
    )
    assert "no adverse impact" in by_type["eia.completed"][0]["summary"]
    assert f"requested from {ADMIN}" in by_type["legal_review.requested"][0]["summary"]
    assert "no concerns" in by_type["legal_review.answered"][0]["summary"]
    assert "2 yes, 1 partly, 0 no" in by_type["fitness_check.completed"][0]["summary"]

    planned = by_type["agenda_item.planned"][0]
    assert planned["refs"]["agenda_item_id"] == item_id
    assert planned["refs"]["meeting_id"] == meeting_id
    assert "Practice, Policy and Procedures Group" in planned["summary"]
    assert planned["actor_name"] == AUTHOR
    first_minute, second_minute = by_type["meeting.decision"]
    assert first_minute["refs"]["meeting_decision_id"] == minuted
    assert first_minute["superseded_by"] == corrected
    assert "conditions: Add the LADO contact details" in first_minute["summary"]
    assert second_minute["superseded_by"] is None
    assert second_minute["refs"]["supersedes_id"] == minuted

    submitted = by_type["sign_off.submitted"][0]
    assert submitted["refs"]["sign_off_id"] == str(story["sign_off_id"])
    assert submitted["refs"]["version_id"] == second_draft
    assert submitted["details"]["route_key"] == "dlg"
    assert "(dlg, version 2)" in submitted["summary"]
    assert [s["refs"]["stage_id"] for s in by_type["sign_off.stage_started"]] == [
        str(story["manager_stage"]),
        str(story["board_stage"]),
    ]
    covered, at_meeting, correction = by_type["sign_off.decision"]
    assert covered["summary"] == (
        f'{ADMIN} approved version 0.2 at stage "Service manager approval" on behalf of '
        f"{APPROVER}; reasons: Clear and lawful."
    )
    assert covered["refs"]["on_behalf_of_id"] == str(world.a.approver.person_id)
    assert covered["refs"]["delegation_id"] == str(story["delegation"])
    assert covered["details"]["method"] == "individual"
    assert at_meeting["refs"]["meeting_id"] == meeting_id
    assert at_meeting["details"]["conditions"] == ["Name the LADO"]
    assert at_meeting["superseded_by"] == str(story["correction"])
    assert at_meeting["summary"].startswith("The Practice, Policy and Procedures Group meeting")
    assert correction["superseded_by"] is None

    issue = by_type["document.issued"][0]
    assert issue["refs"] == {"version_id": issued, "sign_off_id": str(story["sign_off_id"])}
    assert issue["details"]["effective_on"] == "2030-01-06"
    assert "in force from 6 January 2030" in issue["summary"]
    assert by_type["sign_off.closed"][0]["summary"] == "Sign-off completed."
    published = by_type["publication.done"][0]
    assert published["refs"]["publication_id"] == publication_id
    assert published["details"]["trix_url"] == "https://trix.example.org/allegations.html"
    assert published["actor_id"] is None and published["actor_name"]  # the key's label


async def test_a_proposal_put_to_a_board_shows_as_its_submission(
    client: AsyncClient, world: World
) -> None:
    document_id, _ = await create_document_with_draft(client, world)
    board = await create_board(client, world)
    meeting = await create_meeting(client, world, board["id"], in_days(60))
    item = await propose(client, world, board["id"], meeting["id"], document_id)
    assert item.status_code == 201, item.text
    await add_rows(
        world,
        Proposal(
            organisation_id=world.a.id,
            document_id=uuid.UUID(document_id),
            title="A new allegations procedure",
            status="submitted",
            board_id=uuid.UUID(board["id"]),
            agenda_item_id=uuid.UUID(item.json()["id"]),
            created_by_id=world.a.author.person_id,
            created_at=utcnow() - timedelta(days=1),
        ),
    )
    entries = await timeline(client, world, document_id)
    assert [e["type"] for e in entries] == [
        "proposal.created",
        "version.added",
        "proposal.submitted",
    ]
    submitted = entries[-1]
    assert submitted["refs"]["agenda_item_id"] == item.json()["id"]
    assert submitted["refs"]["meeting_id"] == meeting["id"]
    assert submitted["summary"].startswith('Proposal "A new allegations procedure" submitted')


async def test_only_those_who_may_see_drafts_read_the_timeline(
    client: AsyncClient, world: World
) -> None:
    document_id, _ = await create_document_with_draft(client, world)
    url = f"/v1/documents/{document_id}/timeline"
    for role in ("reader", "approver", "integration"):
        response = await client.get(url, headers=getattr(world.a, role).headers)
        assert response.status_code == 403, (role, response.text)
    for role in ("admin", "policy_officer", "author"):  # the author is named on it
        response = await client.get(url, headers=getattr(world.a, role).headers)
        assert response.status_code == 200, (role, response.text)
        assert [e["type"] for e in response.json()["entries"]] == ["version.added"]
    other = await client.get(url, headers=world.b.admin.headers)
    assert other.status_code == 404


@contextmanager
def counting_statements(app: Any) -> Iterator[list[str]]:
    statements: list[str] = []
    engine = app.state.engine.sync_engine

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_the_timeline_reads_each_table_once_however_long_the_history(
    client: AsyncClient, world: World, app: Any
) -> None:
    document_id, draft_id = await create_document_with_draft(client, world)
    meeting_id, _, _, _ = await held_meeting_decisions(client, world, document_id)
    story = await sign_off_story(world, document_id, draft_id, meeting_id)
    with counting_statements(app) as short:
        before = await timeline(client, world, document_id)

    for n in range(4):
        await add_version(client, world.a.author.headers, document_id, f"Draft {n}", False)
    issued = await add_version(client, world.a.policy_officer.headers, document_id, "Issue", True)
    await close_with_issue(world, story["sign_off_id"], issued, date(2030, 1, 6))
    for _ in range(3):
        await queue_upload(world, document_id, issued)
    with counting_statements(app) as long:
        after = await timeline(client, world, document_id)
    assert len(after) == len(before) + 10
    assert len(long) == len(short)

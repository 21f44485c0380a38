"""The document timeline: the whole paper trail of a document in time order, for FOI requests.

Board items and decisions and versions go through the HTTP API; assessment and sign-off rows
are written with the ORM (their APIs are built alongside this one), with the times they would
have."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy import event, select

from services.domain.clock import utcnow
from services.domain.models.assessments import (
    EqualityAssessment,
    FitnessCheck,
    LegalReview,
    Proposal,
)
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.governance import GovernanceRoute, RouteVersion
from services.domain.models.notifications import Notification
from services.domain.models.sign_off import Delegation, SignOff, SignOffDecision, SignOffStage
from services.domain.publications.service import queue_publication
from services.domain.settings import Settings
from services.notifier.notifications import send_notification
from tests.api.assessments_support import with_etag
from tests.api.boards_support import (
    create_board,
    create_document_with_draft,
    create_meeting,
    in_days,
    propose,
)
from tests.api.consultations_support import open_consultation, respond
from tests.api.timeline_support import (
    add_version,
    closed_consultation_story,
    published_procedure,
    relay,
    review_action,
    timeline,
)
from tests.factories import World

APPROVER = "Approver of alpha"
AUTHOR = "Author of alpha"
ADMIN = "Admin of alpha"


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
    """The statements the app sends meanwhile, but for authenticating the caller (whose key's
    principal is kept for a few seconds, so that only the first request asks)."""
    statements: list[str] = []
    engine = app.state.engine.sync_engine

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "api_keys" not in statement:
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


# --- consultations, reviews, update cycles and notifications (issue 13, item 8) -----------------


async def types_of(entries: list[dict[str, Any]], prefix: str) -> list[str]:
    return [e["type"] for e in entries if e["type"].startswith(prefix)]


async def test_the_timeline_shows_a_consultation_from_its_opening_to_its_report(
    client: AsyncClient, world: World
) -> None:
    document_id, draft_id = await create_document_with_draft(client, world)
    cid = await closed_consultation_story(client, world, document_id, draft_id)

    entries = await timeline(client, world, document_id)

    assert await types_of(entries, "consultation.") == [
        "consultation.opened",
        "consultation.response",
        "consultation.closed",
        "consultation.deemed_agreement",
        "consultation.deemed_agreement",
        "consultation.report",
        "consultation.response",
    ]
    found = {e["type"]: e for e in entries}
    opened = found["consultation.opened"]
    assert opened["refs"]["consultation_id"] == cid
    assert opened["refs"]["version_id"] == draft_id
    assert opened["actor_name"] == AUTHOR
    assert opened["summary"].startswith(
        'Internal circulation "Allegations: staff consultation" of version 0.1 opened: 3 consultees'
    )
    assert {c["name"] for c in opened["details"]["consultees"]} == {
        "Reader of alpha",
        APPROVER,
        "Pat Partner",
    }
    responses = [e for e in entries if e["type"] == "consultation.response"]
    in_time, late = responses
    assert in_time["summary"] == ('Reader of alpha responded: object. "Name the LADO, please."')
    assert (in_time["details"]["is_late"], in_time["details"]["position"]) == (False, "object")
    assert in_time["actor_name"] == "Reader of alpha"
    assert late["summary"] == (
        f"Pat Partner (Police) responded: support; late, after the close; recorded by {AUTHOR}."
    )
    assert late["details"]["is_late"] is True
    closed = found["consultation.closed"]
    assert closed["summary"] == (
        'Consultation "Allegations: staff consultation" closed at its deadline: 1 response, '
        "2 deemed agreement."
    )
    deemed = {
        e["details"]["consultee_name"]: e
        for e in entries
        if e["type"] == "consultation.deemed_agreement"
    }
    assert set(deemed) == {APPROVER, "Pat Partner"}
    assert deemed[APPROVER]["summary"] == (
        f"{APPROVER} did not respond by the deadline: deemed agreement."
    )
    # Birmingham: silence was agreement at the deadline, until the late response replaced it.
    assert deemed["Pat Partner"]["details"]["replaced_by_late_response"] is True
    assert "replaced by a late response on" in deemed["Pat Partner"]["summary"]
    report = found["consultation.report"]
    assert report["details"]["paths"]["html"] == f"/v1/consultations/{cid}/report.html"
    assert report["details"]["counts"]["late"] == 1
    assert "2 of 3 consultees responded (1 support, 1 object), 1 late" in report["summary"]


async def test_the_timeline_shows_each_review_step_and_its_outcome(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_procedure(client, world)
    ro, rsm = world.a.author.headers, world.a.approver.headers
    first = await client.post(
        "/v1/reviews",
        json={
            "document_id": document_id,
            "kind": "unscheduled",
            "trigger": "legislation_or_guidance_change",
            "trigger_detail": "Working Together 2026",
            "requested_by_id": str(world.a.reader.person_id),
        },
        headers=ro,
    )
    assert first.status_code == 201, first.text
    review_id = first.json()["id"]
    said = {"statement": "Nothing in it is affected."}
    await review_action(client, world, review_id, "no-change", ro, said)
    await review_action(
        client, world, review_id, "refuse-no-change", rsm, {"reasons": "Chapter 4 cites 2023."}
    )
    await review_action(client, world, review_id, "no-change", ro, said)
    await review_action(client, world, review_id, "confirm", rsm)
    second = await client.post(
        "/v1/reviews", json={"document_id": document_id, "kind": "scheduled"}, headers=ro
    )
    assert second.status_code == 201, second.text
    draft = await add_version(client, ro, document_id, "Chapter 4 updated", issued=False)
    await review_action(client, world, second.json()["id"], "amended", ro, {"version_id": draft})

    entries = await timeline(client, world, document_id)

    assert await types_of(entries, "review.") == [
        "review.started",
        "review.no_change_stated",
        "review.no_change_refused",
        "review.no_change_stated",
        "review.completed",
        "review.started",
        "review.amended",
    ]
    reviews = [e for e in entries if e["type"].startswith("review.")]
    started, stated, refused, _, confirmed, again, amended = reviews
    assert started["refs"]["review_id"] == review_id
    assert started["summary"] == (
        f"Unscheduled review started by {AUTHOR}: change in legislation or statutory "
        "guidance (Working Together 2026); asked for by Reader of alpha."
    )
    assert (
        stated["summary"]
        == f'{AUTHOR} stated that no change is needed: "Nothing in it is affected."'
    )
    assert refused["summary"] == (
        f"{APPROVER} refused the statement of no change: Chapter 4 cites 2023."
    )
    assert refused["actor_id"] == str(world.a.approver.person_id)
    assert confirmed["summary"].startswith(f"{APPROVER} confirmed that no change is needed")
    assert confirmed["details"]["outcome"] == "no_change"
    assert again["refs"]["review_id"] == second.json()["id"]
    assert amended["refs"]["version_id"] == draft
    assert amended["summary"] == (
        f"{AUTHOR} recorded that the review leads to amendments: draft 1.1 goes through sign-off."
    )


async def test_the_timeline_shows_update_plan_items_and_their_outcomes(
    client: AsyncClient, world: World
) -> None:
    document_id = await published_procedure(client, world)
    reference = (
        await client.get(f"/v1/documents/{document_id}", headers=world.a.author.headers)
    ).json()["reference"]
    opened = await client.post(
        "/v1/update-cycles",
        json={
            "name": "Tri.x update June",
            "items": [
                {"chapter": reference, "recommendation": "Reflect Working Together 2026."},
                {"chapter": reference, "recommendation": "Add the out-of-hours number."},
            ],
        },
        headers=world.a.policy_officer.headers,
    )
    assert opened.status_code == 201, opened.text
    first, second = opened.json()["items"]
    got = await client.get(f"/v1/update-cycle-items/{first['id']}", headers=world.a.author.headers)
    decided = await client.patch(
        f"/v1/update-cycle-items/{first['id']}",
        json={"status": "accepted", "outcome_note": "Done in chapter 2."},
        headers=with_etag(world.a.author.headers, got),
    )
    assert decided.status_code == 200, decided.text
    got = await client.get(
        f"/v1/update-cycles/{opened.json()['id']}", headers=world.a.admin.headers
    )
    closed = await client.post(
        f"/v1/update-cycles/{opened.json()['id']}/close",
        json={},
        headers=with_etag(world.a.policy_officer.headers, got),
    )
    assert closed.status_code == 200, closed.text

    entries = await timeline(client, world, document_id)

    items = [e for e in entries if e["type"].startswith("update_cycle_item.")]
    assert [(e["type"], e["refs"]["update_cycle_item_id"]) for e in items] == [
        ("update_cycle_item.assigned", first["id"]),
        ("update_cycle_item.assigned", second["id"]),
        ("update_cycle_item.decided", first["id"]),
        ("update_cycle_item.carried_over", second["id"]),
        # Carried into the next cycle, still the RO's.
        ("update_cycle_item.assigned", items[-1]["refs"]["update_cycle_item_id"]),
    ]
    assert items[0]["summary"].startswith(
        'Update Plan item in Trix update cycle "Tri.x update June" (amendments due by '
    )
    assert items[0]["summary"].endswith(f'"Reflect Working Together 2026."; assigned to {AUTHOR}.')
    assert items[2]["summary"] == (
        f"{AUTHOR} recorded the Update Plan item as accepted: Done in chapter 2."
    )
    assert items[-1]["summary"].endswith("carried over from an earlier cycle.")


async def test_the_emails_sent_are_on_the_timeline_for_the_policy_team_only(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    document_id, draft_id = await create_document_with_draft(client, world)
    await open_consultation(client, world, document_id, draft_id)
    await relay(world)
    async with world.sessionmaker() as session:
        invitation = (
            await session.execute(
                select(Notification).where(Notification.kind == "consultation.invited")
            )
        ).scalar_one()
    ctx = {"settings": settings, "sessionmaker": world.sessionmaker, "transport": None}
    assert await send_notification(ctx, str(invitation.id)) == "sent"

    entries = await timeline(client, world, document_id)

    emails = [e for e in entries if e["type"] == "notification.email"]
    by_kind = {e["details"]["kind"]: e for e in emails}
    invited = by_kind["consultation.invited"]
    assert invited["summary"] == (
        "Email to Reader of alpha <reader@alpha.example.org>: invitation to respond to the "
        "consultation (PROC-1 Allegations against staff); sent."
    )
    assert invited["refs"]["notification_id"] == str(invitation.id)
    assert invited["refs"]["recipient_person_id"] == str(world.a.reader.person_id)
    assert invited["details"]["status"] == "sent"
    # When the reader was told: the moment it was sent, not when it was queued.
    assert moment(invited["at"]) == moment(invited["details"]["sent_at"])
    assert moment(invited["at"]) > moment(invited["details"]["queued_at"])
    # The author was told once they were named on it, as RO and as author; not sent yet.
    assert [e["summary"] for e in emails if e["details"]["kind"] == "document.assigned"] == [
        f"Email to {AUTHOR} <author@alpha.example.org>: named on the document (responsible "
        "officer and author); not sent yet."
    ]
    # The document's team reads the timeline, without the emails.
    author = await client.get(
        f"/v1/documents/{document_id}/timeline", headers=world.a.author.headers
    )
    assert author.status_code == 200
    author_types = [e["type"] for e in author.json()["entries"]]
    assert "consultation.opened" in author_types
    assert "notification.email" not in author_types


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def test_the_timeline_reads_each_table_once_however_many_responses_steps_and_emails(
    client: AsyncClient, world: World, app: Any
) -> None:
    document_id = await published_procedure(client, world)
    reference = (
        await client.get(f"/v1/documents/{document_id}", headers=world.a.author.headers)
    ).json()["reference"]
    draft = await add_version(client, world.a.author.headers, document_id, "1.1", issued=False)
    consultation = await open_consultation(client, world, document_id, draft)
    cid = str(consultation["id"])
    assert (await respond(client, cid, world.a.reader.headers)).status_code == 201
    review = await client.post(
        "/v1/reviews",
        json={"document_id": document_id, "kind": "scheduled"},
        headers=world.a.author.headers,
    )
    assert review.status_code == 201, review.text
    review_id = review.json()["id"]
    said = {"statement": "Still right."}
    await review_action(client, world, review_id, "no-change", world.a.author.headers, said)

    async def plan(*recommendations: str) -> None:
        opened = await client.post(
            "/v1/update-cycles",
            json={
                "name": "Tri.x update",
                "items": [{"chapter": reference, "recommendation": r} for r in recommendations],
            },
            headers=world.a.policy_officer.headers,
        )
        assert opened.status_code == 201, opened.text

    await plan("Reflect the new guidance.")
    await relay(world)
    with counting_statements(app) as short:
        before = await timeline(client, world, document_id)

    added = await client.post(
        f"/v1/consultations/{cid}/consultees",
        json={
            "people": [str(world.a.approver.person_id), str(world.a.admin.person_id)],
            "external": [
                {"name": f"Partner {n}", "email": f"partner{n}@partner.example"} for n in range(3)
            ],
        },
        headers=world.a.author.headers,
    )
    assert added.status_code == 201, added.text
    for role in ("approver", "admin"):
        answered = await respond(
            client, cid, getattr(world.a, role).headers, "object", comments="No."
        )
        assert answered.status_code == 201, answered.text
    for consultee in added.json():
        if consultee["kind"] == "external":
            recorded = await client.post(
                f"/v1/consultations/{cid}/responses",
                json={"consultee_id": consultee["id"], "position": "no_view"},
                headers=world.a.author.headers,
            )
            assert recorded.status_code == 201, recorded.text
    await review_action(
        client, world, review_id, "refuse-no-change", world.a.approver.headers, {"reasons": "No."}
    )
    await review_action(client, world, review_id, "no-change", world.a.author.headers, said)
    await plan("One.", "Two.", "Three.")
    await relay(world)
    with counting_statements(app) as long:
        after = await timeline(client, world, document_id)

    grown = Counter(e["type"] for e in after) - Counter(e["type"] for e in before)
    assert grown["consultation.response"] == 5
    assert grown["consultation.consultees_added"] == 1
    assert grown["review.no_change_refused"] == 1
    assert grown["update_cycle_item.assigned"] == 3
    assert grown["notification.email"] >= 10
    assert len(long) == len(short)

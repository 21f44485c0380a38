"""Builders for the proposal, EIA, legal review and fitness check tests, through the HTTP API."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import select

from services.domain.gates.checklist import QUESTIONS as FITNESS_QUESTIONS
from services.domain.models.outbox import OutboxEvent
from tests.api.boards_support import create_board, create_meeting, in_days
from tests.factories import World

CATEGORIES = (
    "age",
    "disability",
    "ethnicity",
    "gender",
    "religion_or_belief",
    "sexual_orientation",
)


def chair(world: World) -> dict[str, str]:
    return world.a.approver.headers  # the world's approver chairs the test boards


async def events_of(world: World, kind: str) -> list[dict[str, Any]]:
    async with world.sessionmaker() as session:
        rows = await session.execute(
            select(OutboxEvent).where(OutboxEvent.type == kind).order_by(OutboxEvent.created_at)
        )
        return [r.payload for r in rows.scalars()]


def with_etag(headers: dict[str, str], response: Response) -> dict[str, str]:
    return {**headers, "If-Match": response.headers["ETag"]}


async def add_draft(client: AsyncClient, world: World, document_id: str) -> str:
    """The author uploads the next draft; answers its version id."""
    uploaded = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("draft.txt", b"A changed draft.", "text/plain")},
        headers=world.a.author.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    return str(uploaded.json()["id"])


async def create_proposal(
    client: AsyncClient, world: World, headers: dict[str, str] | None = None, **fields: Any
) -> Response:
    body: dict[str, Any] = {
        "title": "Allegations against staff",
        "sponsor_id": str(world.a.approver.person_id),
        "lead_officer_id": str(world.a.author.person_id),
        "background": "Working Together 2023 changed the LADO arrangements.",
        "objectives": "Keep children safe from harm by people who work with them.",
        "childrens_rights": "Children are heard when they raise concerns.",
        "diversity": "Applies equally to all staff.",
        "outputs": "A new procedure within three months.",
        "consultation_plan": "Test with two teams.",
        "communications_plan": "Channel C article.",
        **fields,
    }
    return await client.post("/v1/proposals", json=body, headers=headers or world.a.author.headers)


async def submitted_proposal(
    client: AsyncClient, world: World, document_id: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A proposal the author put on a board's forward plan; answers it and the meeting."""
    board = await create_board(client, world)
    meeting = await create_meeting(client, world, board["id"], in_days(60))
    created = await create_proposal(client, world, document_id=document_id)
    assert created.status_code == 201, created.text
    # The agenda's rule: the document's author may table it; without a document, the policy
    # team (or a member of the board) does.
    submitter = world.a.author if document_id else world.a.policy_officer
    submitted = await client.post(
        f"/v1/proposals/{created.json()['id']}/submit",
        json={"board_id": board["id"], "meeting_id": meeting["id"]},
        headers=with_etag(submitter.headers, created),
    )
    assert submitted.status_code == 200, submitted.text
    return submitted.json(), meeting


async def hold(client: AsyncClient, world: World, meeting_id: str) -> None:
    """The meeting happens: moved into the past, the chair present."""
    got = await client.get(f"/v1/meetings/{meeting_id}", headers=chair(world))
    moved = await client.patch(
        f"/v1/meetings/{meeting_id}",
        json={"starts_at": in_days(-1)},
        headers=with_etag(chair(world), got),
    )
    assert moved.status_code == 200, moved.text
    attended = await client.put(
        f"/v1/meetings/{meeting_id}/attendance",
        json={"attendance": [{"person_id": str(world.a.approver.person_id), "status": "present"}]},
        headers=chair(world),
    )
    assert attended.status_code == 200, attended.text


async def decide(
    client: AsyncClient, world: World, meeting_id: str, item_id: str, outcome: str, **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        f"/v1/meetings/{meeting_id}/decisions",
        json={"agenda_item_id": item_id, "outcome": outcome, **extra},
        headers=chair(world),
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def full_relevance(level: str = "low") -> dict[str, str]:
    return dict.fromkeys(CATEGORIES, level)


async def completed_eia(
    client: AsyncClient,
    world: World,
    document_id: str,
    version_id: str,
    kind: str,
    outcome: str,
) -> dict[str, Any]:
    """An assessment the author records and completes in one go."""
    created = await client.post(
        "/v1/equality-assessments",
        json={
            "document_id": document_id,
            "version_id": version_id,
            "kind": kind,
            "relevance": full_relevance(),
        },
        headers=world.a.author.headers,
    )
    assert created.status_code == 201, created.text
    completed = await client.post(
        f"/v1/equality-assessments/{created.json()['id']}/complete",
        json={"outcome": outcome},
        headers=with_etag(world.a.author.headers, created),
    )
    assert completed.status_code == 200, completed.text
    data: dict[str, Any] = completed.json()
    return data


async def legal_review(
    client: AsyncClient, world: World, document_id: str, version_id: str, outcome: str | None
) -> dict[str, Any]:
    """A review the author asks for; answered by the policy team when ``outcome`` is given."""
    asked = await client.post(
        "/v1/legal-reviews",
        json={
            "document_id": document_id,
            "version_id": version_id,
            "question": "Does the procedure meet the LADO duties?",
        },
        headers=world.a.author.headers,
    )
    assert asked.status_code == 201, asked.text
    if outcome is None:
        data: dict[str, Any] = asked.json()
        return data
    answered = await client.post(
        f"/v1/legal-reviews/{asked.json()['id']}/answer",
        json={"advice": "Advice given.", "outcome": outcome},
        headers=world.a.policy_officer.headers,
    )
    assert answered.status_code == 200, answered.text
    data = answered.json()
    return data


def all_answers(answer: str = "yes") -> dict[str, dict[str, str]]:
    return {key: {"answer": answer} for key, _ in FITNESS_QUESTIONS}


async def fitness_check(
    client: AsyncClient, world: World, document_id: str, version_id: str
) -> Response:
    return await client.post(
        "/v1/fitness-checks",
        json={"document_id": document_id, "version_id": version_id, "answers": all_answers()},
        headers=world.a.author.headers,
    )

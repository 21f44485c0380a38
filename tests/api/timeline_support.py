"""Builders for the timeline and paper-trail tests, through the HTTP API (and, where the
notifier or the clock would act, their functions)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from httpx import AsyncClient

from services.domain.clock import utcnow
from services.domain.models.consultations import Consultation
from services.notifier.relay import relay_once
from tests.api.assessments_support import with_etag
from tests.api.consultations_support import consultees, open_consultation, respond, sweep_close
from tests.api.sign_off_support import create_document
from tests.factories import World
from tests.notifier.conftest import RecordingTransport


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


async def deadline_passes(world: World, consultation_id: str) -> None:
    """Two weeks pass: the consultation's closing time is now (the sweep then closes it)."""
    async with world.sessionmaker() as session, session.begin():
        consultation = await session.get(Consultation, uuid.UUID(consultation_id))
        assert consultation is not None
        consultation.closes_at = utcnow() - timedelta(milliseconds=1)


async def closed_consultation_story(
    client: AsyncClient,
    world: World,
    document_id: str,
    draft_id: str,
    comment: str = "Name the LADO, please.",
) -> str:
    """Birmingham-style: the reader responds, the approver stays silent (deemed agreement),
    an external partner's response comes by email after the close and the author records it."""
    consultation = await open_consultation(
        client,
        world,
        document_id,
        draft_id,
        title="Allegations: staff consultation",
        deemed_agreement=True,
        audience={
            "people": [str(world.a.reader.person_id), str(world.a.approver.person_id)],
            "external": [
                {"name": "Pat Partner", "email": "pat@partner.example", "represents": "Police"}
            ],
        },
    )
    cid = str(consultation["id"])
    answered = await respond(client, cid, world.a.reader.headers, "object", comments=comment)
    assert answered.status_code == 201, answered.text
    await deadline_passes(world, cid)
    assert await sweep_close(world, after=timedelta(0)) == 1
    external = next(c for c in await consultees(client, world, cid) if c["kind"] == "external")
    late = await client.post(
        f"/v1/consultations/{cid}/responses",
        json={"consultee_id": external["id"], "position": "support"},
        headers=world.a.author.headers,
    )
    assert late.status_code in (200, 201), late.text
    assert late.json()["is_late"] is True
    return cid


async def published_procedure(client: AsyncClient, world: World) -> str:
    """A procedure issued as 1.0: the approver is its owner (RSM), the author its RO."""
    document_id = await create_document(client, world)
    await add_version(client, world.a.policy_officer.headers, document_id, "Issue", issued=True)
    return document_id


async def review_action(
    client: AsyncClient,
    world: World,
    review_id: str,
    action: str,
    headers: dict[str, str],
    body: dict[str, Any] | None = None,
) -> None:
    got = await client.get(f"/v1/reviews/{review_id}", headers=world.a.policy_officer.headers)
    done = await client.post(
        f"/v1/reviews/{review_id}/{action}", json=body, headers=with_etag(headers, got)
    )
    assert done.status_code == 200, done.text


async def relay(world: World) -> None:
    """What the notifier's relay does: each committed event becomes its emails."""
    while await relay_once(world.sessionmaker, RecordingTransport()):
        pass

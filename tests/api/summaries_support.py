"""Builders for the "You said, we did" tests: the report tests' closed consultation (POL-CR-1,
analysed into the themes Contacts, Out of hours and Thresholds), a draft summary of it, and
the document's issue, through the HTTP API."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import select

from services.domain.clock import london_today
from services.domain.models.notifications import Notification
from services.notifier.relay import relay_once
from tests.factories import World
from tests.notifier.conftest import RecordingTransport

# The text of draft 0.2 (tests/domain/consultation_report_support.py), issued as it stands.
REVISED = b"What to do when a child is missing (revised)."
KIND = "consultation.you_said_we_did"
# Curly apostrophe, en dash and pound sign: the PDF must keep them.
TYPOGRAPHY = "We added the Emergency Duty Team\u2019s number \u2013 it costs \u00a30 to call."


def url(consultation_id: object, what: str = "summary") -> str:
    return f"/v1/consultations/{consultation_id}/{what}"


def draft_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "introduction": "Thank you to the seven people and agencies who took part.",
        "themes": [
            {
                "theme": "Contacts",
                "said": "Three responses said the out-of-hours contact was missing or wrong.",
                "outcome": "changed",
                "did": TYPOGRAPHY,
                "changes": ["p1"],
            },
            {
                "theme": "Thresholds",
                "said": "Two responses found the thresholds unclear.",
                "outcome": "not_changed",
                "did": "The thresholds are set by the safeguarding partnership, not by us.",
            },
        ],
    }
    body.update(overrides)
    return body


async def put_draft(
    client: AsyncClient, world: World, consultation_id: object, **overrides: Any
) -> Response:
    return await client.put(
        url(consultation_id), json=draft_body(**overrides), headers=world.a.policy_officer.headers
    )


async def issue(
    client: AsyncClient, world: World, document_id: object, content: bytes = REVISED
) -> Response:
    """The policy team registers the issued version (signed off elsewhere): 1.0."""
    issued = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("issued.txt", content, "text/plain")},
        data={"issued": "true", "change_summary": "Issued", "issued_on": str(london_today())},
        headers=world.a.policy_officer.headers,
    )
    assert issued.status_code == 201, issued.text
    return issued


async def sent(world: World) -> list[Notification]:
    """Relay the outbox (fan-out), then the "You said, we did" emails it planned."""
    transport = RecordingTransport()
    while await relay_once(world.sessionmaker, transport):
        pass
    async with world.sessionmaker() as session:
        rows = await session.execute(
            select(Notification)
            .where(Notification.kind == KIND)
            .order_by(Notification.recipient_email)
        )
        return list(rows.scalars())

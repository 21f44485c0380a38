"""HTTP calls the tests of implementation monitoring repeat."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import update

from services.domain.clock import london_today
from services.domain.models.monitoring import MonitoringAction
from tests.factories import Org, World


def day(offset: int) -> str:
    return (london_today() + timedelta(days=offset)).isoformat()


def action_body(owner: Org | str, **overrides: Any) -> dict[str, Any]:
    owner_id = owner if isinstance(owner, str) else str(owner.reader.person_id)
    body: dict[str, Any] = {
        "title": "Audit ten case files for the new risk assessment",
        "description": "Two per team; record the file numbers.",
        "owner_id": owner_id,
        "due_on": day(30),
    }
    body.update(overrides)
    return body


async def set_action(
    client: AsyncClient,
    document_id: str,
    headers: dict[str, str],
    body: dict[str, Any],
    expect: int = 201,
) -> Response:
    made = await client.post(
        f"/v1/documents/{document_id}/monitoring-actions", json=body, headers=headers
    )
    assert made.status_code == expect, made.text
    return made


async def backdate(world: World, action_id: str, due_on: date) -> None:
    """Make an action due in the past, as time passing would (nobody sets one so)."""
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            update(MonitoringAction).where(MonitoringAction.id == action_id).values(due_on=due_on)
        )

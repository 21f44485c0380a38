"""What the launch and cascade scenarios repeat: registering an issue, the sweep on a day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from httpx import AsyncClient

from services.domain.clock import london_today


async def register_issue(
    client: AsyncClient, headers: dict[str, str], document_id: str, summary: str
) -> dict[str, Any]:
    """The policy team registers the issued version, uploaded to Tri.x, with what changed."""
    response = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("issued.md", b"# Issued\n\nWhat staff now do.", "text/markdown")},
        data={"issued": "true", "issued_on": london_today().isoformat(), "change_summary": summary},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def next_weekday(weekday: int) -> date:
    """The next such day after today: its digest covers the week that holds today."""
    today = london_today()
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def first_weekday_of_next_month(weekday: int) -> date:
    following = (london_today().replace(day=1) + timedelta(days=32)).replace(day=1)
    return following + timedelta(days=(weekday - following.weekday()) % 7)

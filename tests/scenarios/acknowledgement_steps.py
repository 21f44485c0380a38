"""The HTTP calls the read-and-acknowledge scenarios repeat, on a seeded organisation."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from services.domain.clock import london_today
from tests.scenarios.seeded import get_json


async def issue_whole_version(
    client: AsyncClient, headers: dict[str, str], document_id: str, text: str
) -> dict[str, Any]:
    """The policy team registers a new whole version as issued (signed off at its meeting)."""
    issued = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("issued.md", text.encode(), "text/markdown")},
        data={"issued": "true", "change_summary": "Revised", "issued_on": str(london_today())},
        headers=headers,
    )
    assert issued.status_code == 201, issued.text
    data: dict[str, Any] = issued.json()
    return data


async def open_ask(client: AsyncClient, headers: dict[str, str], document_id: str) -> Any:
    """The document's open ask (the newest)."""
    page = await get_json(client, f"/v1/documents/{document_id}/acknowledgement-requests", headers)
    found = [r for r in page["items"] if r["status"] == "open"]
    assert len(found) == 1, page
    return found[0]


async def asked_people(client: AsyncClient, headers: dict[str, str], request_id: str) -> Any:
    """The people of an ask, by name."""
    page = await get_json(
        client, f"/v1/acknowledgement-requests/{request_id}/acknowledgements?limit=200", headers
    )
    return {row["name"]: row for row in page["items"]}


async def confirm_mine(client: AsyncClient, headers: dict[str, str], reference: str) -> Any:
    """The signed-in person confirms what they are asked to read of ``reference``."""
    mine = await get_json(client, "/v1/acknowledgements/mine", headers)
    item = next(i for i in mine["items"] if i["reference"] == reference)
    done = await client.post(f"/v1/acknowledgements/{item['id']}/confirm", headers=headers)
    assert done.status_code == 200, done.text
    return done.json()

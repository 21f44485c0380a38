"""Read and acknowledge through the API: a team with service areas and job titles, a
document with an audience, issuing versions that ask by themselves."""

from __future__ import annotations

import uuid
from typing import Any

from httpx import AsyncClient, Response

from services.domain.acknowledgements.confirming import link_token
from services.domain.clock import london_today
from services.domain.settings import Settings
from tests.factories import Org, document_body


async def place(
    client: AsyncClient,
    org: Org,
    person_id: object,
    *,
    service_area: str | None = None,
    job_title: str | None = None,
) -> None:
    """Put someone already in the directory in a service area, with a job title."""
    path = f"/v1/people/{person_id}"
    got = await client.get(path, headers=org.policy_officer.headers)
    changed = await client.patch(
        path,
        json={"service_area": service_area, "job_title": job_title},
        headers={**org.policy_officer.headers, "If-Match": got.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.text


async def add_person(
    client: AsyncClient, org: Org, name: str, service_area: str | None, **fields: Any
) -> str:
    """A member of staff with no API key (they confirm by the emailed link)."""
    local = "".join(c for c in name.lower().replace(" ", ".") if c.isalnum() or c == ".")
    email = f"{local.strip('.') or 'someone'}@{org.slug}.example.org"
    made = await client.post(
        "/v1/people",
        json={"name": name, "email": email, "service_area": service_area, **fields},
        headers=org.policy_officer.headers,
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def new_document(client: AsyncClient, org: Org, **overrides: Any) -> str:
    fields: dict[str, Any] = {"owner_id": str(org.approver.person_id), **overrides}
    created = await client.post(
        "/v1/documents", json=document_body(**fields), headers=org.policy_officer.headers
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def set_audience(client: AsyncClient, org: Org, document_id: str, **body: Any) -> Response:
    return await client.put(
        f"/v1/documents/{document_id}/acknowledgement-audience",
        json=body,
        headers=org.policy_officer.headers,
    )


async def issue(client: AsyncClient, org: Org, document_id: str, text: bytes = b"") -> Response:
    """The policy team registers an issued version (signed off elsewhere): x.0."""
    issued = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("issued.md", b"# Missing from care\n\n" + text, "text/markdown")},
        data={"issued": "true", "change_summary": "Issued", "issued_on": str(london_today())},
        headers=org.policy_officer.headers,
    )
    assert issued.status_code == 201, issued.text
    return issued


async def requests_of(client: AsyncClient, org: Org, document_id: str) -> list[dict[str, Any]]:
    listed = await client.get(
        f"/v1/documents/{document_id}/acknowledgement-requests", headers=org.policy_officer.headers
    )
    assert listed.status_code == 200, listed.text
    items: list[dict[str, Any]] = listed.json()["items"]
    return items


async def people_of(client: AsyncClient, org: Org, request_id: str) -> dict[str, dict[str, Any]]:
    """The people an ask named, by name."""
    listed = await client.get(
        f"/v1/acknowledgement-requests/{request_id}/acknowledgements?limit=200",
        headers=org.policy_officer.headers,
    )
    assert listed.status_code == 200, listed.text
    return {row["name"]: row for row in listed.json()["items"]}


def token_of(settings: Settings, acknowledgement_id: str) -> str:
    """The token the notifier would sign into the person's email."""
    return link_token(settings.keyring, uuid.UUID(acknowledgement_id))

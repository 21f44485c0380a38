"""Documents in force and dis-applications of them, through the API (Cafcass 6.1)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from httpx import AsyncClient, Response

from services.domain.clock import london_today
from tests.factories import Org, document_body


def day(offset: int) -> str:
    return (london_today() + timedelta(days=offset)).isoformat()


async def in_force_document(client: AsyncClient, org: Org, **overrides: Any) -> str:
    """A policy issued as 1.0 by the policy team, owned (its Policy Sponsor) by the approver."""
    fields: dict[str, Any] = {"owner_id": str(org.approver.person_id), **overrides}
    created = await client.post(
        "/v1/documents", json=document_body(**fields), headers=org.policy_officer.headers
    )
    assert created.status_code == 201, created.text
    document_id = str(created.json()["id"])
    issued = await client.post(
        f"/v1/documents/{document_id}/versions",
        files={
            "file": ("issued.md", b"# Home visits\n\n4.2 Visit within 10 days.", "text/markdown")
        },
        data={"issued": "true", "change_summary": "First issue"},
        headers=org.policy_officer.headers,
    )
    assert issued.status_code == 201, issued.text
    return document_id


def request_body(org: Org, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "section": "4.2 Home visits within 10 working days",
        "applies_to": "South West team",
        "reasons": "Two of five social workers are on long-term sick leave.",
        "risks": "A child at risk is seen later than the policy requires.",
        "mitigation": "Daily phone contact; visits prioritised by risk by the practice manager.",
        "starts_on": day(0),
        "ends_on": day(42),
        "discussed_with_id": str(org.policy_officer.person_id),
    }
    body.update(overrides)
    return body


async def ask(
    client: AsyncClient,
    org: Org,
    document_id: str,
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> Response:
    return await client.post(
        f"/v1/documents/{document_id}/dis-applications",
        json=request_body(org, **fields),
        headers=headers or org.reader.headers,
    )


async def asked(client: AsyncClient, org: Org, document_id: str, **fields: Any) -> dict[str, Any]:
    response = await ask(client, org, document_id, **fields)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def decide(
    client: AsyncClient,
    dis_application_id: str,
    headers: dict[str, str],
    outcome: str = "approved",
    **fields: Any,
) -> Response:
    body: dict[str, Any] = {
        "outcome": outcome,
        "note": "Exceptional staffing; the mitigation keeps children safe.",
        "circumstances_exceptional": outcome == "approved",
        "variation_justified": outcome == "approved",
        **fields,
    }
    return await client.post(
        f"/v1/dis-applications/{dis_application_id}/decision", json=body, headers=headers
    )


async def approved(
    client: AsyncClient, org: Org, document_id: str, **fields: Any
) -> dict[str, Any]:
    """Asked for by the reader, approved by the approver (the document's owner)."""
    made = await asked(client, org, document_id, **fields)
    response = await decide(client, made["id"], org.approver.headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def today() -> date:
    return london_today()

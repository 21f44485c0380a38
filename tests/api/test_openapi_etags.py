"""The spec documents the ETag header on every response that sends one.

FastAPI cannot see a header an endpoint sets; services/api/spec.py reads it from the code. These
tests fetch single resources through the API and check the spec against what came back.
"""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from services.api.openapi import openapi_schema
from tests.api.openapi_support import operation_for
from tests.factories import World, document_body


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return openapi_schema()


async def test_every_single_resource_get_that_sends_an_etag_documents_it(
    client: AsyncClient, world: World, schema: dict[str, Any]
) -> None:
    h = world.a.policy_officer.headers
    created = await client.post("/v1/documents", json=document_body(), headers=h)
    assert created.status_code == 201, created.text
    doc = created.json()
    uploaded = await client.post(
        f"/v1/documents/{doc['id']}/versions",
        files={"file": ("procedure.md", b"# Procedure", "text/markdown")},
        data={"change_summary": "", "issued": "false"},
        headers=h,
    )
    assert uploaded.status_code == 201, uploaded.text
    version = uploaded.json()
    keys = await client.get("/v1/api-keys", headers=world.a.admin.headers)
    key_id = keys.json()[0]["id"]
    urls = [
        f"/v1/documents/{doc['id']}",
        f"/v1/documents/{doc['id']}/versions/{version['id']}",
        f"/v1/documents/{doc['id']}/versions/{version['id']}/file",
        f"/v1/people/{world.a.author.person_id}",
        f"/v1/api-keys/{key_id}",
        "/v1/organisation",
    ]
    checked = []
    for url in urls:
        response = await client.get(url, headers=world.a.admin.headers)
        assert response.status_code == 200, (url, response.text)
        assert "etag" in response.headers, url
        template, operation = operation_for(schema, "get", url)
        headers = operation["responses"]["200"].get("headers", {})
        assert "ETag" in headers, f"GET {template} sends an ETag the spec does not document"
        checked.append(template)
    assert len(set(checked)) == len(urls)


def test_every_change_that_needs_if_match_documents_the_new_etag(schema: dict[str, Any]) -> None:
    # A client that changed a resource reads the next If-Match from the answer: every change that
    # needs If-Match gives one back, except a delete, which leaves nothing to change.
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            names = [p["name"] for p in operation.get("parameters", [])]
            if "If-Match" not in names or method == "delete":
                continue
            success = [s for s in operation["responses"] if s.startswith("2")]
            assert any("ETag" in operation["responses"][s].get("headers", {}) for s in success), (
                f"{method.upper()} {path}"
            )

"""The spec documents the status and media type each operation really answers with.

Generated clients decode only what the spec lists: an undocumented 200 comes back as None.
"""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient, Response

from services.api.openapi import openapi_schema
from tests.api.boards_support import create_document_with_draft
from tests.api.consultations_support import consultees, open_consultation, respond
from tests.api.openapi_support import operation_for
from tests.factories import World


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return openapi_schema()


def assert_documented(schema: dict[str, Any], response: Response) -> None:
    method, url = response.request.method.lower(), response.request.url.path
    template, operation = operation_for(schema, method, url)
    status = str(response.status_code)
    assert status in operation["responses"], f"{method.upper()} {template} answered {status}"
    media_type = response.headers["content-type"].split(";")[0]
    content = operation["responses"][status].get("content", {})
    assert media_type in content, f"{method.upper()} {template} {status} as {media_type}"


async def test_recording_and_amending_a_consultation_response_answer_as_documented(
    client: AsyncClient, world: World, schema: dict[str, Any]
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    consultation = await open_consultation(
        client,
        world,
        document_id,
        version_id,
        audience={
            "people": [str(world.a.reader.person_id)],
            "external": [{"name": "Ofsted", "email": "enquiries@ofsted.example"}],
        },
    )
    cid = consultation["id"]
    external = next(c for c in await consultees(client, world, cid) if c["name"] == "Ofsted")
    answers = []
    for position in ("no_view", "support"):
        answers.append(
            await client.post(
                f"/v1/consultations/{cid}/responses",
                json={"consultee_id": external["id"], "position": position},
                headers=world.a.author.headers,
            )
        )
    for position in ("support", "no_view"):
        answers.append(await respond(client, cid, world.a.reader.headers, position))
    answers.append(
        await client.get(f"/v1/consultations/{cid}/draft", headers=world.a.reader.headers)
    )
    assert [a.status_code for a in answers] == [201, 200, 201, 200, 200], answers[-1].text
    for answer in answers:
        assert_documented(schema, answer)

"""One policy for text (issue 14, item 2): what a request may send, and what an export does with
text already stored. Each test here was a 500 before."""

from __future__ import annotations

import io
import json
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import text

from tests.api.boards_support import create_document_with_draft
from tests.api.consultations_support import open_consultation
from tests.factories import World, document_body


async def _post_json(client: AsyncClient, url: str, body: Any, headers: dict[str, str]) -> Response:
    # ASCII-escaped JSON: httpx would refuse to encode a lone surrogate itself.
    return await client.post(
        url, content=json.dumps(body), headers={**headers, "Content-Type": "application/json"}
    )


def _fields(response: Any) -> list[str]:
    assert response.status_code == 422, response.text
    return [p["name"] for p in response.json()["invalid_params"]]


async def test_a_vertical_tab_already_stored_in_a_title_does_not_break_the_xlsx_export(
    client: AsyncClient, world: World
) -> None:
    from openpyxl import load_workbook

    headers = world.a.policy_officer.headers
    created = await client.post("/v1/documents", json=document_body(), headers=headers)
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            text("UPDATE documents SET title = :t WHERE id = :id"),
            {"t": "Safe\x0bguarding\x1f\x85", "id": created.json()["id"]},
        )

    response = await client.get("/v1/tracker/export.xlsx", headers=world.a.admin.headers)

    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet.cell(row=2, column=2).value == "Safe\ufffdguarding\ufffd\ufffd"


async def test_a_nul_in_the_post_filter_is_a_422_naming_it(
    client: AsyncClient, world: World
) -> None:
    response = await client.get("/v1/posts?post=%00", headers=world.a.admin.headers)
    assert _fields(response) == ["post"]


async def test_control_characters_in_a_one_line_field_are_a_422_naming_it(
    client: AsyncClient, world: World
) -> None:
    headers = world.a.policy_officer.headers
    for field, value in (
        ("title", "Safe\x0bguarding"),
        ("title", "Safe\nguarding"),
        ("category", "care\x85"),
        ("category", "care\x00"),
        ("service_area", "Adults\x1b[31m"),
    ):
        response = await client.post(
            "/v1/documents", json=document_body(**{field: value}), headers=headers
        )
        assert _fields(response) == [field], (field, value)


async def test_a_multi_line_field_takes_tabs_and_line_breaks_but_no_other_control(
    client: AsyncClient, world: World
) -> None:
    headers = world.a.policy_officer.headers
    fine = await client.post(
        "/v1/documents", json=document_body(summary="One\r\n\ttwo\nthree"), headers=headers
    )
    assert fine.status_code == 201, fine.text
    assert fine.json()["summary"] == "One\r\n\ttwo\nthree"
    refused = await client.post(
        "/v1/documents", json=document_body(summary="One\x07two"), headers=headers
    )
    assert _fields(refused) == ["summary"]


async def test_nul_and_lone_surrogates_in_a_consultation_are_a_422_naming_the_field(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world)
    headers = world.a.author.headers
    body = {
        "document_id": document_id,
        "version_id": version_id,
        "kind": "internal",
        "audience": {"people": [str(world.a.reader.person_id)]},
    }
    for field, value in (
        ("title", "Con\x00sultation"),
        ("title", "Con\ud800sultation"),
        ("description", "Why\udfff"),
        ("description", "Why\x00"),
        ("title", "x" * 301),
    ):
        response = await _post_json(client, "/v1/consultations", {**body, field: value}, headers)
        assert _fields(response) == [field], (field, value)


async def test_a_consultation_named_after_a_long_document_title_fits_its_column(
    client: AsyncClient, world: World
) -> None:
    document_id, version_id = await create_document_with_draft(client, world, "R" * 40)
    current = await client.get(f"/v1/documents/{document_id}", headers=world.a.admin.headers)
    patched = await client.patch(
        f"/v1/documents/{document_id}",
        json={"title": "T" * 300},
        headers={**world.a.policy_officer.headers, "If-Match": current.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.text

    consultation = await open_consultation(client, world, document_id, version_id)

    assert len(consultation["title"]) == 300
    assert consultation["title"].startswith("R" * 40 + " TTT")
    assert consultation["title"].endswith("…")

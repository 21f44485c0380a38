"""Versions: Cafcass numbering, who sees drafts, upload limits, bad files, download and diff."""

from __future__ import annotations

import hashlib
import io
from collections.abc import AsyncIterator

import docx
from httpx import AsyncClient

from services.domain.clock import london_today
from tests.factories import World, document_body

MD = "text/markdown"


async def new_document(client: AsyncClient, world: World) -> dict:
    body = document_body(
        kind="procedure",
        owner_id=str(world.a.approver.person_id),
        responsible_officer_id=str(world.a.author.person_id),
    )
    response = await client.post("/v1/documents", json=body, headers=world.a.policy_officer.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def upload(
    client: AsyncClient,
    headers: dict[str, str],
    doc_id: str,
    content: bytes,
    *,
    name: str = "procedure.md",
    media_type: str = MD,
    issued: bool = False,
    summary: str = "",
    **dates: str,
) -> tuple[int, dict]:
    response = await client.post(
        f"/v1/documents/{doc_id}/versions",
        files={"file": (name, content, media_type)},
        data={"change_summary": summary, "issued": "true" if issued else "false", **dates},
        headers=headers,
    )
    return response.status_code, response.json()


async def test_versions_are_numbered_as_cafcass_numbers_them(
    client: AsyncClient, world: World
) -> None:
    # Cafcass 4.11: drafts 0.1, 0.2; issue 1.0; amendments 1.1; next issue 2.0.
    doc = await new_document(client, world)
    h = world.a.policy_officer.headers
    numbers = []
    for issued in (False, False, True, False, True):
        # 2.0 goes on a document already scheduled for review: it says when it was issued.
        dates = {"issued_on": london_today().isoformat()} if issued else {}
        status, version = await upload(client, h, doc["id"], b"# Text", issued=issued, **dates)
        assert status == 201, version
        numbers.append((version["number"], version["is_issued"]))
    assert numbers == [
        ("0.1", False),
        ("0.2", False),
        ("1.0", True),
        ("1.1", False),
        ("2.0", True),
    ]
    listed = await client.get(f"/v1/documents/{doc['id']}/versions", headers=h)
    assert [v["number"] for v in listed.json()] == ["2.0", "1.1", "1.0", "0.2", "0.1"]


async def test_issuing_publishes_the_document_and_schedules_its_review(
    client: AsyncClient, world: World
) -> None:
    doc = await new_document(client, world)
    status, version = await upload(
        client, world.a.policy_officer.headers, doc["id"], b"# Issued", issued=True
    )
    assert status == 201
    got = (await client.get(f"/v1/documents/{doc['id']}", headers=world.a.reader.headers)).json()
    assert got["status"] == "published"
    issued_on = version["issued_on"]
    year, month, _day = map(int, issued_on.split("-"))
    expected_year = year + (month + 12 - 1) // 12
    assert got["next_review_due"].startswith(f"{expected_year:04d}-")


async def test_only_the_policy_team_registers_an_issued_version(
    client: AsyncClient, world: World
) -> None:
    doc = await new_document(client, world)
    status, _ = await upload(client, world.a.author.headers, doc["id"], b"x", issued=True)
    assert status == 403
    status, _ = await upload(client, world.a.author.headers, doc["id"], b"x")
    assert status == 201  # the named RO may add drafts


async def test_drafts_are_visible_only_to_the_people_working_on_the_document(
    client: AsyncClient, world: World
) -> None:
    doc = await new_document(client, world)
    po = world.a.policy_officer.headers
    await upload(client, po, doc["id"], b"# Draft one")
    _, issued = await upload(client, po, doc["id"], b"# Issued one", issued=True)
    await upload(client, po, doc["id"], b"# Draft after issue")

    async def visible(headers: dict[str, str]) -> list[str]:
        response = await client.get(f"/v1/documents/{doc['id']}/versions", headers=headers)
        assert response.status_code == 200
        return [v["number"] for v in response.json()]

    everything = ["1.1", "1.0", "0.1"]
    assert await visible(world.a.admin.headers) == everything
    assert await visible(po) == everything
    assert await visible(world.a.author.headers) == everything  # named RO
    assert await visible(world.a.approver.headers) == everything  # named owner (RSM)
    assert await visible(world.a.reader.headers) == ["1.0"]
    assert await visible(world.a.integration.headers) == ["1.0"]

    reader = world.a.reader.headers
    base = f"/v1/documents/{doc['id']}/versions"
    assert (await client.get(f"{base}/0.1", headers=reader)).status_code == 404
    assert (await client.get(f"{base}/0.1/file", headers=reader)).status_code == 404
    assert (await client.get(f"{base}/1.0/diff/1.1", headers=reader)).status_code == 404
    assert (await client.get(f"{base}/1.0/file", headers=reader)).content == b"# Issued one"
    assert (await client.get(f"{base}/{issued['id']}", headers=reader)).status_code == 200


async def test_search_finds_draft_text_only_for_those_who_may_see_drafts(
    client: AsyncClient, world: World
) -> None:
    doc = await new_document(client, world)
    po = world.a.policy_officer.headers
    await upload(client, po, doc["id"], b"Visits happen every six weeks.", issued=True)
    await upload(client, po, doc["id"], b"Visits happen every fortnight under the new model.")

    async def found(headers: dict[str, str], q: str) -> bool:
        response = await client.get("/v1/documents", params={"q": q}, headers=headers)
        assert response.status_code == 200, response.text
        return doc["id"] in [d["id"] for d in response.json()["items"]]

    assert await found(po, "fortnight")
    assert await found(world.a.author.headers, "fortnight")
    assert not await found(world.a.reader.headers, "fortnight")
    assert await found(world.a.reader.headers, "six weeks")
    assert not await found(world.b.admin.headers, "six weeks")


async def test_the_file_comes_back_byte_for_byte_with_its_checksum(
    client: AsyncClient, world: World
) -> None:
    doc = await new_document(client, world)
    document = docx.Document()
    document.add_paragraph("Short Breaks for children with disabilities")
    buffer = io.BytesIO()
    document.save(buffer)
    content = buffer.getvalue()
    status, version = await upload(
        client,
        world.a.policy_officer.headers,
        doc["id"],
        content,
        name="short-breaks.docx",
        media_type="application/octet-stream",
    )
    assert status == 201, version
    assert version["media_type"].endswith("wordprocessingml.document")
    assert version["sha256"] == hashlib.sha256(content).hexdigest()
    assert version["size_bytes"] == len(content)
    download = await client.get(
        f"/v1/documents/{doc['id']}/versions/{version['id']}/file",
        headers=world.a.policy_officer.headers,
    )
    assert download.content == content
    assert download.headers["content-type"].startswith(version["media_type"])
    assert 'filename="short-breaks.docx"' in download.headers["content-disposition"]


async def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(
    client: AsyncClient, world: World
) -> None:
    doc = await new_document(client, world)
    too_big = b"a" * (1024 * 1024 + 1)  # the test settings allow 1 MiB
    status, problem = await upload(client, world.a.policy_officer.headers, doc["id"], too_big)
    assert status == 413
    assert problem["status"] == 413
    listed = await client.get(
        f"/v1/documents/{doc['id']}/versions", headers=world.a.policy_officer.headers
    )
    assert listed.json() == []


async def test_a_request_body_far_over_the_limit_is_cut_off_before_parsing(
    client: AsyncClient, world: World
) -> None:
    doc = await new_document(client, world)
    status, problem = await upload(
        client, world.a.policy_officer.headers, doc["id"], b"a" * (3 * 1024 * 1024)
    )
    assert status == 413
    assert problem["title"] == "Payload too large"


async def test_a_chunked_body_over_the_limit_is_413_too(client: AsyncClient, world: World) -> None:
    # With no Content-Length the body was cut off mid-parse and FastAPI answered 400.
    doc = await new_document(client, world)
    boundary = "policygov-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.md"\r\n'
        "Content-Type: text/markdown\r\n\r\n"
    ).encode()

    async def chunks() -> AsyncIterator[bytes]:
        yield head
        for _ in range(3 * 64):  # 3 MiB, over the test limit of 1 MiB (+1 MiB for the form)
            yield b"a" * 16 * 1024
        yield f"\r\n--{boundary}--\r\n".encode()

    response = await client.post(
        f"/v1/documents/{doc['id']}/versions",
        content=chunks(),
        headers={
            **world.a.policy_officer.headers,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Payload too large"


async def test_broken_and_unsupported_files_are_4xx_problems(
    client: AsyncClient, world: World
) -> None:
    doc = await new_document(client, world)
    h = world.a.policy_officer.headers
    cases = [
        (b"PK\x03\x04 not really a zip", "policy.docx", 422),
        (b"%PDF-1.7 truncated", "policy.pdf", 422),
        (b"MZ\x90\x00\x03\x00\x00\x00", "tool.exe", 415),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "picture.png", 415),
        (b"", "empty.txt", 422),
        ("caf\xe9".encode("latin-1"), "notes.txt", 422),
    ]
    for content, name, expected in cases:
        status, problem = await upload(
            client, h, doc["id"], content, name=name, media_type="application/octet-stream"
        )
        assert status == expected, (name, problem)
        assert problem["status"] == expected
    listed = await client.get(f"/v1/documents/{doc['id']}/versions", headers=h)
    assert listed.json() == []


async def test_diff_lists_the_paragraphs_that_changed(client: AsyncClient, world: World) -> None:
    doc = await new_document(client, world)
    h = world.a.policy_officer.headers
    await upload(client, h, doc["id"], b"Purpose\n\nVisit every six weeks.\n\nRecord visits.")
    await upload(
        client, h, doc["id"], b"Purpose\n\nVisit every four weeks.\n\nRecord visits.\n\nAudit."
    )
    response = await client.get(f"/v1/documents/{doc['id']}/versions/0.1/diff/0.2", headers=h)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from_version"], body["to_version"]) == ("0.1", "0.2")
    assert body["summary"] == {"added": 1, "removed": 0, "changed": 1}
    changed = next(c for c in body["changes"] if c["kind"] == "changed")
    assert changed["before"] == "Visit every six weeks."
    assert changed["after"] == "Visit every four weeks."
    same = await client.get(f"/v1/documents/{doc['id']}/versions/0.1/diff/0.1", headers=h)
    assert same.status_code == 422


async def test_the_register_shows_version_numbers_without_revealing_drafts(
    client: AsyncClient, world: World
) -> None:
    doc = await new_document(client, world)
    po = world.a.policy_officer.headers
    await upload(client, po, doc["id"], b"# Issued", issued=True)
    await upload(client, po, doc["id"], b"# Amendment draft")
    url = f"/v1/documents/{doc['id']}"
    staff = (await client.get(url, headers=po)).json()
    reader = (await client.get(url, headers=world.a.reader.headers)).json()
    assert (staff["issued_version"], staff["latest_version"]) == ("1.0", "1.1")
    assert (reader["issued_version"], reader["latest_version"]) == ("1.0", "1.0")
    listed = (await client.get("/v1/documents", headers=world.a.reader.headers)).json()["items"]
    assert [(d["issued_version"], d["latest_version"]) for d in listed] == [("1.0", "1.0")]

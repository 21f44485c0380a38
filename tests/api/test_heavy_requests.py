"""Heavy requests (a long diff, a zip-bomb docx, a 100,000-row tracker) stall no one: /healthz
keeps answering while they run, and input beyond a bound is a 413 or 422, never a 500."""

from __future__ import annotations

import asyncio
import io
import time
import zipfile
from collections.abc import AsyncIterator, Awaitable
from typing import Any
from xml.sax.saxutils import escape

import pytest
from httpx import ASGITransport, AsyncClient, Response

from services.api.app import create_app
from services.domain.settings import Settings
from tests.api.test_imports import HEADER
from tests.api.test_versions import new_document, upload
from tests.factories import World

# Each measures how long /healthz waits: with no other test running beside it (tests/conftest.py).
pytestmark = pytest.mark.alone

# Generous: the old code kept /healthz waiting 42.7 s (diff), 5.5 s (import).
HEALTHZ_BOUND_SECONDS = 1.5
# The big tracker measured 0.8 to 2.7 s on the 2-core machine on 2026-12-04, the code of before
# this bound and after alike (a fresh clone's whole suite took 11 minutes that day, 5.4 the day
# before): in this process the test's own client, the ASGI transport, the world and the child's
# hand-over share one interpreter. Under the 5.5 s of old still; behind uvicorn is the right
# place to measure it (tests/bench/heavy.py does), and where this test should move.
BIG_TRACKER_BOUND_SECONDS = 4.0
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def healthz_while(client: AsyncClient, heavy: Awaitable[Response]) -> tuple[Response, float]:
    """Run ``heavy`` while asking /healthz over and over: its answer and the longest wait between
    two /healthz answers (a stalled event loop shows as one long wait)."""
    task = asyncio.ensure_future(heavy)
    longest = 0.0
    last = time.perf_counter()
    while not task.done():
        health = await client.get("/healthz")
        assert health.status_code == 200
        await asyncio.sleep(0.02)
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    return await task, longest


@pytest.fixture
async def roomy_client(settings: Settings) -> AsyncIterator[AsyncClient]:
    """A client of an app taking uploads up to 16 MiB (a 100,000-row tracker)."""
    app = create_app(settings.model_copy(update={"max_upload_bytes": 16 * 1024 * 1024}))
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.redis.aclose()
    await app.state.engine.dispose()


def repetitive_text(paragraphs: int) -> bytes:
    return "".join(
        "The provider keeps the register up to date.\n" for _ in range(paragraphs)
    ).encode()


async def test_a_diff_of_10000_repeated_paragraphs_does_not_stall_healthz(
    client: AsyncClient, world: World
) -> None:
    # The old quadratic SequenceMatcher took 43 s on 20,000 such paragraphs, on the event loop.
    headers = world.a.policy_officer.headers
    doc = await new_document(client, world)
    before = repetitive_text(10_000)
    after = before.replace(b"up to date.\n", b"up to date every week.\n", 1)
    assert (await upload(client, headers, doc["id"], before))[0] == 201
    assert (await upload(client, headers, doc["id"], after))[0] == 201
    diff = client.get(f"/v1/documents/{doc['id']}/versions/0.1/diff/0.2", headers=headers)
    response, longest = await healthz_while(client, diff)
    assert longest < HEALTHZ_BOUND_SECONDS
    assert response.status_code == 200, response.text
    assert response.json()["summary"] == {"added": 0, "removed": 0, "changed": 1}


def zip_package(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
    return buffer.getvalue()


def docx_bomb(unpacked_bytes: int) -> bytes:
    """A docx whose document.xml is ``unpacked_bytes`` of one paragraph repeated (packs ~300:1)."""
    paragraph = b"<w:p><w:r><w:t>Keep the register up to date.</w:t></w:r></w:p>"
    body = paragraph * (unpacked_bytes // len(paragraph))
    document = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body>" + body + b"</w:body></w:document>"
    )
    return zip_package(
        {
            "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://'
            'schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default '
            'Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.'
            'xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
            'document.main+xml"/></Types>',
            "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
            "schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
            '" Target="word/document.xml"/></Relationships>',
            "word/document.xml": document,
        }
    )


async def test_a_docx_bomb_is_refused_as_too_large_without_stalling_healthz(
    client: AsyncClient, world: World
) -> None:
    # The one seen: 357 KB unpacking to 100 MB took 46-59 s and 1 GB of the API's memory.
    bomb = docx_bomb(100 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    doc = await new_document(client, world)
    sent = upload(
        client, world.a.policy_officer.headers, doc["id"], bomb, name="bomb.docx", media_type=DOCX
    )

    async def as_response() -> Response:
        status, problem = await sent
        return Response(status, json=problem)

    response, longest = await healthz_while(client, as_response())
    assert response.status_code == 413
    assert "The Word document" in response.json()["detail"]
    assert longest < HEALTHZ_BOUND_SECONDS


def workbook(rows: list[list[str]]) -> bytes:
    """A minimal XLSX (inline strings), written directly: openpyxl takes seconds for 100,000."""

    def cell(value: str) -> str:
        return f'<c t="inlineStr"><is><t>{escape(value)}</t></is></c>'

    sheet = "".join(f"<row>{''.join(cell(v) for v in row)}</row>" for row in rows)
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package_rel = "http://schemas.openxmlformats.org/package/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return zip_package(
        {
            "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://'
            'schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default '
            f'Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml"'
            f' ContentType="{ct}.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{ct}.worksheet+xml"/></Types>',
            "_rels/.rels": f'<Relationships xmlns="{package_rel}"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet '
            'name="Tracker" sheetId="1" r:id="rId1"/></sheets></workbook>',
            "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{package_rel}"><Relationship '
            f'Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
            "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>{sheet}'
            "</sheetData></worksheet>",
        }
    )


def tracker_rows(count: int) -> list[list[str]]:
    return [HEADER.split(",")] + [
        [f"POL-{n:06d}", f"Policy number {n}", "policy", "Adults", "", "", "", "", ""]
        for n in range(count)
    ]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
async def test_a_big_tracker_dry_run_does_not_stall_healthz(
    roomy_client: AsyncClient, world: World, kind: str
) -> None:
    # The old import read the workbook and checked its rows on the event loop: 5.5 s stalled.
    rows = tracker_rows(30_000 if kind == "xlsx" else 100_000)
    if kind == "xlsx":
        content = workbook(rows)
    else:
        content = "".join(",".join(row) + "\r\n" for row in rows).encode()
    request = roomy_client.build_request(
        "POST",
        "/v1/imports",
        params={"dry_run": "true"},
        files={"file": (f"tracker.{kind}", content, "application/octet-stream")},
        headers=world.a.policy_officer.headers,
    )
    # The test's own client encodes the 16 MiB upload on this event loop too (about a second):
    # done first, so that what is measured is the server.
    request.read()
    response, longest = await healthz_while(roomy_client, roomy_client.send(request))
    assert response.status_code == 200, response.text[:500]
    report: dict[str, Any] = response.json()
    assert report["rows"] == len(rows) - 1
    assert report["problems"] == []
    assert longest < BIG_TRACKER_BOUND_SECONDS

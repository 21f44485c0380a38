"""Where files live: with POLICYGOV_FILE_STORE=s3 a version's bytes are an object in an
S3-compatible store (moto's server here, over HTTP), checked against the recorded sha256 on
every read; PostgreSQL stays the default."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from typing import Any

import docx
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select

from services.api.app import create_app
from services.api.openapi import openapi_schema
from services.domain.models.documents import FileStore, VersionFile
from services.domain.settings import Settings
from tests.api.openapi_support import operation_for
from tests.api.sign_off_support import (
    create_document,
    create_route,
    decide,
    person_stage,
    submit,
    upload_draft,
)
from tests.factories import World
from tests.s3_store import free_port, s3_client


def _docx(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


async def _upload(api: AsyncClient, world: World, document_id: str, content: bytes) -> Any:
    response = await api.post(
        f"/v1/documents/{document_id}/versions",
        files={"file": ("procedure.docx", content, "application/octet-stream")},
        headers=world.a.author.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _row(world: World, version_id: str) -> VersionFile:
    async with world.sessionmaker() as session:
        row = await session.scalar(
            select(VersionFile).where(VersionFile.version_id == uuid.UUID(version_id))
        )
    assert row is not None
    return row


def _object(s3_settings: Settings, world: World, version_id: str) -> bytes:
    key = f"files/{world.a.id}/{version_id}"
    answer = s3_client(str(s3_settings.s3_endpoint_url)).get_object(
        Bucket=s3_settings.s3_bucket, Key=key
    )
    body: bytes = answer["Body"].read()
    return body


async def test_an_upload_is_an_object_in_the_bucket_and_no_bytes_in_postgresql(
    s3_api: AsyncClient, world: World, s3_settings: Settings
) -> None:
    document_id = await create_document(s3_api, world)
    first, second = _docx("Lone workers phone in."), _docx("Lone workers phone in twice.")
    v1 = await _upload(s3_api, world, document_id, first)
    v2 = await _upload(s3_api, world, document_id, second)
    assert _object(s3_settings, world, v1["id"]) == first
    row = await _row(world, v1["id"])
    assert (row.store, row.content) == (FileStore.S3, None)
    assert (await s3_api.get("/readyz")).json()["checks"]["file_store"] == "ok"

    base = f"/v1/documents/{document_id}/versions"
    download = await s3_api.get(f"{base}/{v1['id']}/file", headers=world.a.author.headers)
    assert download.status_code == 200
    assert download.content == first
    assert download.headers["ETag"] == f'"{hashlib.sha256(first).hexdigest()}"'
    diff = await s3_api.get(f"{base}/0.1/diff/0.2", headers=world.a.author.headers)
    assert diff.status_code == 200, diff.text
    assert "twice" in diff.text
    foi = await s3_api.get(
        f"/v1/documents/{document_id}/paper-trail.zip", headers=world.a.policy_officer.headers
    )
    assert foi.status_code == 200, foi.text
    archive = zipfile.ZipFile(io.BytesIO(foi.content))
    stored = sorted(archive.read(n) for n in archive.namelist() if n.endswith(".docx"))
    assert stored == sorted([first, second])
    assert v2["sha256"] == hashlib.sha256(second).hexdigest()


async def test_a_signed_off_draft_is_issued_with_its_file_copied_in_the_s3_store(
    s3_api: AsyncClient, world: World, s3_settings: Settings
) -> None:
    await create_route(s3_api, world, [person_stage("rsm")])
    document_id = await create_document(s3_api, world)
    draft = await upload_draft(s3_api, world, document_id, b"Approved procedure text.")
    submitted = await submit(s3_api, world, document_id, draft["id"])
    assert submitted.status_code == 201, submitted.text
    decided = await decide(s3_api, submitted.json(), world.a.approver.headers)
    assert decided.status_code == 201, decided.text
    issued = await s3_api.get(
        f"/v1/documents/{document_id}/versions/1.0", headers=world.a.reader.headers
    )
    assert _object(s3_settings, world, issued.json()["id"]) == b"Approved procedure text."
    file = await s3_api.get(
        f"/v1/documents/{document_id}/versions/1.0/file", headers=world.a.reader.headers
    )
    assert file.content == b"Approved procedure text."


async def test_a_damaged_or_missing_object_answers_502_file_damaged_never_a_500(
    s3_api: AsyncClient, world: World, s3_settings: Settings
) -> None:
    document_id = await create_document(s3_api, world)
    version = await _upload(s3_api, world, document_id, _docx("Original text."))
    store = s3_client(str(s3_settings.s3_endpoint_url))
    key = f"files/{world.a.id}/{version['id']}"
    store.put_object(Bucket=s3_settings.s3_bucket, Key=key, Body=b"tampered")
    url = f"/v1/documents/{document_id}/versions/{version['id']}/file"
    damaged = await s3_api.get(url, headers=world.a.author.headers)
    assert damaged.status_code == 502
    assert damaged.headers["content-type"] == "application/problem+json"
    assert damaged.json()["type"] == "/problems/file-damaged"
    assert "does not match the hash recorded" in damaged.json()["detail"]
    _, operation = operation_for(openapi_schema(), "get", url)
    assert "application/problem+json" in operation["responses"]["502"]["content"]
    store.delete_object(Bucket=s3_settings.s3_bucket, Key=key)
    missing = await s3_api.get(url, headers=world.a.author.headers)
    assert missing.status_code == 502
    assert "missing from the object store" in missing.json()["detail"]


async def test_an_unreachable_store_answers_503_and_an_upload_then_writes_nothing(
    s3_api: AsyncClient, world: World, s3_settings: Settings
) -> None:
    document_id = await create_document(s3_api, world)
    version = await _upload(s3_api, world, document_id, _docx("Stored while it was up."))
    away = s3_settings.model_copy(
        update={"s3_endpoint_url": f"http://127.0.0.1:{free_port()}", "s3_timeout_seconds": 1.0}
    )
    app = create_app(away)
    try:
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as api:
            base = f"/v1/documents/{document_id}/versions"
            ready = await api.get("/readyz")
            # Reported; the API still serves all but files, as every instance would not.
            assert ready.status_code == 200
            assert ready.json()["checks"]["file_store"] == "down: FileStoreUnavailable"
            read = await api.get(f"{base}/{version['id']}/file", headers=world.a.author.headers)
            assert read.status_code == 503
            assert read.json()["type"] == "/problems/unavailable"
            assert read.json()["title"] == "File store unavailable"
            assert read.headers["Retry-After"]
            upload = await api.post(
                base,
                files={"file": ("procedure.docx", _docx("Lost?"), "application/octet-stream")},
                headers=world.a.author.headers,
            )
            assert upload.status_code == 503, upload.text
    finally:
        await app.state.redis.aclose()
        await app.state.engine.dispose()
    listed = await s3_api.get(
        f"/v1/documents/{document_id}/versions", headers=world.a.author.headers
    )
    assert [v["number"] for v in listed.json()] == ["0.1"]


async def test_the_default_store_keeps_the_bytes_in_postgresql(
    client: AsyncClient, world: World
) -> None:
    document_id = await create_document(client, world)
    version = await _upload(client, world, document_id, _docx("In the database."))
    row = await _row(world, version["id"])
    assert row.store == FileStore.POSTGRES
    assert hashlib.sha256(row.content or b"").hexdigest() == version["sha256"]

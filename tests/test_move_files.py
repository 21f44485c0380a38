"""`policygov move-files` moves version files between PostgreSQL and the S3 store: each copied,
read back and checked against the sha256 recorded at upload before its row is switched and the
old copy goes; a file at fault stays where it was; a second run does nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from httpx import AsyncClient
from sqlalchemy import select, text

from services.domain.documents.files import stores_from
from services.domain.models.documents import FileStore, VersionFile
from services.domain.settings import Settings
from services.ops.files import move_files
from tests.api.sign_off_support import create_document, upload_draft
from tests.factories import World
from tests.s3_store import s3_client


async def _stores(world: World) -> dict[str, FileStore]:
    async with world.sessionmaker() as session:
        rows = await session.execute(select(VersionFile.version_id, VersionFile.store))
    return {str(version_id): store for version_id, store in rows}


def _keys(s3_settings: Settings) -> set[str]:
    listed = s3_client(str(s3_settings.s3_endpoint_url)).list_objects_v2(
        Bucket=s3_settings.s3_bucket, Prefix="files/"
    )
    return {item["Key"] for item in listed.get("Contents", [])}


async def _download(api: AsyncClient, world: World, document_id: str, version_id: str) -> bytes:
    response = await api.get(
        f"/v1/documents/{document_id}/versions/{version_id}/file", headers=world.a.author.headers
    )
    assert response.status_code == 200, response.text
    return response.content


async def test_files_move_to_s3_and_back_verified_and_a_second_run_does_nothing(
    client: AsyncClient, s3_api: AsyncClient, world: World, s3_settings: Settings
) -> None:
    document_id = await create_document(client, world)
    texts = [b"First draft.", b"Second draft, longer."]
    versions = [(await upload_draft(client, world, document_id, t))["id"] for t in texts]
    stores = stores_from(s3_settings)
    lines: list[str] = []

    dry = await move_files(world.sessionmaker, stores, FileStore.S3, dry_run=True, say=lines.append)
    assert (dry.moved, dry.moved_bytes) == (2, sum(map(len, texts)))
    assert set((await _stores(world)).values()) == {FileStore.POSTGRES}

    report = await move_files(world.sessionmaker, stores, FileStore.S3, batch=1)
    assert (report.moved, report.failed) == (2, [])
    assert await _stores(world) == {v: FileStore.S3 for v in versions}
    assert _keys(s3_settings) >= {f"files/{world.a.id}/{v}" for v in versions}
    for version_id, content in zip(versions, texts, strict=True):
        assert await _download(s3_api, world, document_id, version_id) == content
    assert (await move_files(world.sessionmaker, stores, FileStore.S3)).moved == 0

    back = await move_files(world.sessionmaker, stores, FileStore.POSTGRES)
    assert (back.moved, back.failed, back.left_behind) == (2, [], [])
    assert await _stores(world) == {v: FileStore.POSTGRES for v in versions}
    assert not _keys(s3_settings) & {f"files/{world.a.id}/{v}" for v in versions}
    for version_id, content in zip(versions, texts, strict=True):
        assert await _download(client, world, document_id, version_id) == content
    assert (await move_files(world.sessionmaker, stores, FileStore.POSTGRES)).moved == 0
    assert lines == []


async def test_only_the_named_organisations_files_move(
    client: AsyncClient, world: World, s3_settings: Settings
) -> None:
    document_id = await create_document(client, world)
    version = await upload_draft(client, world, document_id)
    stores = stores_from(s3_settings)
    other = await move_files(world.sessionmaker, stores, FileStore.S3, organisation_id=world.b.id)
    assert other.moved == 0
    mine = await move_files(world.sessionmaker, stores, FileStore.S3, organisation_id=world.a.id)
    assert mine.moved == 1
    assert (await _stores(world))[version["id"]] == FileStore.S3


async def test_a_file_whose_bytes_no_longer_match_its_hash_is_not_moved_to_s3(
    client: AsyncClient, world: World, s3_settings: Settings
) -> None:
    document_id = await create_document(client, world)
    good = await upload_draft(client, world, document_id, b"Good.")
    bad = await upload_draft(client, world, document_id, b"Altered later.")
    async with world.sessionmaker() as session, session.begin():
        await session.execute(
            text("UPDATE version_files SET content = 'altered' WHERE version_id = :id"),
            {"id": uuid.UUID(bad["id"])},
        )
    lines: list[str] = []
    report = await move_files(
        world.sessionmaker, stores_from(s3_settings), FileStore.S3, say=lines.append
    )
    assert report.moved == 1
    assert len(report.failed) == 1 and bad["id"] in report.failed[0]
    assert "does not match the sha256 recorded at upload" in lines[0]
    assert await _stores(world) == {good["id"]: FileStore.S3, bad["id"]: FileStore.POSTGRES}
    assert f"files/{world.a.id}/{bad['id']}" not in _keys(s3_settings)


async def test_the_command_stops_a_damaged_object_and_leaves_it_in_s3(
    s3_api: AsyncClient, world: World, s3_settings: Settings
) -> None:
    document_id = await create_document(s3_api, world)
    good = await upload_draft(s3_api, world, document_id, b"Kept whole.")
    damaged = await upload_draft(s3_api, world, document_id, b"To be damaged.")
    key = f"files/{world.a.id}/{damaged['id']}"
    s3_client(str(s3_settings.s3_endpoint_url)).put_object(
        Bucket=s3_settings.s3_bucket, Key=key, Body=b"bit rot"
    )
    env = {
        **os.environ,
        "POLICYGOV_DATABASE_URL": s3_settings.database_url,
        "POLICYGOV_SECRET_KEY": "k",
        "POLICYGOV_S3_BUCKET": str(s3_settings.s3_bucket),
        "POLICYGOV_S3_ENDPOINT_URL": str(s3_settings.s3_endpoint_url),
        "POLICYGOV_S3_PREFIX": "files/",
    }
    command = [sys.executable, "-m", "services.cli", "move-files", "--to", "postgres"]
    result = subprocess.run(
        [*command, "--org", world.a.slug], env=env, capture_output=True, text=True
    )
    assert result.returncode == 1, result.stderr
    assert f"not moved: version 0.2 ({damaged['id']})" in result.stderr
    assert "does not match the sha256 recorded at upload" in result.stderr
    assert "moved 1 file(s)" in result.stdout and "1 not moved" in result.stdout
    assert await _stores(world) == {good["id"]: FileStore.POSTGRES, damaged["id"]: FileStore.S3}
    assert key in _keys(s3_settings)

    unknown = subprocess.run(
        [*command, "--org", "no-such-org"], env=env, capture_output=True, text=True
    )
    assert unknown.returncode == 2
    assert "no-such-org" in unknown.stderr


def test_the_s3_store_without_a_bucket_refuses_to_start_saying_what_to_set() -> None:
    env = {**os.environ, "POLICYGOV_FILE_STORE": "s3", "POLICYGOV_SECRET_KEY": "k"}
    env.pop("POLICYGOV_S3_BUCKET", None)
    for command in (["serve"], ["worker"], ["move-files", "--to", "s3"]):
        result = subprocess.run(
            [sys.executable, "-m", "services.cli", *command],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, (command, result.stderr)
        assert result.stderr.count("\n") == 1, result.stderr  # one line, no traceback
        assert "invalid settings" in result.stderr
        assert "POLICYGOV_FILE_STORE=s3 needs POLICYGOV_S3_BUCKET" in result.stderr


async def test_with_nothing_in_s3_moving_to_postgresql_needs_no_s3_store(
    client: AsyncClient, world: World, settings: Settings
) -> None:
    document_id = await create_document(client, world)
    await upload_draft(client, world, document_id)
    report = await move_files(world.sessionmaker, stores_from(settings), FileStore.POSTGRES)
    assert (report.moved, report.failed, report.stopped) == (0, [], None)

"""`policygov prune-files` deletes the objects no version names (an upload whose transaction
failed after its object was written), once they are older than the grace period; never an
object a row names, nor anything of another shape in a shared bucket."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import timedelta

from httpx import AsyncClient

from services.domain.documents.files import stores_from
from services.domain.settings import Settings
from services.ops.orphan_files import prune_files
from tests.api.sign_off_support import create_document, upload_draft
from tests.factories import World
from tests.s3_store import s3_client


async def test_only_objects_no_version_names_and_older_than_the_grace_go(
    s3_api: AsyncClient, world: World, s3_settings: Settings
) -> None:
    document_id = await create_document(s3_api, world)
    kept = await upload_draft(s3_api, world, document_id, b"Named by its row.")
    store = s3_client(str(s3_settings.s3_endpoint_url))
    bucket = str(s3_settings.s3_bucket)
    stray = f"files/{world.a.id}/{uuid.uuid4()}"
    foreign = "files/notes/readme.txt"
    for key in (stray, foreign):
        store.put_object(Bucket=bucket, Key=key, Body=b"left behind")
    stores = stores_from(s3_settings)

    young = await prune_files(world.sessionmaker, stores, older_than=timedelta(hours=1))
    assert stray not in young.orphans
    dry = await prune_files(world.sessionmaker, stores, older_than=timedelta(0), dry_run=True)
    assert stray in dry.orphans
    assert f"files/{world.a.id}/{kept['id']}" not in dry.orphans
    assert foreign not in dry.orphans
    env = {
        **os.environ,
        "POLICYGOV_DATABASE_URL": s3_settings.database_url,
        "POLICYGOV_S3_BUCKET": bucket,
        "POLICYGOV_S3_ENDPOINT_URL": str(s3_settings.s3_endpoint_url),
        "POLICYGOV_S3_PREFIX": "files/",
    }
    listed = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.cli",
            "prune-files",
            "--older-than-hours",
            "0",
            "--dry-run",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0, listed.stderr
    assert stray in listed.stderr.splitlines()
    assert "would delete" in listed.stdout

    await prune_files(world.sessionmaker, stores, older_than=timedelta(0))
    keys = {item["Key"] for item in store.list_objects_v2(Bucket=bucket)["Contents"]}
    assert stray not in keys
    assert {f"files/{world.a.id}/{kept['id']}", foreign} <= keys
    download = await s3_api.get(
        f"/v1/documents/{document_id}/versions/{kept['id']}/file",
        headers=world.a.author.headers,
    )
    assert download.content == b"Named by its row."

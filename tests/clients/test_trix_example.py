"""examples/trix_upload.py, run as a council would run it from cron, against the live API with
the client generated from the committed spec: it drains the queue, and a second run does
nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from httpx import AsyncClient

from tests.api.sign_off_support import (
    create_document,
    create_route,
    decide,
    person_stage,
    submit,
    upload_draft,
)
from tests.clients.conftest import REPO, Generated
from tests.factories import World

EXAMPLE = REPO / "examples" / "trix_upload.py"
TRIX = "https://example.trixonline.co.uk/chapters"


def run_example(generated: Generated, live_api: str, key: str, folder: Path) -> list[str]:
    ran = subprocess.run(
        [sys.executable, str(EXAMPLE), "--api", live_api, "--folder", str(folder),
         "--trix-base", TRIX],
        env={**os.environ, "POLICYGOV_API_KEY": key, "PYTHONPATH": str(generated.root)},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stderr == ""
    return ran.stdout.splitlines()


async def approved_document(client: AsyncClient, world: World, text: bytes) -> str:
    """A procedure taken through a one-stage sign-off: version 1.0 issued and queued."""
    document_id = await create_document(client, world)
    draft = await upload_draft(client, world, document_id, text)
    submitted = await submit(client, world, document_id, draft["id"])
    assert submitted.status_code == 201, submitted.text
    decided = await decide(client, submitted.json(), world.a.approver.headers)
    assert decided.status_code == 201, decided.text
    return document_id


async def test_the_trix_example_drains_the_queue_and_a_second_run_does_nothing(
    python_client: Generated, live_api: str, client: AsyncClient, world: World, tmp_path: Path
) -> None:
    await create_route(client, world, [person_stage("rsm")])
    first = await approved_document(client, world, b"The allegations procedure.")
    second = await approved_document(client, world, b"The fostering procedure.")
    h = world.a.policy_officer.headers
    references = [
        (await client.get(f"/v1/documents/{d}", headers=h)).json()["reference"]
        for d in (first, second)
    ]
    key = world.a.integration.key

    said = run_example(python_client, live_api, key, tmp_path)
    assert said == [
        *(f"uploaded {r} 1.0 to {TRIX}/{r}" for r in references),
        "done: 2 uploaded, 0 removed",
    ]
    for reference, text in zip(references, (b"allegations", b"fostering"), strict=True):
        files = list((tmp_path / reference).iterdir())
        assert [f.read_bytes() for f in files] == [f"The {text.decode()} procedure.".encode()]
    for document_id, reference in zip((first, second), references, strict=True):
        document = (await client.get(f"/v1/documents/{document_id}", headers=h)).json()
        assert document["trix_url"] == f"{TRIX}/{reference}"

    assert run_example(python_client, live_api, key, tmp_path) == ["nothing to do"]

    # Retiring one queues its page's removal; the next run takes it down, the one after rests.
    current = await client.get(f"/v1/documents/{first}", headers=h)
    retired = await client.patch(
        f"/v1/documents/{first}",
        json={"status": "retired"},
        headers={**h, "If-Match": current.headers["ETag"]},
    )
    assert retired.status_code == 200, retired.text
    said = run_example(python_client, live_api, key, tmp_path)
    assert said == [f"removed {references[0]} (retired)", "done: 0 uploaded, 1 removed"]
    assert not (tmp_path / references[0]).exists()
    assert (tmp_path / references[1]).is_dir()
    assert run_example(python_client, live_api, key, tmp_path) == ["nothing to do"]
    done = (await client.get("/v1/publications?status=done", headers=h)).json()["items"]
    assert len(done) == 3


async def test_the_trix_example_says_why_in_one_line_when_the_key_is_refused(
    python_client: Generated, live_api: str, world: World, tmp_path: Path
) -> None:
    ran = subprocess.run(
        [sys.executable, str(EXAMPLE), "--api", live_api, "--folder", str(tmp_path),
         "--trix-base", TRIX],
        env={**os.environ, "POLICYGOV_API_KEY": world.a.reader.key,
             "PYTHONPATH": str(python_client.root)},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert ran.returncode == 1
    assert ran.stdout == ""
    [line] = ran.stderr.splitlines()
    assert line.startswith("trix_upload: listing the publication queue: 403 ")

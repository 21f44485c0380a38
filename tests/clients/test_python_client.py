"""The Python client that openapi-python-client generates from the committed spec: generated with
no warning and no operation missing, then used as an integrator would against the live API.

Everything below goes through the generated package's typed functions and models; only the
assertions read our own fixtures."""

from __future__ import annotations

import importlib
import io
import json
import os
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.clients.conftest import REPO, SPEC, Generated
from tests.factories import Member, World, document_body

METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}


def spec_operations() -> set[tuple[str, str]]:
    paths: dict[str, dict[str, Any]] = json.loads(SPEC.read_text())["paths"]
    return {(method, path) for path, item in paths.items() for method in item if method in METHODS}


def generated_operations(package: Path) -> set[tuple[str, str]]:
    found = set()
    for module in (package / "api").rglob("*.py"):
        text = module.read_text()
        for method, url in re.findall(r'"method": "(\w+)",\s*"url": "([^"]+)"', text):
            found.add((method, url))
    return found


def test_the_spec_generates_a_python_client_without_a_warning(python_client: Generated) -> None:
    said = [
        line
        for line in python_client.output.splitlines()
        if re.search(r"warn|error|skip|unable|cannot|omitted|not supported", line, re.I)
    ]
    assert said == [], python_client.output


def test_every_operation_in_the_spec_is_in_the_python_client(python_client: Generated) -> None:
    in_spec = spec_operations()
    generated = generated_operations(python_client.root / "policygov_client")
    assert len(in_spec) > 150
    assert in_spec - generated == set()
    assert generated - in_spec == set()


def test_the_python_client_and_the_trix_example_type_check_strictly(
    python_client: Generated,
) -> None:
    """mypy --strict over the generated package and the example written with it. A schema named
    like one of the generator's own types (a consultation `Response`) shadows it and breaks the
    calls at run time; mypy sees it. client.py is the generator's fixed template, the same for
    every spec: its httpx typing is the generator's to fix, so it alone is not checked."""
    config = python_client.root / "mypy.ini"
    config.write_text(
        "[mypy]\nstrict = True\ncache_dir = .mypy_cache\n"
        "[mypy-policygov_client.client]\nignore_errors = True\n"
    )
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(config),
         "policygov_client", str(REPO / "examples" / "trix_upload.py")],
        cwd=python_client.root,
        env={**os.environ, "MYPYPATH": str(python_client.root)},
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_files_come_back_as_bytes(python_client: Generated) -> None:
    """Every download is read from the body's bytes, never decoded as text first."""
    package = python_client.root / "policygov_client" / "api"
    as_text = [m.name for m in package.rglob("*.py") if "BytesIO(response.text)" in m.read_text()]
    assert as_text == []


# -- driving the live API --------------------------------------------------------------------


def api(name: str) -> Any:
    """A generated endpoint module, e.g. api("documents.documents_get_document")."""
    return importlib.import_module(f"policygov_client.api.{name}")


def model(name: str) -> Any:
    return getattr(importlib.import_module("policygov_client.models"), name)


def as_(member: Member, base_url: str) -> Any:
    client_module = importlib.import_module("policygov_client")
    return client_module.AuthenticatedClient(base_url=base_url, token=member.key)


def problem_of(response: Any, status: int) -> Any:
    assert response.status_code == status, response.content
    problem = response.parsed
    assert isinstance(problem, model("Problem")), problem
    assert problem.status == status
    assert problem.type_.startswith("/problems/") or "/problems/" in problem.type_
    return problem


async def create_document(client: Any, **fields: Any) -> Any:
    body = model("DocumentCreate").from_dict(document_body(**fields))
    created = await api("documents.documents_create_document").asyncio_detailed(
        client=client, body=body
    )
    assert created.status_code == 201, created.content
    assert isinstance(created.parsed, model("Document"))
    return created.parsed


async def upload(client: Any, document_id: uuid.UUID, text: bytes) -> Any:
    types = importlib.import_module("policygov_client.types")
    body = model("BodyDocumentsAddVersion")(
        file=types.File(payload=io.BytesIO(text), file_name="draft.md", mime_type="text/markdown")
    )
    uploaded = await api("documents.documents_add_version").asyncio_detailed(
        document_id, client=client, body=body
    )
    assert uploaded.status_code == 201, uploaded.content
    assert isinstance(uploaded.parsed, model("Version"))
    return uploaded.parsed


async def test_the_register_through_the_python_client(
    python_client: Generated, live_api: str, world: World
) -> None:
    officer = as_(world.a.policy_officer, live_api)
    made = [await create_document(officer, title=f"Fostering policy {n}") for n in range(3)]
    made.append(await create_document(officer, title="Medication errors procedure"))

    # List, following the cursor to the end two at a time.
    listing, seen, cursor = api("documents.documents_list_documents"), [], None
    pages = 0
    while True:
        page = await listing.asyncio(client=officer, limit=2, cursor=cursor)
        assert isinstance(page, model("DocumentPage")), page
        seen += [d.id for d in page.items]
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(d.id for d in made)
    assert pages == 2

    # Search.
    found = await listing.asyncio(client=officer, q="medication")
    assert [d.title for d in found.items] == ["Medication errors procedure"]

    # Upload a version: the file goes as a binary multipart part.
    version = await upload(officer, made[0].id, b"# Fostering\n\nThe draft.\n")
    assert version.number == "0.1"
    assert version.media_type == "text/markdown"
    download = await api("documents.documents_download_version").asyncio_detailed(
        made[0].id, version.id, client=officer
    )
    assert download.status_code == 200
    assert download.parsed.payload.read() == b"# Fostering\n\nThe draft.\n"

    # ETag and If-Match: a change with the current tag, then the old tag refused.
    get = api("documents.documents_get_document")
    update = api("documents.documents_update_document")
    current = await get.asyncio_detailed(made[0].id, client=officer)
    etag = current.headers["etag"]
    changed = await update.asyncio_detailed(
        made[0].id,
        client=officer,
        body=model("DocumentUpdate")(title="Fostering policy (revised)"),
        if_match=etag,
    )
    assert changed.status_code == 200, changed.content
    assert changed.parsed.title == "Fostering policy (revised)"
    assert changed.headers["etag"] != etag
    stale = await update.asyncio_detailed(
        made[0].id, client=officer, body=model("DocumentUpdate")(title="Lost update"), if_match=etag
    )
    problem_of(stale, 412)
    unchanged = await get.asyncio(made[0].id, client=officer)
    assert unchanged.title == "Fostering policy (revised)"

    # A typed problem: another organisation's document does not exist for us.
    theirs = await get.asyncio_detailed(made[0].id, client=as_(world.b.policy_officer, live_api))
    assert problem_of(theirs, 404).title


async def test_a_consultation_and_a_sign_off_through_the_python_client(
    python_client: Generated, live_api: str, world: World
) -> None:
    officer = as_(world.a.policy_officer, live_api)
    author = as_(world.a.author, live_api)
    approver = as_(world.a.approver, live_api)
    route = await api("routes.routes_create_route").asyncio_detailed(
        client=officer,
        body=model("RouteCreate").from_dict(
            {
                "key": "default",
                "name": "Default",
                "definition": {
                    "stages": [
                        {
                            "key": "rsm",
                            "name": "Registered Service Manager",
                            "decider": {"kind": "document_role", "role": "owner"},
                        }
                    ]
                },
            }
        ),
    )
    assert route.status_code == 201, route.content
    people = {
        "kind": "procedure",
        "owner_id": str(world.a.approver.person_id),
        "author_id": str(world.a.author.person_id),
        "responsible_officer_id": str(world.a.author.person_id),
    }

    # Open a consultation on one draft.
    consulted = await create_document(officer, **people)
    draft = await upload(author, consulted.id, b"Consult on this.")
    closes = datetime.now(UTC) + timedelta(days=14)
    opened = await api("consultations.consultations_open_consultation").asyncio_detailed(
        client=author,
        body=model("ConsultationCreate").from_dict(
            {
                "document_id": str(consulted.id),
                "version_id": str(draft.id),
                "kind": "internal",
                "audience": {"people": [str(world.a.reader.person_id)]},
                "closes_at": closes.isoformat(),
            }
        ),
    )
    assert opened.status_code == 201, opened.content
    assert opened.parsed.status.value == "open"
    assert "etag" in opened.headers
    reader = as_(world.a.reader, live_api)
    said = await api("consultations.consultations_respond").asyncio_detailed(
        opened.parsed.id,
        client=reader,
        body=model("ResponseBody").from_dict({"position": "support", "comments": "Clear."}),
    )
    assert said.status_code == 201, said.content
    assert isinstance(said.parsed, model("ConsultationResponse"))
    assert said.parsed.position.value == "support"

    # Submit another for sign-off and decide its one stage.
    signed = await create_document(officer, **people)
    draft = await upload(author, signed.id, b"Sign this off.")
    submitted = await api("sign_off.sign_off_submit_for_sign_off").asyncio_detailed(
        client=author,
        body=model("SignOffCreate").from_dict(
            {"document_id": str(signed.id), "version_id": str(draft.id)}
        ),
    )
    assert submitted.status_code == 201, submitted.content
    sign_off = submitted.parsed
    assert [s.status.value for s in sign_off.stages] == ["active"]

    decide = api("sign_off.sign_off_record_decision")
    decision = model("SignOffDecisionCreate").from_dict(
        {"version_id": str(sign_off.version_id), "outcome": "approved"}
    )
    refused = await decide.asyncio_detailed(sign_off.id, client=author, body=decision)
    assert refused.status_code == 403, refused.content
    decided = await decide.asyncio_detailed(sign_off.id, client=approver, body=decision)
    assert decided.status_code == 201, decided.content
    assert decided.parsed.status.value == "completed"
    issued = await api("documents.documents_get_document").asyncio(signed.id, client=officer)
    assert issued.issued_version == "1.0"


@pytest.fixture(autouse=True)
def _fresh_imports(python_client: Generated) -> None:
    """The generated package is importable from its root (the fixture put it on sys.path)."""
    importlib.invalidate_caches()

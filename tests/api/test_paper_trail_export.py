"""The FOI export (`GET /v1/documents/{id}/paper-trail.zip`): everything about a document in one
zip, each file checked against the manifest, and the audit chain's verification in it."""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import os
import re
import tracemalloc
import uuid
import zipfile
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select, text

from services.domain.authz.principal import Principal
from services.domain.models.audit import AuditRecord
from services.domain.models.documents import Document, DocumentVersion, VersionFile
from services.domain.settings import Settings
from services.domain.timeline.paper_trail import export_paper_trail
from tests.api.boards_support import create_document_with_draft
from tests.api.timeline_support import (
    add_version,
    closed_consultation_story,
    relay,
    timeline,
)
from tests.factories import World

URL = "/v1/documents/{}/paper-trail.zip"
# What a consultee may type: the printable pages must show it, never run it.
HOSTILE = 'Name the LADO. <script>alert("x")</script>'
# The fields an audit record's hash covers, as audit.json's how_to_check describes them.
HASHED = (
    "seq",
    "organisation_id",
    "occurred_at",
    "actor_person_id",
    "actor_api_key_id",
    "actor_label",
    "action",
    "entity_type",
    "entity_id",
    "before",
    "after",
    "prev_hash",
)


async def export(client: AsyncClient, document_id: str, headers: dict[str, str]) -> Response:
    return await client.get(URL.format(document_id), headers=headers)


def opened(response: Response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.text
    return zipfile.ZipFile(io.BytesIO(response.content))


def read_json(archive: zipfile.ZipFile, name: str) -> Any:
    return json.loads(archive.read(name))


def content_security_policy(page: str) -> str:
    """The policy the page's own meta element sets (it applies when opened from a file)."""
    found = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    assert found is not None
    return html.unescape(found.group(1))


def rehash(record: dict[str, Any]) -> str:
    """A record's hash, recomputed by someone holding only the export."""
    fields = {key: record[key] for key in HASHED}
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def document_with_history(client: AsyncClient, world: World) -> dict[str, Any]:
    """Two drafts, a consultation closed with a response, deemed agreement and a late response,
    the issue as 1.0 and the emails the notifier made of it all."""
    document_id, first = await create_document_with_draft(client, world)
    second = await add_version(
        client, world.a.author.headers, document_id, "After consultation", issued=False
    )
    cid = await closed_consultation_story(client, world, document_id, first, comment=HOSTILE)
    issued = await add_version(
        client, world.a.policy_officer.headers, document_id, "First issue", issued=True
    )
    await relay(world)
    return {"id": document_id, "versions": [first, second, issued], "consultation_id": cid}


async def test_the_policy_team_exports_everything_about_a_document_in_one_checked_zip(
    client: AsyncClient, world: World
) -> None:
    story = await document_with_history(client, world)
    document_id, cid = story["id"], story["consultation_id"]
    entries_before = await timeline(client, world, document_id)

    response = await export(client, document_id, world.a.policy_officer.headers)

    archive = opened(response)
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="PROC-1-paper-trail-'
    )
    assert int(response.headers["content-length"]) == len(response.content)
    body_sha = hashlib.sha256(response.content).digest()
    assert response.headers["repr-digest"] == f"sha-256=:{base64.b64encode(body_sha).decode()}:"
    reports = [f"consultations/{cid}/report.{ext}" for ext in ("json", "csv", "html")]
    assert sorted(archive.namelist()) == sorted(
        [
            "timeline.json",
            "timeline.html",
            "versions/0.1_draft.txt",
            "versions/0.2_v.md",
            "versions/1.0_v.md",
            *reports,
            "audit.json",
            "manifest.json",
            "SHA256SUMS",
        ]
    )

    # The manifest lists every other file with its SHA-256 and size; each one checks out.
    manifest = read_json(archive, "manifest.json")
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(archive.namelist()) - {"manifest.json", "SHA256SUMS"}
    for path, entry in listed.items():
        content = archive.read(path)
        assert hashlib.sha256(content).hexdigest() == entry["sha256"], path
        assert len(content) == entry["bytes"], path
        assert entry["description"], path
    sums = archive.read("SHA256SUMS").decode().splitlines()
    assert sums == [f"{listed[p]['sha256']}  {p}" for p in (f["path"] for f in manifest["files"])]
    assert manifest["document"]["id"] == document_id
    assert manifest["document"]["reference"] == "PROC-1"
    assert manifest["produced_by"]["person_id"] == str(world.a.policy_officer.person_id)
    assert manifest["produced_by"]["name"] == "Policy Officer of alpha"
    assert manifest["produced_at"].endswith("+00:00")
    assert manifest["audit_verification"]["result"] == "intact"

    # Every version's file, drafts included, byte for byte.
    assert archive.read("versions/0.1_draft.txt") == b"Draft procedure text."
    assert archive.read("versions/0.2_v.md") == b"# After consultation"
    assert archive.read("versions/1.0_v.md") == b"# First issue"

    # The timeline as data is the API's timeline, with who produced it and when.
    timeline_json = read_json(archive, "timeline.json")
    assert timeline_json["document_id"] == document_id
    assert [e["type"] for e in timeline_json["entries"]] == [e["type"] for e in entries_before]
    assert [e["summary"] for e in timeline_json["entries"]] == [
        e["summary"] for e in entries_before
    ]
    assert "notification.email" in {e["type"] for e in timeline_json["entries"]}

    # The printable page: self-contained, nothing in it can run, what people typed escaped.
    page = archive.read("timeline.html").decode()
    assert content_security_policy(page) == (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
    )
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert 'href="versions/0.2_v.md"' in page
    assert f'href="consultations/{cid}/report.html"' in page
    assert "the audit chain is intact" in page
    assert "Policy Officer of alpha" in page

    # The consultation report in all three forms (Cafcass 4.7).
    report = read_json(archive, f"consultations/{cid}/report.json")
    assert report["consultation_id"] == cid
    assert report["counts"]["responded"] == 2
    assert report["counts"]["late"] == 1
    assert [r["comments"] for r in report["responses"] if r["position"] == "object"] == [HOSTILE]
    csv_text = archive.read(f"consultations/{cid}/report.csv").decode("utf-8")
    assert csv_text.startswith("\ufeffConsultee,Email,")
    assert "Pat Partner" in csv_text and "Approver of alpha" in csv_text
    report_page = archive.read(f"consultations/{cid}/report.html").decode()
    assert content_security_policy(report_page).startswith("default-src 'none';")
    assert "<script>" not in report_page

    # audit.json: every record about the document and its records, each hash re-checkable.
    audit_json = read_json(archive, "audit.json")
    verification = audit_json["verification"]
    assert (verification["result"], verification["is_intact"]) == ("intact", True)
    assert verification["chain"]["is_intact"] is True
    records = audit_json["records"]
    assert verification["records_exported"] == len(records)
    assert [r["seq"] for r in records] == sorted(r["seq"] for r in records)
    actions = {r["action"] for r in records}
    assert {
        "document.created",
        "document.version_added",
        "consultation.created",
        "consultation.opened",
        "consultation.closed",
        "consultation_response.recorded",
    } <= actions
    assert {r["entity_id"] for r in records if r["entity_type"] == "consultation"} == {cid}
    for record in records:
        assert rehash(record) == record["hash"], record["seq"]
        assert record["hash_ok"] is True
    assert verification["chain"]["records_checked"] >= len(records)
    assert any(
        "policygov verify-audit --org alpha" in line for line in verification["how_to_check"]
    )

    # The export itself is kept in the audit log, with the SHA-256 of what was handed over.
    kept = await client.get(
        f"/v1/audit?entity_type=document&entity_id={document_id}",
        headers=world.a.admin.headers,
    )
    last = kept.json()["items"][-1]
    assert last["action"] == "document.paper_trail_exported"
    assert last["actor_person_id"] == str(world.a.policy_officer.person_id)
    assert last["after"]["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert last["after"]["bytes"] == len(response.content)
    assert (
        last["after"]["manifest_sha256"]
        == hashlib.sha256(archive.read("manifest.json")).hexdigest()
    )
    assert last["after"]["audit_chain_intact"] is True
    after = await timeline(client, world, document_id)
    assert after[-1]["type"] == "paper_trail.exported"
    assert after[-1]["actor_name"] == "Policy Officer of alpha"


async def test_only_admins_and_policy_officers_export_the_paper_trail(
    client: AsyncClient, world: World
) -> None:
    document_id, _ = await create_document_with_draft(client, world)
    # The author is named on the document and reads its timeline, but the export is the
    # policy team's: it holds every consultee's response and every email.
    for role in ("author", "approver", "reader", "integration"):
        refused = await export(client, document_id, getattr(world.a, role).headers)
        assert refused.status_code == 403, (role, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["permission"] == "audit:read"
    assert (await export(client, document_id, world.a.admin.headers)).status_code == 200
    other = await export(client, document_id, world.b.admin.headers)
    assert other.status_code == 404
    unknown = await export(client, str(uuid.uuid4()), world.a.admin.headers)
    assert (unknown.status_code, unknown.json()) == (
        404,
        {**other.json(), "instance": unknown.json()["instance"]},
    )
    async with world.sessionmaker() as session:
        exports = await session.execute(
            select(AuditRecord.actor_label).where(
                AuditRecord.action == "document.paper_trail_exported"
            )
        )
        assert [label.split(" ")[0] for label in exports.scalars()] == ["admin@alpha.example.org"]


async def test_a_tampered_audit_record_makes_the_export_say_the_chain_is_broken(
    client: AsyncClient, world: World
) -> None:
    document_id, _ = await create_document_with_draft(client, world)
    intact = read_json(
        opened(await export(client, document_id, world.a.admin.headers)), "audit.json"
    )
    assert intact["verification"]["result"] == "intact"
    # Someone with database access rewrites who uploaded the first draft.
    async with world.sessionmaker() as session, session.begin():
        record = (
            await session.execute(
                select(AuditRecord).where(
                    AuditRecord.entity_id == uuid.UUID(document_id),
                    AuditRecord.action == "document.version_added",
                )
            )
        ).scalar_one()
        seq = record.seq
        # Only a superuser can bypass the append-only trigger like this: the attack we detect.
        await session.execute(text("SET LOCAL session_replication_role = replica"))
        await session.execute(
            text(
                "UPDATE audit_records SET actor_label = 'someone-else@alpha.example.org' "
                "WHERE id = :id"
            ),
            {"id": record.id},
        )

    archive = opened(await export(client, document_id, world.a.admin.headers))

    audit_json = read_json(archive, "audit.json")
    verification = audit_json["verification"]
    assert (verification["result"], verification["is_intact"]) == ("broken", False)
    assert verification["mismatched_seqs"] == [seq]
    assert verification["chain"]["is_intact"] is False
    assert verification["chain"]["first_broken_seq"] == seq
    assert verification["chain"]["reason"] == "content does not match its hash"
    tampered = next(r for r in audit_json["records"] if r["seq"] == seq)
    assert tampered["hash_ok"] is False
    assert rehash(tampered) != tampered["hash"]
    assert read_json(archive, "manifest.json")["audit_verification"]["result"] == "broken"
    assert "the audit chain is BROKEN" in archive.read("timeline.html").decode()


async def test_an_export_larger_than_the_limit_is_refused_before_anything_is_built(
    client: AsyncClient, world: World, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    document_id, _ = await create_document_with_draft(client, world)
    await add_version(client, world.a.author.headers, document_id, "Second draft", issued=False)
    monkeypatch.setattr(settings, "paper_trail_max_bytes", 30)

    refused = await export(client, document_id, world.a.policy_officer.headers)

    assert refused.status_code == 413, refused.text
    problem = refused.json()
    assert refused.headers["content-type"] == "application/problem+json"
    assert problem["limit_bytes"] == 30
    assert problem["versions_bytes"] == len(b"Draft procedure text.") + len(b"# Second draft")
    assert "POLICYGOV_PAPER_TRAIL_MAX_BYTES" in problem["detail"]
    async with world.sessionmaker() as session:
        recorded = await session.execute(
            select(AuditRecord.id).where(AuditRecord.action == "document.paper_trail_exported")
        )
        assert recorded.first() is None


async def test_an_export_of_many_large_versions_holds_one_version_in_memory_at_a_time(
    client: AsyncClient, world: World
) -> None:
    document_id, _ = await create_document_with_draft(client, world)
    megabyte, count = 1024 * 1024, 16
    async with world.sessionmaker() as session, session.begin():
        for minor in range(2, 2 + count):
            version = DocumentVersion(
                organisation_id=world.a.id,
                document_id=uuid.UUID(document_id),
                major=0,
                minor=minor,
                filename="scan.pdf",
                media_type="application/pdf",
                size_bytes=megabyte,
                sha256="0" * 64,
                uploaded_by_id=world.a.author.person_id,
            )
            session.add(version)
            await session.flush()
            session.add(
                VersionFile(
                    organisation_id=world.a.id,
                    version_id=version.id,
                    content=os.urandom(megabyte),
                )
            )
    principal = Principal(
        organisation_id=world.a.id,
        person_id=world.a.policy_officer.person_id,
        roles=frozenset({"policy_officer"}),
        label="policy_officer@alpha.example.org",
    )

    tracemalloc.start()
    try:
        async with world.sessionmaker() as session, session.begin():
            document = await session.get(Document, uuid.UUID(document_id))
            assert document is not None
            built = await export_paper_trail(session, principal, document, max_bytes=100 * megabyte)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # Sixteen megabytes of files went through; memory held a few megabytes at most (one
    # version's file, as the driver read it and as it was written), however many versions.
    assert built.size > count * megabyte
    assert peak < count * megabyte / 2, peak
    with built.file, zipfile.ZipFile(built.file) as archive:
        assert len([n for n in archive.namelist() if n.startswith("versions/")]) == count + 1
        assert archive.testzip() is None

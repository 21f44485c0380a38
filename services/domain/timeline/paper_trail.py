"""The Freedom of Information export of a document's paper trail: one zip with everything.

Cafcass 4.14: "an electronic paper trail should be kept in case of requests for access, or a
Freedom of Information Request ... and should include evidence of consultation and sign off".
DOMAIN.md: the organisation must answer an FOI request with the complete paper trail of a
document (who saw what version when, who was consulted, what they said, who signed off).

The zip holds ``timeline.json`` and a printable ``timeline.html``; ``versions/<number>_<file>``
for every version, drafts included; ``consultations/<id>/report.{json,csv,html}``; ``audit.json``,
every audit record about the document and the records that belong to it, with a verification of
the organisation's hash chain and how to check it again; and ``manifest.json`` (what is in it,
the SHA-256 of each file, when and by whom it was produced) with ``SHA256SUMS``.

It is built off the event loop (zip writing, hashing and rendering run in a worker thread) into
a temporary file, one version's file in memory at a time; a document whose versions come to more
than ``paper_trail_max_bytes`` is refused before anything is read. The export is itself recorded
in the audit log, with the zip's SHA-256.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import documents as authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.consultations import report as reports
from services.domain.documents import files
from services.domain.errors import PayloadTooLarge
from services.domain.models.audit import AuditRecord
from services.domain.models.documents import Document, DocumentLink, DocumentVersion
from services.domain.models.organisations import Organisation
from services.domain.models.people import Person
from services.domain.timeline.builder import TimelineEntry
from services.domain.timeline.paper_trail_files import (
    EXPORTED,
    Facts,
    add_rendered,
    manifest_of,
    report_base,
    report_files,
    sums,
    timeline_html,
    timeline_json,
)
from services.domain.timeline.paper_trail_zip import (
    Archive,
    safe_filename,
    sha256,
    to_json,
)
from services.domain.timeline.records import TimelineRows
from services.domain.timeline.rows import load_rows
from services.domain.timeline.service import Audience, build_timeline


@dataclass
class PaperTrailExport:
    """The finished zip: an anonymous temporary file, read from the start, deleted on close."""

    file: IO[bytes]
    filename: str
    size: int
    sha256: str


def _filename(reference: str, produced_at: datetime) -> str:
    stem = safe_filename(reference).replace(" ", "-") or "document"
    return f"{stem}-paper-trail-{produced_at:%Y%m%d-%H%M%S}.zip"


def _version_path(version: DocumentVersion) -> str:
    return f"versions/{version.number}_{safe_filename(version.filename)}"


async def _facts(
    session: AsyncSession, principal: Principal, document: Document, produced_at: datetime
) -> Facts:
    organisation = await session.get(Organisation, document.organisation_id)
    person = await session.get(Person, principal.person_id) if principal.person_id else None
    return Facts(
        organisation_id=document.organisation_id,
        organisation_slug=organisation.slug if organisation is not None else "",
        document={
            "id": document.id,
            "reference": document.reference,
            "title": document.title,
            "kind": document.kind,
            "status": document.status,
            "issued_version": document.issued_version,
            "latest_version": document.latest_version,
        },
        produced_at=produced_at,
        produced_by={
            "person_id": principal.person_id,
            "name": person.name if person is not None else None,
            "label": principal.label,
            "api_key_id": principal.api_key_id,
            "roles": sorted(principal.roles),
        },
    )


def _entity_ids(rows: TimelineRows, link_ids: Sequence[uuid.UUID]) -> dict[str, set[uuid.UUID]]:
    """The records that belong to the document, by the entity type their audit records use."""
    document_id = rows.document_id
    assert document_id is not None
    return {
        "document": {document_id},
        "document_link": set(link_ids),
        "proposal": {p.id for p in rows.proposals},
        "equality_assessment": {a.id for a in rows.assessments},
        "legal_review": {r.id for r in rows.legal_reviews},
        "fitness_check": {c.id for c in rows.fitness_checks},
        # Meeting decisions are recorded against their agenda item.
        "agenda_item": set(rows.items),
        "sign_off": set(rows.sign_offs),
        "publication": {p.id for p in rows.publications},
        "consultation": set(rows.consultations),
        "consultation_response": {r.id for r in rows.responses},
        "review": set(rows.reviews),
        "update_cycle_item": {i.id for i, _ in rows.update_items},
    }


async def _audit_records(
    session: AsyncSession, organisation_id: uuid.UUID, ids: dict[str, set[uuid.UUID]]
) -> list[AuditRecord]:
    """Every audit record about the document and its records, in chain order: one query."""
    wanted = [
        and_(AuditRecord.entity_type == entity_type, AuditRecord.entity_id.in_(found))
        for entity_type, found in ids.items()
        if found
    ]
    rows = await session.execute(
        select(AuditRecord)
        .where(AuditRecord.organisation_id == organisation_id, or_(*wanted))
        .order_by(AuditRecord.seq)
    )
    return list(rows.scalars())


def _audit_document(
    facts: Facts, records: Sequence[AuditRecord], verdict: audit.ChainVerdict
) -> dict[str, Any]:
    """audit.json: the records as their hash covers them, each re-checked, and the verdict."""
    exported = []
    mismatched = []
    for record in records:
        fields = audit.hashed_fields(record)
        matches = audit.hash_of(fields) == record.hash
        if not matches:
            mismatched.append(record.seq)
        exported.append({"id": str(record.id), **fields, "hash": record.hash, "hash_ok": matches})
    intact = verdict.is_intact and not mismatched
    slug = facts.organisation_slug or "<organisation>"
    return {
        "document_id": facts.document["id"],
        "organisation_id": facts.organisation_id,
        "verification": {
            "result": "intact" if intact else "broken",
            "is_intact": intact,
            "checked_at": facts.produced_at,
            "records_exported": len(records),
            "records_whose_hash_matches": len(records) - len(mismatched),
            "mismatched_seqs": mismatched,
            "chain": {
                "is_intact": verdict.is_intact,
                "records_checked": verdict.records_checked,
                "first_broken_seq": verdict.first_broken_seq,
                "reason": verdict.reason,
            },
            "how_to_check": [
                "Each record's hash is the SHA-256 (hex) of the UTF-8 JSON object of its "
                "fields seq, organisation_id, occurred_at, actor_person_id, actor_api_key_id, "
                "actor_label, action, entity_type, entity_id, before, after and prev_hash, "
                "exactly as given below, with the keys sorted, no spaces (separators ',' and "
                "':') and non-ASCII characters written as themselves. In Python: "
                "hashlib.sha256(json.dumps({k: r[k] for k in FIELDS}, sort_keys=True, "
                "separators=(',', ':'), ensure_ascii=False).encode()).hexdigest() == r['hash'].",
                "The records are links of the organisation's single chain: each record's "
                "prev_hash is the hash of the record numbered seq - 1, and the first record's "
                "prev_hash is 64 zeros. 'chain' above is the check of the whole chain, from its "
                "first record to its newest, when this export was produced.",
                f"To check the whole chain again: `policygov verify-audit --org {slug}` on the "
                "server, or GET /v1/audit/verification (admins).",
            ],
        },
        "records": exported,
    }


def _too_large(versions: Sequence[DocumentVersion], limit: int) -> None:
    total = sum(v.size_bytes for v in versions)
    if total > limit:
        raise PayloadTooLarge(
            f"The files of this document's {len(versions)} versions come to {total:,} bytes, "
            f"more than the {limit:,} bytes an export may hold (POLICYGOV_PAPER_TRAIL_MAX_BYTES). "
            "Ask an administrator to raise the limit, or download the versions one by one "
            "(GET /v1/documents/{id}/versions/{number}/file) beside the timeline.",
            versions_bytes=total,
            limit_bytes=limit,
        )


async def export_paper_trail(
    session: AsyncSession, principal: Principal, document: Document, *, max_bytes: int
) -> PaperTrailExport:
    """Build the FOI zip of ``document`` (see the module's docstring) and record the export.

    Raises Forbidden outside the policy team and PayloadTooLarge above ``max_bytes`` of files.
    """
    authz.check_export_paper_trail(principal)
    produced_at = utcnow()
    facts = await _facts(session, principal, document, produced_at)
    rows = await load_rows(session, document, with_notifications=True)
    versions = sorted(rows.versions.values(), key=lambda v: (v.major, v.minor))
    _too_large(versions, max_bytes)
    entries = build_timeline(rows, Audience(sees_consultees=True, sees_notifications=True))
    built = [await reports.build_report(session, c) for c in rows.consultations.values()]
    link_ids = (
        await session.execute(
            select(DocumentLink.id).where(
                DocumentLink.organisation_id == facts.organisation_id,
                or_(DocumentLink.source_id == document.id, DocumentLink.target_id == document.id),
            )
        )
    ).scalars()
    records = await _audit_records(
        session, facts.organisation_id, _entity_ids(rows, list(link_ids))
    )
    # Last of the reads: it walks the whole chain and clears the session's identity map.
    verdict = await audit.verify_chain(session, facts.organisation_id)
    audit_json = await asyncio.to_thread(_audit_document, facts, records, verdict)

    archive = await asyncio.to_thread(Archive, produced_at)
    try:
        manifest = await _write(session, archive, facts, entries, versions, built, audit_json)
        filename = _filename(str(facts.document["reference"]), produced_at)
        # The document as read before the chain's walk detached it: its id and organisation.
        await audit_changes.record_change(
            session,
            principal,
            document,
            EXPORTED,
            after={
                "filename": filename,
                "bytes": archive.size,
                "sha256": archive.sha256,
                "manifest_sha256": sha256(manifest),
                "files": len(archive.members) + 2,
                "versions": len(versions),
                "consultation_reports": len(built),
                "audit_records": len(records),
                "audit_chain_intact": audit_json["verification"]["is_intact"],
            },
        )
    except BaseException:
        # Closing deletes the temporary file; quick enough to do even when cancelled.
        archive.discard()
        raise
    return PaperTrailExport(archive.file, filename, archive.size, archive.sha256)


async def _write(
    session: AsyncSession,
    archive: Archive,
    facts: Facts,
    entries: Sequence[TimelineEntry],
    versions: Sequence[DocumentVersion],
    built: Sequence[reports.ConsultationReport],
    audit_json: dict[str, Any],
) -> bytes:
    """Write every file into ``archive`` and finish it; the manifest's bytes."""
    version_paths = {v.id: _version_path(v) for v in versions}
    report_paths = {r.consultation_id: report_base(r) + ".html" for r in built}
    verification: dict[str, Any] = audit_json["verification"]
    await asyncio.to_thread(
        lambda: archive.add(
            "timeline.json",
            timeline_json(facts, entries),
            "the timeline: every event about the document, oldest first, as data",
        )
    )
    await asyncio.to_thread(
        lambda: archive.add(
            "timeline.html",
            timeline_html(facts, entries, version_paths, report_paths, verification),
            "the timeline as a page to read or print",
        )
    )
    for version in versions:
        # One version's file in memory at a time.
        content = await files.load_file(session, version)
        state = "issued" if version.is_issued else "draft"
        await asyncio.to_thread(
            archive.add,
            version_paths[version.id],
            content,
            f"version {version.number} ({state}) as uploaded, {version.media_type}",
        )
        del content
    for report in built:
        for path, render, description in report_files(report):
            await asyncio.to_thread(add_rendered, archive, path, render, description)
    await asyncio.to_thread(
        lambda: archive.add(
            "audit.json",
            to_json(audit_json),
            "every audit record about the document and its records, with the verification "
            "of the organisation's hash chain",
        )
    )
    manifest = await asyncio.to_thread(manifest_of, facts, archive, verification)
    await asyncio.to_thread(archive.add_unlisted, "manifest.json", manifest)
    await asyncio.to_thread(lambda: archive.add_unlisted("SHA256SUMS", sums(archive)))
    await asyncio.to_thread(archive.finish)
    return manifest

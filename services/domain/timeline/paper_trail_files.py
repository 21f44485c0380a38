"""The files of a paper trail's zip beside the versions: the timeline as data and as a page to
print, each consultation's report, the manifest of everything in the zip and its SHA256SUMS.

Rendering and hashing run in a worker thread (services/domain/timeline/paper_trail.py), each
from the facts read once up front.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.domain.consultations import report as reports
from services.domain.consultations import report_formats
from services.domain.timeline.builder import TimelineEntry
from services.domain.timeline.paper_trail_zip import Archive, render_html, to_json

EXPORTED = "document.paper_trail_exported"
FORMAT = "policygov paper trail, version 1"
# The printable page is opened from a folder on someone's disk: nothing in it may load or run
# anything (the consultation report's policy; frame-ancestors has no effect in a meta tag).
HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
HOW_TO_CHECK_FILES = (
    "Each file's SHA-256 is listed in manifest.json and, in the format of sha256sum, in "
    "SHA256SUMS: run `sha256sum -c SHA256SUMS` in the unzipped folder. The export's own "
    "SHA-256 (of the whole zip) is kept in the organisation's audit log, action "
    f"{EXPORTED}."
)


@dataclass(frozen=True)
class Facts:
    """What the export says about the document and who produced it, read once up front."""

    organisation_id: uuid.UUID
    organisation_slug: str
    document: dict[str, Any]
    produced_at: datetime
    produced_by: dict[str, Any]


def report_base(report: reports.ConsultationReport) -> str:
    return f"consultations/{report.consultation_id}/report"


def add_rendered(
    archive: Archive, path: str, render: Callable[[], bytes], description: str
) -> None:
    archive.add(path, render(), description)


def report_files(
    report: reports.ConsultationReport,
) -> list[tuple[str, Callable[[], bytes], str]]:
    base = report_base(report)
    what = f'the report of the consultation "{report.title}" (Cafcass 4.7)'
    return [
        (f"{base}.json", lambda: to_json(report), f"{what}, as data"),
        # The byte order mark makes Excel read the file as UTF-8, as the API's CSV does.
        (
            f"{base}.csv",
            lambda: ("\ufeff" + report_formats.report_csv(report)).encode(),
            f"{what}, one row per consultee",
        ),
        (
            f"{base}.html",
            lambda: report_formats.report_html(report).encode(),
            f"{what}, printable",
        ),
    ]


def timeline_json(facts: Facts, entries: Sequence[TimelineEntry]) -> bytes:
    return to_json(
        {
            "document_id": facts.document["id"],
            "reference": facts.document["reference"],
            "title": facts.document["title"],
            "produced_at": facts.produced_at,
            "entries": [dataclasses.asdict(e) for e in entries],
        }
    )


def timeline_html(
    facts: Facts,
    entries: Sequence[TimelineEntry],
    version_paths: dict[uuid.UUID, str],
    report_paths: dict[uuid.UUID, str],
    verification: dict[str, Any],
) -> bytes:
    return render_html(
        "paper_trail.html.j2",
        policy=HTML_POLICY,
        facts=facts,
        entries=entries,
        version_paths=version_paths,
        report_paths=report_paths,
        verification=verification,
    )


def manifest_of(facts: Facts, archive: Archive, verification: dict[str, Any]) -> bytes:
    return to_json(
        {
            "format": FORMAT,
            "purpose": "The paper trail of one document, for a Freedom of Information request.",
            "document": facts.document,
            "organisation_id": facts.organisation_id,
            "produced_at": facts.produced_at,
            "produced_by": facts.produced_by,
            "audit_verification": {
                "result": verification["result"],
                "records_exported": verification["records_exported"],
                "chain_records_checked": verification["chain"]["records_checked"],
            },
            "files": [dataclasses.asdict(m) for m in archive.members],
            "how_to_check": HOW_TO_CHECK_FILES,
        }
    )


def sums(archive: Archive) -> bytes:
    return "".join(f"{m.sha256}  {m.path}\n" for m in archive.members).encode()

"""Rows of the register (documents, versions, files), generated in deterministic batches.

Pure functions of (seed, batch): a worker process builds one batch while the main process copies
the previous one into PostgreSQL. Rows are dicts keyed by column name; the loader copies the
columns the table has, so a new nullable column does not break the benchmark.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from tests.bench.corpus import ALL_TOPICS, QUALIFIERS, TAGS_EXTRA, Writer, render

# Shares observed in real registers: many procedures and forms, few frameworks and strategies.
KINDS = (
    ("policy", "Policy", "POL", 20),
    ("procedure", "Procedure", "PROC", 30),
    ("practice_standard", "Practice Standard", "PS", 7),
    ("practice_guidance", "Practice Guidance", "PG", 15),
    ("form", "Form", "FORM", 16),
    ("strategy", "Strategy", "STR", 4),
    ("policy_framework", "Policy Framework", "PF", 3),
    ("protocol", "Protocol", "PROT", 5),
)
STATUSES = (
    ("draft", 14),
    ("in_consultation", 4),
    ("awaiting_approval", 3),
    ("approved", 2),
    ("published", 50),
    ("under_review", 12),
    ("superseded", 10),
    ("retired", 5),
)
# Version histories (major, minor) per status; the last entry is the newest version.
HISTORIES: dict[str, tuple[tuple[tuple[int, int], ...], ...]] = {
    "draft": (((0, 1),), ((0, 1), (0, 2)), ((0, 1), (0, 2), (0, 3))),
    "pending_new": (((0, 1),), ((0, 1), (0, 2)), ((0, 1), (0, 2), (0, 3))),
    "pending_review": (((1, 0), (1, 1)), ((0, 1), (1, 0), (1, 1)), ((1, 0), (2, 0), (2, 1))),
    "published": (
        ((1, 0),),
        ((0, 1), (1, 0)),
        ((1, 0), (2, 0)),
        ((0, 1), (0, 2), (1, 0)),
        ((1, 0), (1, 1), (2, 0)),
    ),
    "under_review": (((1, 0),), ((1, 0), (1, 1)), ((0, 1), (1, 0), (1, 1)), ((1, 0), (2, 0))),
    "ended": (((1, 0),), ((1, 0), (2, 0)), ((0, 1), (1, 0))),
}
SERVICE_AREAS_EXTRA = ("Commissioning", "Workforce Development", "Early Help")
YEARS_OF_HISTORY = 6


@dataclass(frozen=True)
class Context:
    """What every batch needs to know about the organisation and the run."""

    organisation_id: uuid.UUID
    owners: tuple[uuid.UUID, ...]
    officers: tuple[uuid.UUID, ...]
    authors: tuple[uuid.UUID, ...]
    uploaders: tuple[uuid.UUID, ...]
    total: int
    seed: int
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class Batch:
    documents: list[dict[str, Any]]
    versions: list[dict[str, Any]]
    files: list[dict[str, Any]]
    words: int = 0


def uuid7(moment: datetime, rng: random.Random) -> uuid.UUID:
    """A version 7 UUID for ``moment``, as services.domain.db.new_id makes, but reproducible."""
    ms = int(moment.timestamp() * 1000)
    rand = rng.getrandbits(74)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 62) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)


def _weighted(pairs: tuple[tuple[Any, ...], ...]) -> tuple[list[Any], list[int]]:
    return [p[:-1] if len(p) > 2 else p[0] for p in pairs], [p[-1] for p in pairs]


_KIND_CHOICES, _KIND_WEIGHTS = _weighted(KINDS)
_STATUS_CHOICES, _STATUS_WEIGHTS = _weighted(STATUSES)


def _history(status: str, rng: random.Random) -> tuple[tuple[int, int], ...]:
    if status in ("in_consultation", "awaiting_approval", "approved"):
        group = "pending_review" if rng.random() < 0.5 else "pending_new"
    elif status in ("superseded", "retired"):
        group = "ended"
    else:
        group = status
    return rng.choice(HISTORIES[group])


def _title(kind_label: str, main: Any, other: Any, rng: random.Random) -> str:
    if rng.random() < 0.15:
        return f"{main.title} and {other.title} {kind_label}"
    qualifier = rng.choice(QUALIFIERS)
    return f"{main.title} {kind_label} {qualifier}".rstrip()


def generate_batch(context: Context, start: int, count: int) -> Batch:
    """Documents ``start`` .. ``start + count - 1`` of the register, with versions and files."""
    rng = random.Random(context.seed * 1_000_003 + start)
    writer = Writer(rng)
    batch = Batch([], [], [])
    span = timedelta(days=365 * YEARS_OF_HISTORY)
    first_day = context.now - span
    for index in range(start, min(start + count, context.total)):
        # Documents arrive in order over the years, so ids (UUIDv7) follow creation like in life.
        created = first_day + span * (index / context.total) * 0.97
        created += timedelta(seconds=rng.randint(0, 3600))
        kind, kind_label, prefix = rng.choices(_KIND_CHOICES, _KIND_WEIGHTS)[0]
        status = rng.choices(_STATUS_CHOICES, _STATUS_WEIGHTS)[0]
        main, other = rng.sample(ALL_TOPICS, 2)
        reference = f"{prefix}-{index + 1:06d}"
        title = _title(kind_label, main, other, rng)
        areas = (*main.areas, rng.choice(SERVICE_AREAS_EXTRA))
        service_area = None if rng.random() < 0.08 else rng.choice(areas)
        tags = set()
        if rng.random() < 0.7:
            tags.add(main.tag)
        if rng.random() < 0.3:
            tags.add(other.tag)
        tags.update(rng.sample(TAGS_EXTRA, rng.choice((0, 0, 1, 1, 2, 3))))
        owner = rng.choice(context.owners) if kind == "procedure" or rng.random() < 0.8 else None
        officer = rng.choice(context.officers) if rng.random() < 0.5 else None
        author = rng.choice(context.authors) if rng.random() < 0.9 else None
        interval = rng.choice((12, 12, 24, 24, 36, None))
        document_id = uuid7(created, rng)

        history = _history(status, rng)
        words = rng.randint(220, 480)
        sections = writer.sections(main, other, words)
        moments = sorted(
            created + (context.now - created) * rng.random() for _ in range(len(history) - 1)
        )
        moments.insert(0, created)
        latest_text, published_text = "", ""
        latest_number, issued_number = None, None
        last_issued: date | None = None
        for number, (major, minor) in enumerate(history):
            if number:
                sections = writer.revise(sections, main, other)
            moment = moments[number]
            text = render(title, reference, sections)
            content = text.encode()
            version_id = uuid7(moment, rng)
            is_issued = minor == 0
            label = f"{major}.{minor}"
            batch.versions.append(
                {
                    "id": version_id,
                    "organisation_id": context.organisation_id,
                    "document_id": document_id,
                    "major": major,
                    "minor": minor,
                    "change_summary": "First version"
                    if not number
                    else f"Review: updated {rng.choice(sections)[0].lower()}",
                    "filename": f"{reference}-v{label}.md",
                    "media_type": "text/markdown",
                    "size_bytes": len(content),
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "text": text,
                    "uploaded_by_id": author or rng.choice(context.uploaders),
                    "created_at": moment,
                    "issued_on": moment.date() if is_issued else None,
                }
            )
            batch.files.append(
                {
                    "organisation_id": context.organisation_id,
                    "version_id": version_id,
                    "content": content,
                }
            )
            batch.words += len(text.split())
            latest_text, latest_number = text, label
            if is_issued:
                published_text, issued_number, last_issued = text, label, moment.date()

        next_review_due = None
        if last_issued is not None and status not in ("superseded", "retired"):
            next_review_due = last_issued + relativedelta(months=interval or 36)
        batch.documents.append(
            {
                "id": document_id,
                "organisation_id": context.organisation_id,
                "reference": reference,
                "title": title,
                "summary": writer.sentence(main, other),
                "kind": kind,
                "service_area": service_area,
                "owner_id": owner,
                "responsible_officer_id": officer,
                "author_id": author,
                "status": status,
                "review_interval_months": interval,
                "next_review_due": next_review_due,
                "tags": sorted(tags),
                "trix_url": f"https://bench.trixonline.co.uk/chapters/{reference.lower()}.html"
                if kind == "procedure" and rng.random() < 0.4
                else None,
                "row_version": 1,
                "latest_version": latest_number,
                "issued_version": issued_number,
                "latest_text": latest_text,
                "published_text": published_text,
                "created_at": created,
                "updated_at": moments[-1],
            }
        )
    return batch

"""What goes in an amendment pack, read from the register: plain data, so the diffs and the
rendering can run in a child process.

A document is in a pack when an issued version of it (not withdrawn) was issued in the pack's
period: a calendar month, or an update cycle's window (from the London day it was opened to the
day it closed, or today) for the documents whose items the ROs accepted or amended. Its redline
goes from the issued version in force before the period (the last one numbered below the first
issued in it) to the last one issued in it; with none before, the document is new. Withdrawn:
an issued version withdrawn in the period (Dorset 4.5.2), or a document retired or superseded
in it (its removal from Tri.x queued then).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.clock import LONDON, london_day, utcnow
from services.domain.errors import Invalid
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.organisations import Organisation
from services.domain.models.publications import Publication, PublicationStatus

# Why a document left the Manual, as the publication queue records it.
REMOVAL_REASONS = ("retired", "superseded")


@dataclass(frozen=True)
class PackLimits:
    """Bounds on one pack (settings: amendment_pack_max_documents, _max_text_chars)."""

    max_documents: int = 200
    max_text_chars: int = 4_000_000


@dataclass(frozen=True)
class ItemNote:
    """An update cycle item about the document: the recommendation and the RO's outcome."""

    status: str
    recommendation: str
    outcome_note: str


@dataclass(frozen=True)
class ChangedDocument:
    reference: str
    title: str
    old_number: str | None
    new_number: str
    issued_on: date
    # (number, change summary) of each version issued in the period, oldest first.
    summaries: tuple[tuple[str, str], ...]
    old_text: str
    new_text: str
    trix_url: str | None
    items: tuple[ItemNote, ...] = ()

    @property
    def is_new(self) -> bool:
        return self.old_number is None


@dataclass(frozen=True)
class Withdrawal:
    reference: str
    title: str
    number: str | None
    on: date
    why: str


@dataclass(frozen=True)
class NotIssued:
    """A document whose item was agreed in the cycle but with no version issued in it yet."""

    reference: str
    title: str
    status: str
    items: tuple[ItemNote, ...]


@dataclass(frozen=True)
class PackContents:
    organisation: str
    heading: str
    start: date
    end: date
    generated_at: datetime
    filename_stem: str
    changed: tuple[ChangedDocument, ...]
    withdrawn: tuple[Withdrawal, ...]
    not_issued: tuple[NotIssued, ...] = ()
    submission_deadline: date | None = None


def reference_order(reference: str) -> list[tuple[int, int | str]]:
    """Chapter order: "PROC-2" before "PROC-10", case aside."""
    return [
        (0, int(part)) if part.isdigit() else (1, part.lower())
        for part in re.split(r"(\d+)", reference)
        if part
    ]


def london_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC moments from the London midnight starting ``start`` to the one ending ``end``."""
    first = datetime.combine(start, time(), LONDON).astimezone(UTC)
    after = datetime.combine(date.fromordinal(end.toordinal() + 1), time(), LONDON)
    return first, after.astimezone(UTC)


async def organisation_name(session: AsyncSession, organisation_id: uuid.UUID) -> str:
    organisation = await session.get(Organisation, organisation_id)
    return organisation.name if organisation else ""


async def changed_documents(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    start: date,
    end: date,
    limits: PackLimits,
    *,
    only: Iterable[uuid.UUID] | None = None,
    notes: dict[uuid.UUID, tuple[ItemNote, ...]] | None = None,
) -> list[ChangedDocument]:
    """The documents with a version issued from ``start`` to ``end`` (of ``only``, if given),
    in reference order, within ``limits``."""
    by_document = await _issued_by_document(session, organisation_id, start, end, only)
    if len(by_document) > limits.max_documents:
        raise Invalid(
            f"The pack would hold {len(by_document)} documents, more than the limit of "
            f"{limits.max_documents}; ask for a shorter period or an update cycle.",
            limit="amendment_pack_max_documents",
        )
    documents = {
        d.id: d
        for d in (
            await session.execute(select(Document).where(Document.id.in_(list(by_document))))
        ).scalars()
    }
    bases = await _baselines(session, by_document)
    texts = await _texts(
        session,
        [vid for vid, _ in bases.values()] + [vs[-1].id for vs in by_document.values()],
        limits,
    )
    changed = []
    for document_id, versions in by_document.items():
        document, last, base = documents[document_id], versions[-1], bases.get(document_id)
        changed.append(
            ChangedDocument(
                reference=document.reference,
                title=document.title,
                old_number=base[1] if base else None,
                new_number=last.number,
                issued_on=last.issued_on or end,
                summaries=tuple((v.number, v.change_summary) for v in versions),
                old_text=texts[base[0]] if base else "",
                new_text=texts[last.id],
                trix_url=document.trix_url,
                items=(notes or {}).get(document_id, ()),
            )
        )
    changed.sort(key=lambda c: reference_order(c.reference))
    return changed


async def _issued_by_document(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    start: date,
    end: date,
    only: Iterable[uuid.UUID] | None,
) -> dict[uuid.UUID, list[DocumentVersion]]:
    """The versions issued from ``start`` to ``end`` and not withdrawn, by document, each
    document's in number order."""
    query = select(DocumentVersion).where(
        DocumentVersion.organisation_id == organisation_id,
        DocumentVersion.minor == 0,
        DocumentVersion.withdrawn_at.is_(None),
        DocumentVersion.issued_on.between(start, end),
    )
    if only is not None:
        query = query.where(DocumentVersion.document_id.in_(list(only)))
    by_document: dict[uuid.UUID, list[DocumentVersion]] = {}
    for version in (await session.execute(query)).scalars():
        by_document.setdefault(version.document_id, []).append(version)
    for versions in by_document.values():
        versions.sort(key=lambda v: (v.major, v.minor))
    return by_document


async def _baselines(
    session: AsyncSession, by_document: dict[uuid.UUID, list[DocumentVersion]]
) -> dict[uuid.UUID, tuple[uuid.UUID, str]]:
    """Per document, the (id, number) of the issued version in force before the period: the
    last one, not withdrawn, numbered below the first issued in the period."""
    if not by_document:
        return {}
    rows = await session.execute(
        select(
            DocumentVersion.id,
            DocumentVersion.document_id,
            DocumentVersion.major,
            DocumentVersion.minor,
        ).where(
            DocumentVersion.document_id.in_(list(by_document)),
            DocumentVersion.minor == 0,
            DocumentVersion.withdrawn_at.is_(None),
        )
    )
    firsts = {d: min((v.major, v.minor) for v in vs) for d, vs in by_document.items()}
    bases: dict[uuid.UUID, tuple[tuple[int, int], uuid.UUID]] = {}
    for version_id, document_id, major, minor in rows:
        if (major, minor) < firsts[document_id] and (
            document_id not in bases or (major, minor) > bases[document_id][0]
        ):
            bases[document_id] = ((major, minor), version_id)
    return {d: (vid, f"{n[0]}.{n[1]}") for d, (n, vid) in bases.items()}


async def _texts(
    session: AsyncSession, ids: list[uuid.UUID], limits: PackLimits
) -> dict[uuid.UUID, str]:
    """The texts of the versions ``ids``, their total length checked before they are read."""
    if not ids:
        return {}
    total = await session.scalar(
        select(func.coalesce(func.sum(func.length(DocumentVersion.text)), 0)).where(
            DocumentVersion.id.in_(ids)
        )
    )
    if (total or 0) > limits.max_text_chars:
        raise Invalid(
            f"The versions this pack compares hold {total} characters of text between them, "
            f"more than the limit of {limits.max_text_chars}; ask for a shorter period.",
            limit="amendment_pack_max_text_chars",
        )
    rows = await session.execute(
        select(DocumentVersion.id, DocumentVersion.text).where(DocumentVersion.id.in_(ids))
    )
    return {version_id: text for version_id, text in rows}


async def withdrawals(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    start: date,
    end: date,
    *,
    only: Iterable[uuid.UUID] | None = None,
) -> list[Withdrawal]:
    """Issued versions withdrawn, and documents retired or superseded, on a London day from
    ``start`` to ``end``, in reference order."""
    first, after = london_bounds(start, end)
    versions = (
        select(DocumentVersion, Document)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(
            DocumentVersion.organisation_id == organisation_id,
            DocumentVersion.withdrawn_at >= first,
            DocumentVersion.withdrawn_at < after,
        )
    )
    removals = (
        select(Publication, Document)
        .join(Document, Document.id == Publication.document_id)
        .where(
            Publication.organisation_id == organisation_id,
            Publication.action == "remove",
            Publication.reason.in_(REMOVAL_REASONS),
            Publication.status != PublicationStatus.CANCELLED,
            Publication.created_at >= first,
            Publication.created_at < after,
        )
    )
    if only is not None:
        ids = list(only)
        versions = versions.where(DocumentVersion.document_id.in_(ids))
        removals = removals.where(Publication.document_id.in_(ids))
    found = [
        Withdrawal(
            document.reference,
            document.title,
            version.number,
            london_day(version.withdrawn_at or utcnow()),
            f"Version {version.number} withdrawn: {version.withdrawn_reason or ''}".strip(),
        )
        for version, document in (await session.execute(versions)).all()
    ]
    removed = (await session.execute(removals)).all()
    numbers = await _numbers(session, [p.version_id for p, _ in removed])
    for publication, document in removed:
        found.append(
            Withdrawal(
                document.reference,
                document.title,
                numbers.get(publication.version_id) if publication.version_id else None,
                london_day(publication.created_at),
                f"Taken off the Manual: {publication.reason}.",
            )
        )
    found.sort(key=lambda w: (reference_order(w.reference), w.on))
    return found


async def _numbers(
    session: AsyncSession, version_ids: Sequence[uuid.UUID | None]
) -> dict[uuid.UUID, str]:
    ids = [v for v in version_ids if v is not None]
    if not ids:
        return {}
    rows = await session.execute(
        select(DocumentVersion.id, DocumentVersion.major, DocumentVersion.minor).where(
            DocumentVersion.id.in_(ids)
        )
    )
    return {vid: f"{major}.{minor}" for vid, major, minor in rows}

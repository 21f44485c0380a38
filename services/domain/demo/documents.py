"""The demo's documents: each with its versions as the data file gives them (the issued ones
issued as it is loaded, a ``tracked`` one as a Word draft with its changes tracked), its status,
review date and register fields, and the links between them."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.clock import london_today
from services.domain.demo.word import tracked_docx
from services.domain.documents import links, service, versions
from services.domain.documents.commands import DocumentChange, NewDocument
from services.domain.documents.text import DOCX, MARKDOWN
from services.domain.models.documents import Document, DocumentStatus


async def seed_documents(
    session: AsyncSession,
    system: Principal,
    organisation_id: uuid.UUID,
    listed: list[dict[str, Any]],
    by_email: dict[str, Any],
) -> tuple[dict[str, Document], int]:
    """The documents of the data file with their versions, status and review date, by
    reference, with how many were created (one that exists is left as it is)."""
    created = 0
    today = london_today()
    by_reference: dict[str, Document] = {}
    for d in listed:
        existing = (
            await session.execute(
                select(Document).where(
                    Document.organisation_id == organisation_id,
                    Document.reference == d["reference"],
                )
            )
        ).scalar_one_or_none()
        if existing is not None:
            by_reference[d["reference"]] = existing
            continue
        document = await service.create_document(session, system, _new_document(d, by_email))
        await _add_versions(session, system, document, d, today)
        due = d.get("next_review_due_in_days")
        # Dorset 4.5: who approved the version in force, and when (the register's record).
        approved = d.get("approved_in_days")
        await service.update_document(
            session,
            system,
            document,
            DocumentChange(
                status=DocumentStatus(d.get("status", DocumentStatus.DRAFT)),
                next_review_due=today + timedelta(days=due) if due is not None else None,
                approved_by=d.get("approved_by"),
                approved_on=today + timedelta(days=approved) if approved is not None else None,
            ),
            expected_version=document.row_version,
        )
        by_reference[d["reference"]] = document
        created += 1
    return by_reference, created


def _new_document(d: dict[str, Any], by_email: dict[str, Any]) -> NewDocument:
    """A document of the data file, its people named by email."""
    return NewDocument.of(
        {
            "reference": d["reference"],
            "title": d["title"],
            "summary": d.get("summary", ""),
            "kind": d["kind"],
            "service_area": d.get("service_area"),
            "category": d.get("category"),
            "owner_id": by_email.get(d.get("owner_email") or ""),
            "responsible_officer_id": by_email.get(d.get("responsible_officer_email") or ""),
            "author_id": by_email.get(d.get("author_email") or ""),
            "review_interval_months": d.get("review_interval_months"),
            "tags": d.get("tags", []),
            "trix_url": d.get("trix_url"),
        }
    )


async def _add_versions(
    session: AsyncSession, system: Principal, document: Document, d: dict[str, Any], today: date
) -> None:
    """The document's versions as the data file gives them, the issued ones issued today.
    One marked ``tracked`` is a Word draft showing its changes to the version before as tracked
    changes (NCT 4.1 v); the others are Markdown."""
    previous = ""
    for number, v in enumerate(d.get("versions", []), start=1):
        filename, content, media_type = (
            f"{d['reference']}-{number}.md",
            v["text"].encode(),
            MARKDOWN,
        )
        if v.get("tracked"):
            content, media_type = tracked_docx(previous, v["text"]), DOCX
            filename = filename.removesuffix(".md") + ".docx"
        previous = v["text"]
        await versions.add_version(
            session,
            system,
            document,
            filename=filename,
            content=content,
            declared_media_type=media_type,
            change_summary=v.get("change_summary", ""),
            issue=bool(v.get("issued")),
            max_bytes=10_000_000,
            # The demo's issued versions are issued as it is loaded, or ``issued_in_days``
            # from it (an earlier issue, so a later one reads as an amendment in a Tri.x
            # amendment pack); its review dates are set after its versions are added.
            issued_on=today + timedelta(days=v.get("issued_in_days", 0))
            if v.get("issued")
            else None,
        )


async def seed_links(
    session: AsyncSession,
    system: Principal,
    listed: list[dict[str, Any]],
    by_reference: dict[str, Document],
) -> int:
    """The links between documents that are not there yet; how many were created."""
    created = 0
    for lk in listed:
        source, target = by_reference[lk["source"]], by_reference[lk["target"]]
        existing_links = await links.list_links(session, system, source, lk["kind"])
        if any(v.other.id == target.id and v.direction == "outgoing" for v in existing_links):
            continue
        await links.create_link(session, system, source, target_id=target.id, kind=lk["kind"])
        created += 1
    return created

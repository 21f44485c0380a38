"""Who is told that a parent's amended issue gave their documents a review or a flag.

The owner and the RO (the owner standing in when none is named) of each document linked to
the amended parent are told once per issue: one email listing every document of theirs the
issue touched and what it did to each, never one email per document.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.models.cascades import CascadeFlag, CascadeStatus
from services.domain.models.documents import Document, acting_responsible_officer_id
from services.domain.models.reviews import OPEN_REVIEW_STATUSES, Review
from services.domain.notices.kinds import of_family
from services.domain.notices.notice import Handler, Notice
from services.domain.notices.recipients import active_people_by_id

KINDS = of_family("cascade")
# One email lists at most this many documents; the rest are counted ("and 12 more").
LISTED = 50


async def still_applies(session: AsyncSession, kind: str, context: dict[str, Any]) -> bool:
    """Void once nothing it lists is waiting: every flag dismissed or made a review that has
    ended, and every review it opened or was noted on ended."""
    ids = [uuid.UUID(i) for i in context.get("flag_ids", [])]
    if not ids:
        return False
    waiting = await session.execute(
        select(CascadeFlag.id)
        .outerjoin(Review, Review.id == CascadeFlag.review_id)
        .where(
            CascadeFlag.id.in_(ids),
            or_(
                CascadeFlag.status == CascadeStatus.OPEN,
                Review.status.in_(OPEN_REVIEW_STATUSES),
            ),
        )
        .limit(1)
    )
    return waiting.first() is not None


def _entry(flag: CascadeFlag, document: Document, roles: list[str]) -> dict[str, Any]:
    return {
        "document_id": str(document.id),
        "reference": document.reference,
        "title": document.title,
        "status": str(flag.status),
        "note": flag.note,
        "review_path": f"/v1/reviews/{flag.review_id}" if flag.review_id else None,
        "roles": roles,
    }


async def _parent_changed(session: AsyncSession, event: events.ParentChanged) -> list[Notice]:
    rows = (
        await session.execute(
            select(CascadeFlag, Document)
            .join(Document, Document.id == CascadeFlag.document_id)
            .where(CascadeFlag.parent_version_id == event.version_id)
            .order_by(Document.reference, Document.id)
        )
    ).all()
    parent = await session.get(Document, event.document_id)
    if parent is None:
        return []
    # {person: [(flag, document, their roles on it)]}, in reference order.
    theirs: dict[uuid.UUID, list[tuple[CascadeFlag, Document, list[str]]]] = {}
    for flag, document in rows:
        roles = {document.owner_id: ["owner"]}
        officer = acting_responsible_officer_id(document)
        if officer is not None:
            roles.setdefault(officer, []).append("responsible_officer")
        for person_id, held in roles.items():
            if person_id is not None:
                theirs.setdefault(person_id, []).append((flag, document, held))
    people = await active_people_by_id(session, event.organisation_id, theirs)
    first = next(iter(theirs.values()), [])
    context = {
        "parent_document_id": str(parent.id),
        "parent_reference": parent.reference,
        "parent_title": parent.title,
        "number": first[0][0].parent_number if first else None,
        "previous_number": first[0][0].previous_number if first else None,
    }
    return [
        Notice(
            "review.parent_changed",
            people[person_id],
            {
                **context,
                "entries": [_entry(f, d, held) for f, d, held in listed[:LISTED]],
                "more": max(0, len(listed) - LISTED),
                "flag_ids": [str(f.id) for f, _, _ in listed],
            },
        )
        for person_id, listed in theirs.items()
        if person_id in people
    ]


# The events whose notices this module decides (notifications/handlers.py).
HANDLERS: dict[type, Handler] = {events.ParentChanged: _parent_changed}

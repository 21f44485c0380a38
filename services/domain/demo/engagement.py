"""The demo's engagement sessions, recorded through the domain's own rules by the people the
data file names: an LBBD co-production workshop (LBBD 4) and an NCT review session (NCT
4.1), each held on the document's review draft some days ago."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.clock import london_today
from services.domain.engagement_sessions import service
from services.domain.engagement_sessions.commands import (
    Attendee,
    NewEngagementSession,
    SessionAction,
)
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.engagement_sessions import EngagementSession, EngagementStatus


async def _latest_draft(session: AsyncSession, document: Document) -> uuid.UUID | None:
    found = await session.execute(
        select(DocumentVersion.id)
        .where(DocumentVersion.document_id == document.id, DocumentVersion.minor != 0)
        .order_by(DocumentVersion.major.desc(), DocumentVersion.minor.desc())
        .limit(1)
    )
    return found.scalar_one_or_none()


def _attendee(spec: dict[str, Any], by_email: dict[str, Any]) -> Attendee:
    if "email" in spec:
        return Attendee(person_id=by_email[spec["email"]])
    return Attendee(name=spec["name"], organisation=spec.get("organisation"))


async def seed_engagement_sessions(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    listed: list[dict[str, Any]],
    by_reference: dict[str, Document],
    by_email: dict[str, Any],
) -> int:
    """Each session of the data file not yet there (by document and title), held
    ``days_ago`` days before today on the document's latest draft; how many were created."""
    created = 0
    today = london_today()
    for spec in listed:
        document = by_reference[spec["reference"]]
        exists = await session.execute(
            select(EngagementSession.id).where(
                EngagementSession.organisation_id == organisation_id,
                EngagementSession.document_id == document.id,
                EngagementSession.title == spec["title"],
            )
        )
        if exists.first() is not None:
            continue
        command = NewEngagementSession(
            kind=spec["kind"],
            title=spec["title"],
            held_on=today - timedelta(days=spec["days_ago"]),
            version_id=await _latest_draft(session, document),
            facilitator_id=by_email[spec["facilitator_email"]],
            attendees=tuple(_attendee(a, by_email) for a in spec["attendees"]),
            notes=spec["notes"],
            actions=tuple(
                SessionAction(
                    text=a["text"],
                    owner_id=by_email[a["owner_email"]],
                    due_on=today + timedelta(days=a["due_in_days"]),
                )
                for a in spec["actions"]
            ),
            status=EngagementStatus.HELD,
        )
        recorder = Principal.system(
            organisation_id, "seed-demo", person_id=by_email[spec["facilitator_email"]]
        )
        await service.record_session(session, recorder, document.id, command)
        created += 1
    return created

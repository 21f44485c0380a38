"""Who is told when a Tri.x upload or removal is queued: the policy team."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.models.documents import Document
from services.domain.models.publications import Publication
from services.domain.notices.notice import Handler, Notice
from services.domain.notices.recipients import version_number
from services.domain.people.policy_team import policy_team


async def _publication_queued(
    session: AsyncSession, event: events.PublicationQueued
) -> list[Notice]:
    publication = await session.get(Publication, event.publication_id)
    document = await session.get(Document, event.document_id)
    if publication is None or document is None:
        return []
    context = {
        "publication_id": str(publication.id),
        "action": publication.action,
        "reason": publication.reason,
        "version": await version_number(session, publication.version_id),
    }
    people = await policy_team(session, event.organisation_id)
    return [Notice("publication.queued", person, context, document) for person in people]


# The events whose notices this module decides (notifications/handlers.py).
HANDLERS: dict[type, Handler] = {events.PublicationQueued: _publication_queued}

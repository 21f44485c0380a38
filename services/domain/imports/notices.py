"""Who is told when a tracker import names them on documents: one email each."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.models.organisations import Organisation
from services.domain.models.people import Person
from services.domain.notices.notice import Handler, Notice
from services.domain.organisations.words import words_of


async def _tracker_named(session: AsyncSession, event: events.TrackerImported) -> list[Notice]:
    """Everyone a tracker import named on the documents it created: one email each, with how
    many in each role (one email per document would be thousands for one officer)."""
    if not event.named:
        return []
    words = words_of(await session.get(Organisation, event.organisation_id))
    notices = []
    for named in event.named:
        person = await session.get(Person, named.person_id)
        if person is None or not person.is_active:
            continue
        roles = [
            {"title": words.title_of(role), "documents": count}
            for role, count in named.roles.items()
        ]
        context = {
            "documents": named.documents,
            "roles": roles,
            "filename": event.filename or "tracker",
        }
        notices.append(Notice("tracker.assigned", person, context))
    return notices


# The events whose notices this module decides (notifications/handlers.py).
HANDLERS: dict[type, Handler] = {
    events.TrackerImported: _tracker_named,
}

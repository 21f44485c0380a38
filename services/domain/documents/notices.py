"""Who is told when people are named on a document: each newly named person, once."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.models.documents import Document
from services.domain.models.organisations import Organisation
from services.domain.models.people import Person
from services.domain.notices.notice import Handler, Notice
from services.domain.organisations.words import in_words, roles_held, words_of


async def _people_assigned(
    session: AsyncSession, event: events.DocumentPeopleAssigned
) -> list[Notice]:
    """Each person newly named on a document, told once with every role given to them."""
    document = await session.get(Document, event.document_id)
    if document is None:
        return []
    words = words_of(await session.get(Organisation, event.organisation_id))
    notices = []
    for assigned in event.assigned:
        person = await session.get(Person, assigned.person_id)
        if person is None or not person.is_active:
            continue
        # Only roles they still hold: a later change may have moved one (and tells its people).
        roles = [r for r in assigned.roles if r in roles_held(document, person.id)]
        if roles:
            context = {"roles": in_words(words, roles)}
            notices.append(Notice("document.assigned", person, context, document))
    return notices


# The events whose notices this module decides (notifications/handlers.py).
HANDLERS: dict[type, Handler] = {
    events.DocumentPeopleAssigned: _people_assigned,
}

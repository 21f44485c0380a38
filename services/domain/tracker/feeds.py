"""A person's review deadlines as an iCalendar feed that Outlook can subscribe to.

One all-day entry per tracked document the person owns or is the responsible officer of (an
owner with no RO named stands in as RO, NCT, so owners are always included). As for board feeds,
the address carries a token: an HMAC of the person id and their feed version under the
service's secret; rotating the feed (bumping the version) revokes every address handed out.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.authz import reviews as authz
from services.domain.authz.principal import Principal
from services.domain.calendar.ics import CalendarEntry, render_calendar
from services.domain.clock import utcnow
from services.domain.documents.review_dates import ReviewRules
from services.domain.documents.service import acting_responsible_officer_id
from services.domain.errors import NotFound
from services.domain.models.documents import Document
from services.domain.models.people import Person
from services.domain.organisations.words import DEFAULT_WORDS, OrganisationWords, words_for
from services.domain.people import service as people
from services.domain.tokens import Keyring
from services.domain.tracker.service import review_status, tracked_conditions

STATUS_WORDS = {
    "on_track": "on track",
    "due_soon": "due soon",
    "overdue": "overdue",
    "escalated": "overdue and escalated",
}


def _message(person: Person) -> str:
    return f"person-review-feed:{person.id}:{person.calendar_feed_version}"


def feed_token(keyring: Keyring, person: Person) -> str:
    """The token that unlocks this person's review feed until the feed is rotated."""
    return keyring.sign(_message(person))


async def get_feed_owner(
    session: AsyncSession, principal: Principal, person_id: uuid.UUID, *, for_update: bool = False
) -> Person:
    """The person whose feed the caller may see: themself, or anyone for the policy team."""
    person = await people.get_person(session, principal, person_id)
    authz.check_person_feed(principal, person)
    if for_update:
        locked = select(Person).where(Person.id == person.id).with_for_update()
        await session.execute(locked.execution_options(populate_existing=True))
    return person


async def person_for_feed(
    session: AsyncSession, keyring: Keyring, person_id: uuid.UUID, token: str
) -> Person:
    """The person whose feed the token opens; NotFound for a wrong, stale or foreign token."""
    person = await session.get(Person, person_id)
    if person is None or not person.is_active or not keyring.verify(_message(person), token):
        raise NotFound("No such calendar feed.")
    return person


async def rotate_feed(session: AsyncSession, principal: Principal, person: Person) -> Person:
    """Revoke every address of the person's review feed handed out so far."""
    person.calendar_feed_version += 1
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        person,
        "person.calendar_feed_rotated",
        after={"calendar_feed_version": person.calendar_feed_version},
    )
    return person


def _entry(
    document: Document,
    person_id: uuid.UUID,
    today: date,
    rules: ReviewRules,
    page: Callable[[str], str],
    words: OrganisationWords = DEFAULT_WORDS,
) -> CalendarEntry:
    due = document.next_review_due
    assert due is not None  # only tracked documents are read
    roles = []
    if document.owner_id == person_id:
        roles.append(words.owner)
    if acting_responsible_officer_id(document) == person_id:
        roles.append(words.responsible_officer)
    status = STATUS_WORDS[review_status(due, today, rules)]
    return CalendarEntry(
        # One entry per document for good: a new due date moves it rather than adding one.
        uid=f"review-{document.id}@policygov",
        summary=f"Review due: {document.reference} {document.title}",
        description=f"You are its {' and '.join(roles)}. The review is {status}.",
        on_date=due,
        url=page(f"/documents/{document.id}"),
        sequence=document.row_version,
        last_modified=document.updated_at,
    )


async def review_calendar(
    session: AsyncSession,
    person: Person,
    *,
    page: Callable[[str], str],
    today: date,
    rules: ReviewRules,
) -> bytes:
    """The feed: the review date of every tracked document the person owns or is RO of, each
    linked by ``page`` (a path to its address: a view link signed for the person)."""
    documents = (
        await session.execute(
            select(Document)
            .where(
                Document.organisation_id == person.organisation_id,
                or_(Document.owner_id == person.id, Document.responsible_officer_id == person.id),
                *tracked_conditions(),
            )
            .order_by(Document.next_review_due, Document.reference)
        )
    ).scalars()
    words = await words_for(session, person.organisation_id)
    entries = [_entry(d, person.id, today, rules, page, words) for d in documents]
    return render_calendar(f"Review deadlines: {person.name}", entries, generated_at=utcnow())

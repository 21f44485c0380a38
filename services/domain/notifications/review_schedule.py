"""The review schedule's reminders: due soon, overdue and escalated, planned by the sweep.

Once per document, due date, notice and person (the dedupe key), whatever the sweep repeats;
the window of documents it reads is kept in ``review_window``.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Select,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.db import in_chunks
from services.domain.documents.review_dates import ReviewRules, is_escalated
from services.domain.documents.service import acting_responsible_officer_id
from services.domain.models.documents import NO_LONGER_IN_FORCE, Document
from services.domain.models.organisations import Organisation
from services.domain.models.people import Person
from services.domain.notifications import review_window
from services.domain.notifications.service import Created, add_notification, existing_keys
from services.domain.sweeps import each_in_savepoint


def review_notices(due: date, today: date, rules: ReviewRules) -> list[str]:
    """Which review notices apply on ``today`` for a review due on ``due``.

    At most one reminder applies: the nearest threshold already reached (a document imported
    five days before its due date gets the 7-day reminder, not the 30-day one as well).
    """
    notices: list[str] = []
    reached = [d for d in sorted(rules.reminder_days) if due - timedelta(days=d) <= today < due]
    if reached:
        notices.append(f"due_soon:{reached[0]}")
    if today > due:
        notices.append("overdue")
    if is_escalated(due, today, rules):
        notices.append("escalated")
    return notices


def _reviewable(today: date, rules: ReviewRules) -> Select[Document]:
    horizon = today + timedelta(days=rules.due_soon_days)
    return (
        select(Document)
        .where(Document.next_review_due.is_not(None), Document.next_review_due <= horizon)
        .where(Document.status.not_in(NO_LONGER_IN_FORCE))
        .order_by(Document.id)
    )


async def plan_review_notices(session: AsyncSession, today: date, rules: ReviewRules) -> Created:
    """Create the review reminders, overdue notices and escalations due on ``today``.

    Each is created once per document, due date, threshold and person, however often this
    runs and on however many workers at once. Only the documents whose notices may have
    changed since the last run are read (review_window.py). A document whose notices for today
    all exist is
    passed over after one lookup for the lot: the sweep runs every minute, and one savepoint
    and a dozen statements for each document overdue or due soon took 87 s a run at 100,000
    documents.
    """

    async def notices_of(document: Document) -> list[uuid.UUID]:
        due = document.next_review_due
        assert due is not None
        created: list[uuid.UUID] = []
        for notice in review_notices(due, today, rules):
            created += await _review_notice(session, document, due, today, notice, rules, contacts)
        return created

    days, months = rules.reminder_days, rules.escalation_months
    window = await review_window.open_window(session, today, days, months)
    reviewable = _reviewable(today, rules).where(window.condition)
    documents = list((await session.execute(reviewable)).scalars())
    contacts = await _escalation_contacts(session, {d.organisation_id for d in documents})
    waiting = await _with_notices_to_make(session, documents, contacts, today, rules)
    per_document = await each_in_savepoint(
        session, waiting, notices_of, what="document to remind of its review"
    )
    if len(per_document) == len(waiting):  # none failed: the next run reads from here
        await review_window.close_window(session, today, days, months)
    return Created([i for created in per_document for i in created], [])


async def _with_notices_to_make(
    session: AsyncSession,
    documents: list[Document],
    contacts: dict[uuid.UUID, uuid.UUID | None],
    today: date,
    rules: ReviewRules,
) -> list[Document]:
    """The documents some of whose notices for today do not exist yet: the dedupe keys of
    those due are worked out for all and looked up together."""
    active = await _active_people(
        session,
        {
            person_id
            for d in documents
            for person_id in (d.owner_id, d.responsible_officer_id, contacts.get(d.organisation_id))
            if person_id is not None
        },
    )
    wanted: dict[uuid.UUID, list[str]] = {}
    for document in documents:
        due = document.next_review_due
        assert due is not None
        wanted[document.id] = [
            _review_key(document.id, due, notice, person_id)
            for notice in review_notices(due, today, rules)
            for person_id in _review_recipients(document, notice, contacts)
            if person_id in active
        ]
    made = await existing_keys(session, [key for keys in wanted.values() for key in keys])
    return [d for d in documents if not made.issuperset(wanted[d.id])]


async def _escalation_contacts(
    session: AsyncSession, organisation_ids: set[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID | None]:
    if not organisation_ids:
        return {}
    rows = await session.execute(
        select(Organisation.id, Organisation.escalation_contact_id).where(
            Organisation.id.in_(organisation_ids)
        )
    )
    return {organisation_id: contact_id for organisation_id, contact_id in rows}


async def _active_people(session: AsyncSession, person_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    active: set[uuid.UUID] = set()
    for chunk in in_chunks(list(person_ids)):
        rows = await session.execute(
            select(Person.id).where(Person.id.in_(chunk), Person.is_active.is_(True))
        )
        active.update(rows.scalars())
    return active


def _review_recipients(
    document: Document, notice: str, contacts: dict[uuid.UUID, uuid.UUID | None]
) -> list[uuid.UUID | None]:
    """Who a review notice goes to, each once: an escalation to the organisation's escalation
    contact, the others to the acting responsible officer and the owner (an owner standing in
    as RO gets one email)."""
    if notice == "escalated":
        return [contacts.get(document.organisation_id)]
    return list(dict.fromkeys([acting_responsible_officer_id(document), document.owner_id]))


def _review_key(document_id: uuid.UUID, due: date, notice: str, person_id: uuid.UUID) -> str:
    return f"review:{document_id}:{due.isoformat()}:{notice}:{person_id}"


async def _review_notice(
    session: AsyncSession,
    document: Document,
    due: date,
    today: date,
    notice: str,
    rules: ReviewRules,
    contacts: dict[uuid.UUID, uuid.UUID | None],
) -> list[uuid.UUID]:
    people_ids = _review_recipients(document, notice, contacts)
    ro = await _person(session, acting_responsible_officer_id(document))
    owner = await _person(session, document.owner_id)
    kind = notice.partition(":")[0]
    context: dict[str, Any] = {"due_date": due.isoformat()}
    if kind == "due_soon":
        context["days"] = (due - today).days
    if kind == "escalated":
        context["months"] = rules.escalation_months
        context["responsible_officer_name"] = ro.name if ro else None
        context["owner_name"] = owner.name if owner else None
    created = []
    for person_id in people_ids:
        person = await _person(session, person_id)
        if person is None or not person.is_active:
            continue
        new = await add_notification(
            session,
            organisation_id=document.organisation_id,
            kind=f"review.{kind}",
            dedupe_key=_review_key(document.id, due, notice, person.id),
            person=person,
            document=document,
            context=context,
        )
        if new:
            created.append(new)
    return created


async def _person(session: AsyncSession, person_id: uuid.UUID | None) -> Person | None:
    return await session.get(Person, person_id) if person_id else None

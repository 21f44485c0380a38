"""The review schedule's reminders: due soon, overdue and escalated, planned by the sweep.

Once per document, due date, notice and person (the dedupe key), whatever the sweep repeats;
the window of documents it reads is kept in ``review_window``. Who is told of a review gone
past its due date, and when, is the organisation's escalation ladder (``review_ladder``); with
none set, the escalation contact ``escalation_months`` after the due date, as always.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
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
from services.domain.governance.ladders import LADDER, After, default_ladder
from services.domain.models.documents import NO_LONGER_IN_FORCE, Document
from services.domain.models.organisations import Organisation
from services.domain.models.people import Person
from services.domain.notifications import review_ladder, review_window
from services.domain.notifications.service import Created, add_notification, existing_keys
from services.domain.sweeps import each_in_savepoint


def review_notices(due: date, today: date, rules: ReviewRules) -> list[str]:
    """Which review notices apply on ``today`` for a review due on ``due`` (``escalated``: the
    default ladder's one rung; an organisation's own ladder decides for itself).

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


@dataclass(frozen=True)
class Planned:
    """One notice a document calls for today: its kind, dedupe key, person and context."""

    kind: str
    key: str
    person_id: uuid.UUID
    context: dict[str, Any]


async def plan_review_notices(session: AsyncSession, today: date, rules: ReviewRules) -> Created:
    """Create the review reminders, overdue notices and escalations due on ``today``.

    Each is created once per document, due date, threshold and person, however often this
    runs and on however many workers at once. Only the documents whose notices may have
    changed since the last run are read (review_window.py). A document whose notices for today
    all exist is passed over after one lookup for the lot: the sweep runs every minute, and
    one savepoint and a dozen statements for each document overdue or due soon took 87 s a run
    at 100,000 documents.
    """
    days, months = rules.reminder_days, rules.escalation_months
    offsets = await _ladder_offsets(session, months)
    window = await review_window.open_window(session, today, days, months, offsets)
    reviewable = _reviewable(today, rules).where(window.condition)
    documents = list((await session.execute(reviewable)).scalars())
    planned = await _plan(session, documents, today, rules)
    made = await existing_keys(session, [p.key for wanted in planned.values() for p in wanted])
    waiting = [d for d in documents if any(p.key not in made for p in planned[d.id])]

    async def notices_of(document: Document) -> list[uuid.UUID]:
        return await _create(
            session, document, [p for p in planned[document.id] if p.key not in made]
        )

    per_document = await each_in_savepoint(
        session, waiting, notices_of, what="document to remind of its review"
    )
    if len(per_document) == len(waiting):  # none failed: the next run reads from here
        await review_window.close_window(session, today, days, months)
    return Created([i for created in per_document for i in created], [])


async def _ladder_offsets(session: AsyncSession, escalation_months: int) -> set[After]:
    """Every offset a rung of any organisation's ladder has, and the default ladder's."""
    offsets = {rung.after for rung in default_ladder(escalation_months).rungs}
    stored = await session.execute(
        select(Organisation.escalation_ladder).where(Organisation.escalation_ladder.is_not(None))
    )
    for rungs in stored.scalars():
        if rungs is None:  # a JSON null: no ladder (the column stores SQL NULL for None)
            continue
        offsets |= {rung.after for rung in LADDER.validate_python({"rungs": rungs}).rungs}
    return offsets


async def _plan(
    session: AsyncSession, documents: list[Document], today: date, rules: ReviewRules
) -> dict[uuid.UUID, list[Planned]]:
    """The notices each document calls for today, to active people only."""
    book = review_ladder.LadderBook(session, rules.escalation_months, today)
    await book.load({d.organisation_id for d in documents})
    reached: dict[uuid.UUID, list[review_ladder.ReachedRung]] = {}
    people: set[uuid.UUID | None] = set()
    for document in documents:
        assert document.next_review_due is not None
        reached[document.id] = await book.reached(document, document.next_review_due)
        people |= {acting_responsible_officer_id(document), document.owner_id}
        people |= {told.person_id for found in reached[document.id] for told in found.told}
    active = await _active_people(session, {p for p in people if p is not None})
    planned: dict[uuid.UUID, list[Planned]] = {}
    for document in documents:
        due = document.next_review_due
        assert due is not None
        wanted = [
            Planned(
                f"review.{notice.partition(':')[0]}",
                _review_key(document.id, due, notice, person_id),
                person_id,
                _reminder_context(notice, due, today),
            )
            for notice in review_notices(due, today, rules)
            if notice != "escalated"
            for person_id in _reminded(document)
            if person_id in active
        ]
        wanted += _escalation(book, document, due, reached[document.id], active)
        planned[document.id] = wanted
    return planned


def _reminder_context(notice: str, due: date, today: date) -> dict[str, Any]:
    return {"days": (due - today).days} if notice.startswith("due_soon") else {}


def _escalation(
    book: review_ladder.LadderBook,
    document: Document,
    due: date,
    reached: list[review_ladder.ReachedRung],
    active: set[uuid.UUID],
) -> list[Planned]:
    """The rung to send today (review_ladder.py): to each active person it names, once."""
    found = review_ladder.chosen_rung(reached, active)
    if found is None:
        return []
    ladder, is_default = book.ladder(document.organisation_id)
    told = {t.person_id: t for t in found.told if t.person_id in active}
    return [
        Planned(
            "review.escalated",
            review_ladder.escalation_key(document.id, due, found, is_default, person_id),
            person_id,
            review_ladder.escalation_context(found, one, ladder, is_default),
        )
        for person_id, one in told.items()
    ]


async def _active_people(session: AsyncSession, person_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    active: set[uuid.UUID] = set()
    for chunk in in_chunks(list(person_ids)):
        rows = await session.execute(
            select(Person.id).where(Person.id.in_(chunk), Person.is_active.is_(True))
        )
        active.update(rows.scalars())
    return active


def _reminded(document: Document) -> list[uuid.UUID]:
    """Who a reminder or an overdue notice goes to, each once: the acting responsible officer
    and the owner (an owner standing in as RO gets one email)."""
    people = [acting_responsible_officer_id(document), document.owner_id]
    return [p for p in dict.fromkeys(people) if p is not None]


def _review_key(document_id: uuid.UUID, due: date, notice: str, person_id: uuid.UUID) -> str:
    return f"review:{document_id}:{due.isoformat()}:{notice}:{person_id}"


async def _create(
    session: AsyncSession, document: Document, planned: list[Planned]
) -> list[uuid.UUID]:
    due = document.next_review_due
    assert due is not None
    names: dict[str, Any] = {}
    if any(p.kind == "review.escalated" for p in planned):
        ro = await _person(session, acting_responsible_officer_id(document))
        owner = await _person(session, document.owner_id)
        names = {
            "responsible_officer_name": ro.name if ro else None,
            "owner_name": owner.name if owner else None,
        }
    created = []
    for notice in planned:
        person = await _person(session, notice.person_id)
        if person is None or not person.is_active:
            continue
        context = {"due_date": due.isoformat(), **notice.context}
        if notice.kind == "review.escalated":
            context |= names
        new = await add_notification(
            session,
            organisation_id=document.organisation_id,
            kind=notice.kind,
            dedupe_key=notice.key,
            person=person,
            document=document,
            context=context,
        )
        if new:
            created.append(new)
    return created


async def _person(session: AsyncSession, person_id: uuid.UUID | None) -> Person | None:
    return await session.get(Person, person_id) if person_id else None

"""Turning events and dates into notifications, and keeping the state of each one.

Everything here is idempotent: notifications are created with a unique ``dedupe_key``
(INSERT ... ON CONFLICT DO NOTHING), and a send is claimed with a conditional UPDATE, so two
workers, a repeated job or a sweep that runs twice never send the same email twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar, cast

from dateutil.relativedelta import relativedelta
from sqlalchemy import (
    ARRAY,
    Select,
    String,
    Table,
    and_,
    any_,
    bindparam,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.clock import utcnow
from services.domain.consultations import notices as consultation_notices
from services.domain.db import in_chunks
from services.domain.documents.service import acting_responsible_officer_id
from services.domain.events import TrackerImportRequested, parse_event
from services.domain.models.consultations import Consultee
from services.domain.models.documents import NO_LONGER_IN_FORCE, Document
from services.domain.models.notifications import Notification
from services.domain.models.organisations import Organisation
from services.domain.models.outbox import OutboxEvent
from services.domain.models.people import Person
from services.domain.models.webhooks import WebhookDelivery, WebhookSubscription
from services.domain.notices.kinds import KINDS, require_registered
from services.domain.notices.notice import Notice, Reminder
from services.domain.notifications import review_window
from services.domain.notifications.document_snapshot import document_snapshot
from services.domain.notifications.handlers import HANDLERS, STILL_APPLIES
from services.domain.organisations.words import in_words, roles_held, words_of
from services.domain.pagination import before_row
from services.domain.people.policy_team import policy_contact
from services.domain.reviews import update_cycle_notices
from services.domain.sweeps import each_in_savepoint

# A row of either table that keeps a send's state (status, attempts, lease).
Row = TypeVar("Row", Notification, WebhookDelivery)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Created:
    """What a fan-out or a sweep created, for the caller to enqueue after commit."""

    notifications: list[uuid.UUID]
    deliveries: list[uuid.UUID]
    # Tracker imports asked for (services.domain.imports.jobs), for the worker to run.
    imports: list[uuid.UUID] = field(default_factory=list)


# Built once: building the statement with its values took a sixth of the relay's time.
_NOTIFICATIONS = cast(Table, Notification.__table__)
_INSERT_NOTIFICATION = (
    insert(_NOTIFICATIONS)
    .on_conflict_do_nothing(index_elements=["dedupe_key"])
    .returning(_NOTIFICATIONS.c.id)
)

_DELIVERIES = cast(Table, WebhookDelivery.__table__)
_INSERT_DELIVERY = (
    insert(_DELIVERIES)
    .on_conflict_do_nothing(index_elements=["subscription_id", "event_id"])
    .returning(_DELIVERIES.c.id)
)


async def _add(
    session: AsyncSession,
    *,
    organisation_id: uuid.UUID,
    kind: str,
    dedupe_key: str,
    person: Person | None,
    document: Document | None,
    context: dict[str, Any],
    event_id: uuid.UUID | None = None,
    consultee: Consultee | None = None,
) -> uuid.UUID | None:
    """Insert one notification unless its dedupe key exists; its id if it was created.

    A notice about one document carries its id, reference and title, and, for a person, the
    roles they hold on it (``your_roles``); one about a meeting with several documents (or
    none) carries none of them. Every notice carries the organisation's ``words`` (its role
    titles and citations). With no person, it goes to the consultee's own name and address
    (an external consultee has no account).
    """
    require_registered(kind)
    if person is not None:
        name, email = person.name, person.email
    else:
        assert consultee is not None, "a notification goes to a person or a consultee"
        name, email = consultee.name, consultee.email
    organisation = await session.get(Organisation, organisation_id)
    words = words_of(organisation)
    contact = await policy_contact(session, organisation_id)
    about = (
        {"document_id": str(document.id), "reference": document.reference, "title": document.title}
        if document is not None
        else {}
    )
    held = roles_held(document, person.id if person else None) if document else []
    full_context = {
        **about,
        "recipient_name": name,
        "organisation_name": organisation.name if organisation else "",
        "contact_name": contact.name if contact else None,
        "contact_email": contact.email if contact else None,
        "words": words.model_dump(),
        # Every role the recipient holds on the document, in the organisation's words.
        "your_roles": in_words(words, held),
        **context,
    }
    result = await session.execute(
        _INSERT_NOTIFICATION,
        {
            "id": uuid.uuid4(),
            "organisation_id": organisation_id,
            "kind": kind,
            "dedupe_key": dedupe_key,
            "event_id": event_id,
            "document_id": document.id if document is not None else None,
            "recipient_person_id": person.id if person is not None else None,
            "recipient_email": email,
            "context": full_context,
            "status": "pending",
            "next_attempt_at": utcnow(),
        },
    )
    return result.scalar_one_or_none()


async def fan_out_all(session: AsyncSession, events: Sequence[OutboxEvent]) -> Created:
    """``fan_out`` for a relay round's events, with the documents and people they name read
    in one query each first (the handlers then find them in the session, not one at a time)."""
    await _read_ahead(session, events)
    created = Created([], [])
    for event in events:
        result = await fan_out(session, event)
        created.notifications.extend(result.notifications)
        created.deliveries.extend(result.deliveries)
        created.imports.extend(result.imports)
    return created


async def _read_ahead(session: AsyncSession, events: Sequence[OutboxEvent]) -> None:
    documents, people = set(), set()
    for event in events:
        payload = event.payload
        if isinstance(payload.get("document_id"), str):
            documents.add(uuid.UUID(payload["document_id"]))
        for named in (*payload.get("assigned", ()), *(payload.get("named") or ())):
            if isinstance(named, dict) and isinstance(named.get("person_id"), str):
                people.add(uuid.UUID(named["person_id"]))
    for model, ids in ((Document, documents), (Person, people)):
        if ids:
            # Held by the session: its identity map keeps only weak references, and the
            # handlers' session.get() finds only what is still alive there.
            rows = await session.execute(select(model).where(model.id.in_(ids)))
            session.info.setdefault("read_ahead", []).extend(rows.scalars())


async def fan_out(session: AsyncSession, event: OutboxEvent) -> Created:
    """The notifications, webhook deliveries and background imports one outbox event calls for."""
    notifications: list[uuid.UUID] = []
    notices: list[Notice] = []
    happened = parse_event(event.payload)  # once: every handler reads the typed event
    for handler in HANDLERS.get(type(happened), ()):
        notices += await handler(session, happened)
    for notice in _one_per_recipient(event, notices):
        created = await _add(
            session,
            organisation_id=event.organisation_id,
            kind=notice.kind,
            dedupe_key=f"event:{event.id}:{notice.recipient_key}",
            person=notice.person,
            document=notice.document,
            context=notice.context,
            event_id=event.id,
            consultee=notice.consultee,
        )
        if created:
            notifications.append(created)
    deliveries = await _webhook_deliveries(session, event)
    imports = [happened.import_id] if isinstance(happened, TrackerImportRequested) else []
    return Created(notifications, deliveries, imports)


def _one_per_recipient(event: OutboxEvent, notices: list[Notice]) -> list[Notice]:
    """One email per person per event: the first notice for each recipient. The handlers fold
    everything a person should read about one event into one notice; a second one is a bug,
    logged rather than sent (the dedupe key would refuse it anyway)."""
    chosen: dict[str, Notice] = {}
    for notice in notices:
        key = notice.recipient_key
        if key in chosen:
            logger.error(
                "event %s (%s): %s for %s dropped, %s already goes to them",
                event.id,
                event.type,
                notice.kind,
                key,
                chosen[key].kind,
            )
            continue
        chosen[key] = notice
    return list(chosen.values())


async def _listening(session: AsyncSession, organisation_id: uuid.UUID) -> list[tuple[Any, ...]]:
    """(id, event types) of the organisation's active subscriptions, read once per session."""
    known: dict[uuid.UUID, list[tuple[Any, ...]]] = session.info.setdefault("subscriptions", {})
    if organisation_id not in known:
        rows = await session.execute(
            select(WebhookSubscription.id, WebhookSubscription.event_types).where(
                WebhookSubscription.organisation_id == organisation_id,
                WebhookSubscription.is_active.is_(True),
            )
        )
        known[organisation_id] = [tuple(row) for row in rows]
    return known[organisation_id]


async def _webhook_deliveries(session: AsyncSession, event: OutboxEvent) -> list[uuid.UUID]:
    # A subscription with no event types takes every event.
    subscriptions = [
        (subscription_id,)
        for subscription_id, types in await _listening(session, event.organisation_id)
        if not types or event.type in types
    ]
    if not subscriptions:
        return []  # nobody listens: no snapshot to read
    body: dict[str, Any] = {
        "type": event.type,
        "timestamp": event.created_at.isoformat(),
        "data": {k: v for k, v in event.payload.items() if k != "type"},
    }
    if "document_id" in event.payload:
        body["document"] = await document_snapshot(
            session, event.organisation_id, event.payload["document_id"]
        )
    created = []
    for (subscription_id,) in subscriptions:
        result = await session.execute(
            _INSERT_DELIVERY,
            {
                "id": uuid.uuid4(),
                "organisation_id": event.organisation_id,
                "subscription_id": subscription_id,
                "event_id": event.id,
                "event_type": event.type,
                "body": body,
                "status": "pending",
                "next_attempt_at": utcnow(),
            },
        )
        delivery_id = result.scalar_one_or_none()
        if delivery_id:
            created.append(delivery_id)
    return created


@dataclass(frozen=True)
class ReviewRules:
    reminder_days: tuple[int, ...]
    escalation_months: int


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
    # Dorset: escalate to the Head of QA two months after the due date.
    if today >= due + relativedelta(months=rules.escalation_months):
        notices.append("escalated")
    return notices


def _reviewable(today: date, rules: ReviewRules) -> Select[Document]:
    horizon = today + timedelta(days=max(rules.reminder_days, default=0))
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
    made = await _existing(session, [key for keys in wanted.values() for key in keys])
    return [d for d in documents if not made.issuperset(wanted[d.id])]


async def _existing(session: AsyncSession, dedupe_keys: list[str]) -> set[str]:
    """Those of ``dedupe_keys`` that notifications already have, looked up together."""
    made: set[str] = set()
    for chunk in in_chunks(dedupe_keys):
        wanted = bindparam("keys", list(chunk), ARRAY(String))
        rows = await session.execute(
            select(Notification.dedupe_key).where(Notification.dedupe_key == any_(wanted))
        )
        made.update(rows.scalars())
    return made


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
        new = await _add(
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


async def plan_consultation_reminders(session: AsyncSession, now: datetime) -> Created:
    """Create the consultation reminders due at ``now`` for consultees yet to respond.

    Each threshold (days before the close) is created once per consultee, however often this
    runs and on however many workers at once.
    """
    return await _create_reminders(session, await consultation_notices.reminders_due(session, now))


async def plan_update_cycle_reminders(session: AsyncSession, today: date) -> Created:
    """Create the update cycle reminders due ``today`` for assignees with pending items, each
    threshold once per cycle and assignee, however often this runs."""
    return await _create_reminders(
        session, await update_cycle_notices.reminders_due(session, today)
    )


async def _create_reminders(session: AsyncSession, reminders: list[Reminder]) -> Created:

    async def add(reminder: Reminder) -> uuid.UUID | None:
        notice = reminder.notice
        return await _add(
            session,
            organisation_id=reminder.organisation_id,
            kind=notice.kind,
            dedupe_key=reminder.dedupe_key,
            person=notice.person,
            document=notice.document,
            context=notice.context,
            consultee=notice.consultee,
        )

    # A sweep runs every minute: what exists is passed over after one lookup for the lot.
    made = await _existing(session, [reminder.dedupe_key for reminder in reminders])
    waiting = [reminder for reminder in reminders if reminder.dedupe_key not in made]
    added = await each_in_savepoint(session, waiting, add, what="reminder")
    return Created([new for new in added if new], [])


async def claim(
    session: AsyncSession, notification_id: uuid.UUID, lease: timedelta
) -> Notification | None:
    """Take a due notification for sending, or None if it is not due or someone else has it."""
    return await claim_due(session, Notification, notification_id, lease)


async def claim_all(
    session: AsyncSession, notification_ids: Sequence[uuid.UUID], lease: timedelta
) -> list[Notification]:
    """``claim`` for several notifications in one statement: those taken, in the order given."""
    return await claim_all_due(session, Notification, notification_ids, lease)


# The sender's statements are built once per table (and per set of columns a finish sets):
# building them took about a sixth of the notifier's CPU per email.
@lru_cache
def _claim_statement(model: type[Row]) -> Any:
    now: Any = bindparam("now")
    return (
        update(model)
        .where(model.id == any_(bindparam("row_ids", type_=ARRAY(PG_UUID(as_uuid=True)))))
        .where(
            or_(
                and_(model.status == "pending", model.next_attempt_at <= now),
                and_(model.status == "sending", model.locked_until < now),
            )
        )
        .values(status="sending", attempts=model.attempts + 1, locked_until=bindparam("until"))
        .returning(model)
        .execution_options(synchronize_session=False)
    )


@lru_cache
def _finish_statement(model: type[Row], columns: tuple[str, ...]) -> Any:
    return (
        update(model)
        .where(
            model.id == bindparam("row_id"),
            model.status == "sending",
            model.attempts == bindparam("attempt"),
        )
        .values({column: bindparam(f"new_{column}") for column in columns})
        .returning(model.id)
        .execution_options(synchronize_session=False)
    )


async def claim_due(
    session: AsyncSession, model: type[Row], row_id: uuid.UUID, lease: timedelta
) -> Row | None:
    """Claim one due notification or webhook delivery for one more attempt (a conditional
    UPDATE, so only one sender wins); a claim whose lease ran out (the sender died) can be
    taken again. Both tables keep the same state columns."""
    claimed = await claim_all_due(session, model, [row_id], lease)
    return claimed[0] if claimed else None


async def claim_all_due(
    session: AsyncSession, model: type[Row], row_ids: Sequence[uuid.UUID], lease: timedelta
) -> list[Row]:
    """``claim_due`` for several rows in one statement: those of ``row_ids`` that are due, in
    the order given; the others are not due, or another sender has them."""
    now = utcnow()
    claimed = await session.execute(
        _claim_statement(model), {"row_ids": list(row_ids), "now": now, "until": now + lease}
    )
    by_id = {row.id: row for row in claimed.scalars()}
    return [by_id[row_id] for row_id in row_ids if row_id in by_id]


async def is_still_true(session: AsyncSession, notification: Notification) -> bool:
    """Whether a notice still holds when its turn to be sent comes.

    A review notice about a due date that has since moved (reviewed meanwhile) is void, and so
    is a notice about a meeting cancelled (or moved again) since: a later notice tells them.
    A request to decide a sign-off stage is void once the stage no longer waits for it, and an
    invitation or reminder to respond to a consultation once it no longer asks for a response.
    """
    registered = KINDS.get(notification.kind)
    checker = STILL_APPLIES.get(registered.family) if registered else None
    if checker is not None:
        return await checker(session, notification.kind, notification.context)
    if registered is None or registered.family != "review" or notification.document_id is None:
        return True
    document = await session.get(Document, notification.document_id)
    if document is None or document.status in NO_LONGER_IN_FORCE:
        return False
    due = document.next_review_due
    return due is not None and due.isoformat() == notification.context.get("due_date")


async def finish_claimed(
    session: AsyncSession, model: type[Row], row_id: uuid.UUID, attempt: int, values: dict[str, Any]
) -> bool:
    """Record the outcome of the attempt ``attempt`` of a claimed notification or delivery, only
    if that attempt still holds the claim; False (and nothing changed) otherwise.

    A sender whose lease ran out may have been overtaken: another worker claimed the row again
    (one more attempt) and may already have sent it. The late sender's outcome must not undo
    that, so the UPDATE matches the row only while it is still "sending" at the same attempt.
    """
    columns = tuple(sorted(values))
    result = await session.execute(
        _finish_statement(model, columns),
        {"row_id": row_id, "attempt": attempt, **{f"new_{c}": values[c] for c in columns}},
    )
    if result.scalar_one_or_none() is not None:
        return True
    logger.warning(
        "stale finish ignored: %s %s attempt %d would have become %r; it no longer holds its claim",
        model.__tablename__,
        row_id,
        attempt,
        values.get("status"),
    )
    return False


async def give_back(
    session: AsyncSession, model: type[Row], row: Row, at: datetime | None = None
) -> bool:
    """Undo the claim of a row that was not attempted after all (its sender ran short of its
    lease, or found the server down): pending again, the attempt not counted, due at ``at`` or
    when it was. False if the claim is no longer ours."""
    values: dict[str, Any] = {"status": "pending", "attempts": row.attempts - 1}
    values["locked_until"] = None
    if at is not None:
        values["next_attempt_at"] = at
    return await finish_claimed(session, model, row.id, row.attempts, values)


async def finish(
    session: AsyncSession,
    notification: Notification,
    status: str,
    *,
    error: str | None = None,
    retry_at: datetime | None = None,
) -> bool:
    """Record the outcome of the attempt claimed as ``notification``: sent, failed, cancelled,
    or pending for a retry. False, and nothing changed, if the attempt is no longer ours."""
    values: dict[str, Any] = {"status": status, "locked_until": None, "last_error": error}
    if status == "sent":
        values["sent_at"] = utcnow()
    if retry_at is not None:
        values["next_attempt_at"] = retry_at
    return await finish_claimed(
        session, Notification, notification.id, notification.attempts, values
    )


async def due_for_sending(
    session: AsyncSession,
    model: type[Notification] | type[WebhookDelivery],
    now: datetime,
    due_by: datetime | None = None,
    limit: int = 1000,
) -> list[tuple[uuid.UUID, int]]:
    """(id, attempts) of the rows a queue should hold now: pending ones due by ``due_by``
    (``now`` if not given) and lapsed claims.

    Works for notifications and webhook deliveries alike: both keep the same state columns.
    """
    rows = await session.execute(
        select(model.id, model.attempts)
        .where(
            or_(
                and_(model.status == "pending", model.next_attempt_at <= (due_by or now)),
                and_(model.status == "sending", model.locked_until < now),
            )
        )
        .order_by(model.next_attempt_at)
        .limit(limit)
    )
    return [(r[0], r[1]) for r in rows]


async def list_notifications(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    *,
    status: str | None = None,
    kind: str | None = None,
    document_id: uuid.UUID | None = None,
    before: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[Notification]:
    """An organisation's notifications, newest first, with the state of each."""
    query = select(Notification).where(Notification.organisation_id == organisation_id)
    if status:
        query = query.where(Notification.status == status)
    if kind:
        query = query.where(Notification.kind == kind)
    if document_id:
        query = query.where(Notification.document_id == document_id)
    if before:
        query = query.where(before_row(Notification.created_at, Notification.id, before))
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return list((await session.execute(query)).scalars())

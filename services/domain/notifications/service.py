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
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    String,
    Table,
    any_,
    bindparam,
    select,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.clock import utcnow
from services.domain.db import in_chunks
from services.domain.events import Event, TrackerImportRequested, parse_event
from services.domain.models.consultations import Consultee
from services.domain.models.documents import Document
from services.domain.models.notifications import Notification, NotificationStatus
from services.domain.models.organisations import Organisation
from services.domain.models.outbox import OutboxEvent
from services.domain.models.people import Person
from services.domain.models.webhooks import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookSubscription,
)
from services.domain.notices.kinds import require_registered
from services.domain.notices.notice import Notice
from services.domain.notifications.document_snapshot import document_snapshot
from services.domain.notifications.handlers import HANDLERS
from services.domain.organisations.words import in_words, roles_held, words_of
from services.domain.pagination import before_row
from services.domain.people.policy_team import policy_contact

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


async def add_notification(
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
    caused_by: OutboxEvent | None = None,
) -> uuid.UUID | None:
    """Insert one notification unless its dedupe key exists; its id if it was created.

    A notice about one document carries its id, reference and title, and, for a person, the
    roles they hold on it (``your_roles``); one about a meeting with several documents (or
    none) carries none of them. Every notice carries the organisation's ``words`` (its role
    titles and citations). With no person, it goes to the consultee's own name and address
    (an external consultee has no account). ``caused_by``: the event whose request id and
    trace context it carries.
    """
    require_registered(kind)
    if person is not None:
        name, email = person.name, person.email
    else:
        assert consultee is not None, "a notification goes to a person or a consultee"
        name, email = consultee.name, consultee.email
    full_context = await _full_context(session, organisation_id, name, person, document, context)
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
            "status": NotificationStatus.PENDING,
            "next_attempt_at": utcnow(),
            "request_id": caused_by.request_id if caused_by else None,
            "traceparent": caused_by.traceparent if caused_by else None,
        },
    )
    return result.scalar_one_or_none()


async def _full_context(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    name: str,
    person: Person | None,
    document: Document | None,
    context: dict[str, Any],
) -> dict[str, Any]:
    """What every notice carries (see ``add_notification``), then the notice's own context."""
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
    return full_context


async def fan_out_all(session: AsyncSession, events: Sequence[OutboxEvent]) -> Created:
    """``fan_out`` for a relay round's events, with the documents and people they name read
    in one query each first (the handlers then find them in the session, not one at a time)."""
    typed = [parse_event(event.payload) for event in events]  # once each
    await _read_ahead(session, typed)
    created = Created([], [])
    for event, happened in zip(events, typed, strict=True):
        result = await fan_out(session, event, happened)
        created.notifications.extend(result.notifications)
        created.deliveries.extend(result.deliveries)
        created.imports.extend(result.imports)
    return created


async def _read_ahead(session: AsyncSession, typed: Sequence[Event]) -> None:
    documents: set[uuid.UUID] = set()
    people: set[uuid.UUID] = set()
    for happened in typed:
        document_id = getattr(happened, "document_id", None)
        if isinstance(document_id, uuid.UUID):
            documents.add(document_id)
        # The people a change names (document.people_assigned) or an import names.
        for named in (*getattr(happened, "assigned", ()), *getattr(happened, "named", ())):
            people.add(named.person_id)
    for model, ids in ((Document, documents), (Person, people)):
        if ids:
            # Held by the session: its identity map keeps only weak references, and the
            # handlers' session.get() finds only what is still alive there.
            rows = await session.execute(select(model).where(model.id.in_(ids)))
            session.info.setdefault("read_ahead", []).extend(rows.scalars())


async def fan_out(
    session: AsyncSession, event: OutboxEvent, happened: Event | None = None
) -> Created:
    """The notifications, webhook deliveries and background imports one outbox event calls for
    (``happened``: the event parsed already, as ``fan_out_all`` does for a round)."""
    notifications: list[uuid.UUID] = []
    notices: list[Notice] = []
    if happened is None:
        happened = parse_event(event.payload)  # once: every handler reads the typed event
    for handler in HANDLERS.get(type(happened), ()):
        notices += await handler(session, happened)
    for notice in _one_per_recipient(event, notices):
        created = await add_notification(
            session,
            organisation_id=event.organisation_id,
            kind=notice.kind,
            dedupe_key=f"event:{event.id}:{notice.recipient_key}",
            person=notice.person,
            document=notice.document,
            context=notice.context,
            event_id=event.id,
            consultee=notice.consultee,
            caused_by=event,
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
                "status": DeliveryStatus.PENDING,
                "next_attempt_at": utcnow(),
                "request_id": event.request_id,
                "traceparent": event.traceparent,
            },
        )
        delivery_id = result.scalar_one_or_none()
        if delivery_id:
            created.append(delivery_id)
    return created


async def existing_keys(session: AsyncSession, dedupe_keys: list[str]) -> set[str]:
    """Those of ``dedupe_keys`` that notifications already have, looked up together."""
    made: set[str] = set()
    for chunk in in_chunks(dedupe_keys):
        wanted = bindparam("keys", list(chunk), ARRAY(String))
        rows = await session.execute(
            select(Notification.dedupe_key).where(Notification.dedupe_key == any_(wanted))
        )
        made.update(rows.scalars())
    return made


async def list_notifications(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    *,
    status: NotificationStatus | None = None,
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

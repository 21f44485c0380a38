"""Who is told about launch and cascade, and what their email says.

- ``communication_plan.overdue``: planned by the notifier's sweep (``reminders_due``) the day
  after a plan item's date passes unsent, once, to whoever the item names to send it; void
  once the item is marked sent or removed.
- ``news.digest``: planned by the sweep (``digests_due``) once per subscriber and period
  (weekly, or monthly; the organisation's ``digest_frequency`` and ``digest_weekday``), when
  something the subscriber chose was issued, changed or retired in the period.

Context keys (besides those every email has): the overdue reminder ``item_id``,
``plan_path``, ``audience``, ``channel`` (its words), ``planned_on`` and ``version``; the
digest ``frequency``, ``starts_on``, ``ends_on``, ``counts`` (per change), ``entries``
(``change``, ``document_id``, ``reference``, ``title``, ``kind``, ``service_area``,
``number``, ``summary``, ``on``) and ``more`` (entries left out).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.db import in_chunks
from services.domain.launch import digest
from services.domain.launch.periods import Period
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.launch import Channel, CommunicationPlanItem, DigestSubscription
from services.domain.models.notifications import Notification
from services.domain.models.organisations import Organisation
from services.domain.notices.notice import Notice, Reminder
from services.domain.notices.recipients import active_people_by_id

OVERDUE = "communication_plan.overdue"
DIGEST = "news.digest"
# An item this many days late gets no reminder (a plan written after the event).
OVERDUE_HORIZON = timedelta(days=30)
CHANNEL_WORDS = {
    Channel.EMAIL: "email",
    Channel.INTRANET_NEWS: "intranet news",
    Channel.TRIX_NEWS: "Tri.x news",
    Channel.NEWSLETTER: "newsletter",
    Channel.TEAM_MEETINGS: "team and service meetings",
    Channel.HUB_PAGE: "Hub page",
    Channel.OTHER: "other",
}


def channel_words(item: CommunicationPlanItem) -> str:
    """ "Channel C (newsletter)", "Tri.x news"."""
    words = CHANNEL_WORDS[Channel(item.channel)]
    return f"{item.channel_name} ({words})" if item.channel_name else words


async def still_applies(session: AsyncSession, kind: str, context: dict[str, Any]) -> bool:
    """An overdue reminder is void once its item is sent or removed; a digest stays true."""
    if kind != OVERDUE:
        return True
    item = await session.get(CommunicationPlanItem, uuid.UUID(context["item_id"]))
    return item is not None and item.sent_at is None


async def reminders_due(session: AsyncSession, today: date) -> list[Reminder]:
    """Each plan item whose day has passed unsent (within the horizon), once, to its owner."""
    rows = await session.execute(
        select(CommunicationPlanItem, Document, DocumentVersion)
        .join(Document, Document.id == CommunicationPlanItem.document_id)
        .join(DocumentVersion, DocumentVersion.id == CommunicationPlanItem.version_id)
        .where(
            CommunicationPlanItem.sent_at.is_(None),
            CommunicationPlanItem.planned_on < today,
            CommunicationPlanItem.planned_on >= today - OVERDUE_HORIZON,
        )
        .order_by(CommunicationPlanItem.planned_on, CommunicationPlanItem.id)
    )
    found = rows.all()
    owners: dict[uuid.UUID, Any] = {}
    for org in {item.organisation_id for item, _, _ in found}:
        ids = [item.owner_id for item, _, _ in found if item.organisation_id == org]
        owners.update(await active_people_by_id(session, org, ids))
    due = []
    for item, document, version in found:
        owner = owners.get(item.owner_id)
        if owner is None:
            continue
        context = {
            "item_id": str(item.id),
            "plan_path": f"/v1/documents/{document.id}/versions/{version.id}/communication-plan",
            "audience": item.audience,
            "channel": channel_words(item),
            "planned_on": item.planned_on.isoformat(),
            "version": version.number,
        }
        key = f"communication_plan_item:{item.id}:overdue"
        due.append(Reminder(item.organisation_id, key, Notice(OVERDUE, owner, context, document)))
    return due


async def _waiting(
    session: AsyncSession, period: Period, subscriptions: list[DigestSubscription]
) -> list[DigestSubscription]:
    """Those without this period's digest yet: once everyone has theirs (the sweep runs every
    minute), the period's announcements are not read again."""
    keys = {f"digest:{period.key}:{s.person_id}": s for s in subscriptions}
    made: set[str] = set()
    for chunk in in_chunks(list(keys)):
        rows = await session.execute(
            select(Notification.dedupe_key).where(Notification.dedupe_key.in_(chunk))
        )
        made.update(rows.scalars())
    return [s for key, s in keys.items() if key not in made]


async def digests_due(session: AsyncSession, today: date) -> list[Reminder]:
    """Each subscriber's digest of their organisation's latest period, if it has anything."""
    orgs = (
        await session.execute(select(Organisation).where(Organisation.digest_frequency != "off"))
    ).scalars()
    due = []
    for org in orgs:
        period = digest.period_of(org, today)
        if period is None:
            continue
        subscriptions = await _waiting(
            session, period, await digest.subscribers_of(session, org, period)
        )
        if not subscriptions:
            continue
        made = await digest.digests_for(session, org, period, subscriptions)
        people = await active_people_by_id(session, org.id, [s.person_id for s, _ in made])
        labels = await digest.kind_labels(session, org.id)
        for subscription, found in made:
            person = people.get(subscription.person_id)
            if person is None:
                continue
            key = f"digest:{period.key}:{person.id}"
            notice = Notice(DIGEST, person, found.context(labels))
            due.append(Reminder(org.id, key, notice))
    return due

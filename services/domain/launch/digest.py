"""The digest: what was issued, changed or retired in a period, for one subscriber.

Birmingham 11: "updates will be communicated via the 'news' section of Trix and the weekly
email communication"; Dorset 5.2: monthly, "via the Quality Assurance Newsletter". One digest
per subscriber per period (its key in the notification's dedupe key); nothing to say, no
email.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz import launch as authz
from services.domain.authz.principal import Principal
from services.domain.launch import subscriptions
from services.domain.launch.announcements import announcements_between
from services.domain.launch.periods import Period, current_period, latest_period
from services.domain.launch.subscriptions import lists
from services.domain.models.documents import DocumentKind
from services.domain.models.launch import Announcement, DigestSubscription
from services.domain.models.organisations import Organisation

# What one email lists at most; the rest are counted ("and 12 more") and are on the feed.
MAX_ENTRIES = 50
# What one period's digests read at most, for everyone in the organisation.
MAX_PERIOD = 1000
SUMMARY_WORDS = 600  # characters of each change summary in the email


@dataclass(frozen=True)
class Digest:
    period: Period
    entries: list[Announcement]

    def context(self, kind_labels: dict[str, str]) -> dict[str, Any]:
        """What the email's templates read (``news.digest``)."""
        shown = self.entries[:MAX_ENTRIES]
        return {
            "frequency": self.period.frequency,
            "period_key": self.period.key,
            "starts_on": self.period.starts_on.isoformat(),
            "ends_on": self.period.ends_on.isoformat(),
            "counts": {c: sum(1 for e in self.entries if e.change == c) for c in _CHANGES},
            "entries": [_entry(e, kind_labels) for e in shown],
            "more": len(self.entries) - len(shown),
        }


_CHANGES = ("issued", "changed", "retired")


def _entry(a: Announcement, kind_labels: dict[str, str]) -> dict[str, Any]:
    summary = a.summary if len(a.summary) <= SUMMARY_WORDS else a.summary[:SUMMARY_WORDS] + "…"
    return {
        "change": str(a.change),
        "document_id": str(a.document_id),
        "reference": a.reference,
        "title": a.title,
        "kind": kind_labels.get(a.kind, a.kind),
        "service_area": a.service_area,
        "number": a.number,
        "summary": summary,
        "on": a.happened_at.date().isoformat(),
    }


async def kind_labels(session: AsyncSession, organisation_id: uuid.UUID) -> dict[str, str]:
    rows = await session.execute(
        select(DocumentKind.key, DocumentKind.label).where(
            DocumentKind.organisation_id == organisation_id
        )
    )
    return {key: label for key, label in rows.all()}


def period_of(org: Organisation, today: date, *, current: bool = False) -> Period | None:
    """The organisation's latest period due (or, ``current``, the one running now)."""
    pick = current_period if current else latest_period
    return pick(org.digest_frequency, org.digest_weekday, today)


async def digests_for(
    session: AsyncSession,
    org: Organisation,
    period: Period,
    subscriptions: Sequence[DigestSubscription],
) -> list[tuple[DigestSubscription, Digest]]:
    """Each subscriber's digest of ``period`` with something in it (one query for all)."""
    found = await announcements_between(session, org.id, period.start, period.end, limit=MAX_PERIOD)
    made = []
    for subscription in subscriptions:
        entries = [a for a in found if lists(subscription, a.service_area, a.kind)]
        if entries:
            made.append((subscription, Digest(period, entries)))
    return made


async def subscribers_of(
    session: AsyncSession, org: Organisation, period: Period
) -> list[DigestSubscription]:
    """Who subscribed before the period's digest day: a digest is for what comes after."""
    rows = await session.execute(
        select(DigestSubscription)
        .where(
            DigestSubscription.organisation_id == org.id,
            DigestSubscription.created_at < period.end,
        )
        .order_by(DigestSubscription.created_at, DigestSubscription.id)
    )
    return list(rows.scalars())


async def preview(
    session: AsyncSession,
    principal: Principal,
    *,
    person_id: uuid.UUID | None,
    current: bool,
    today: date,
) -> tuple[Period | None, DigestSubscription | None, list[Announcement]]:
    """What a digest lists (the policy team): the latest period sent, or the one running now
    (``current``); a person's as their subscription narrows it, else everything. The period is
    None when the organisation's digest is off."""
    authz.check_manage_news(principal)
    org = await session.get(Organisation, principal.organisation_id)
    assert org is not None
    subscription = None
    if person_id is not None:
        subscription = await subscriptions.get_subscription(session, principal, person_id)
    period = period_of(org, today, current=current)
    if period is None:
        return None, subscription, []
    found = await announcements_between(session, org.id, period.start, period.end, limit=MAX_PERIOD)
    if subscription is not None:
        found = [a for a in found if lists(subscription, a.service_area, a.kind)]
    return period, subscription, found

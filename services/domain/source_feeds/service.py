"""Polling a statutory source's feed: new entries become changes, each with its batch of reviews.

By request (``POST /v1/statutory-sources/{id}/feed-check``, the policy team) or by the
notifier's daily sweep of every source with a ``feed_url``. The feed is fetched and parsed
before anything is written; then, in one transaction, each entry not recorded before becomes a
change (``statutory_sources/changes.py``), so reading the same feed again records nothing. A
feed that cannot be read answers a 502 problem to a request; the sweep records the failure on
the source (``feed_error``, ``feed_failures``) in a transaction of its own, and no batch is
half-written.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.authz import statutory_sources as authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.errors import Conflict, DomainError
from services.domain.heavy_work import run_bounded
from services.domain.models.statutory_sources import StatutorySource, StatutorySourceChange
from services.domain.settings import Settings
from services.domain.source_feeds.fetch import fetch_feed
from services.domain.statutory_sources.changes import record_feed_entries
from services.domain.statutory_sources.feed import FeedEntry, parse_atom
from services.domain.statutory_sources.service import get_source
from services.domain.webhooks.addresses import Resolver, resolve

logger = logging.getLogger(__name__)
# The sweep polls a feed read longer ago than this (daily, with slack for the sweep's hour).
POLL_EVERY = timedelta(hours=20)
# Sources polled by one sweep; the rest wait for the next.
SWEEP_BATCH = 200


@dataclass(frozen=True)
class FeedCheck:
    """What one poll found: the entries read and the changes recorded from them."""

    source: StatutorySource
    entries: int
    changes: list[StatutorySourceChange]


async def read_feed(url: str, settings: Settings, resolver: Resolver = resolve) -> list[FeedEntry]:
    """The feed's entries: fetched within bounds, parsed off the event loop."""
    data = await fetch_feed(url, settings, resolver)
    entries: list[FeedEntry] = await run_bounded(
        parse_atom, data, settings.source_feed_max_entries, limits=settings.heavy_limits
    )
    return entries


async def check_feed(
    session: AsyncSession,
    principal: Principal,
    source_id: uuid.UUID,
    settings: Settings,
    resolver: Resolver = resolve,
) -> FeedCheck:
    """Poll one source's feed now and record its new entries as changes."""
    authz.check_manage(principal)
    source = await get_source(session, principal, source_id)
    if not source.feed_url:
        raise Conflict("This source names no feed: set its feed_url first.")
    # Read before any lock is taken or row written: a slow feed holds nothing.
    entries = await read_feed(source.feed_url, settings, resolver)
    source = await get_source(session, principal, source_id, for_update=True)
    changes = await record_feed_entries(session, principal, source, entries)
    source.feed_checked_at = utcnow()
    source.feed_error, source.feed_failures = "", 0
    return FeedCheck(source, len(entries), changes)


@dataclass
class FeedSweep:
    """What one sweep did: sources read, changes recorded, feeds that failed."""

    polled: int = 0
    changes: int = 0
    failed: list[uuid.UUID] = field(default_factory=list)


async def _due(sessionmaker: async_sessionmaker[AsyncSession]) -> list[tuple[uuid.UUID, uuid.UUID]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            select(StatutorySource.organisation_id, StatutorySource.id)
            .where(
                StatutorySource.feed_url.is_not(None),
                or_(
                    StatutorySource.feed_checked_at.is_(None),
                    StatutorySource.feed_checked_at < utcnow() - POLL_EVERY,
                ),
            )
            .order_by(StatutorySource.feed_checked_at.nulls_first(), StatutorySource.id)
            .limit(SWEEP_BATCH)
        )
        return [(org, source) for org, source in rows]


async def _record_failure(
    sessionmaker: async_sessionmaker[AsyncSession], source_id: uuid.UUID, why: str
) -> None:
    async with sessionmaker() as session, session.begin():
        source = await session.get(StatutorySource, source_id, with_for_update=True)
        if source is None:
            return
        source.feed_checked_at = utcnow()
        source.feed_error = why[:2000]
        source.feed_failures += 1


async def poll_feeds(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    resolver: Resolver = resolve,
) -> FeedSweep:
    """Poll every feed not read for a day, each source in its own transaction; a feed that
    fails is recorded on its source and the others are still read."""
    swept = FeedSweep()
    for organisation_id, source_id in await _due(sessionmaker):
        system = Principal.system(organisation_id, "statutory source feed")
        try:
            async with sessionmaker() as session, session.begin():
                found = await check_feed(session, system, source_id, settings, resolver)
        except DomainError as error:  # unreachable, refused, too big, garbage, too slow
            logger.warning("statutory source %s: feed not read: %s", source_id, error.detail)
            await _record_failure(sessionmaker, source_id, error.detail)
            swept.failed.append(source_id)
            continue
        swept.polled += 1
        swept.changes += len(found.changes)
    return swept

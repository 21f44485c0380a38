"""The tracker's weekly snapshots: each organisation's RAG counts per service area, once a week,
so a board sees the trend (issue 20, item 5).

A week starts on its Monday (London). The sweep takes each organisation's snapshot on its first
run of the week, once (the snapshot row is unique per organisation and week; a second run, or a
second worker, inserts nothing). The policy team may take the current week's again
(``retake``: after an import, or on a Wednesday when the notifier was down on Monday): it
replaces that week's counts; earlier weeks are history and are never rewritten.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import cast

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz import reviews as authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.documents.review_dates import ReviewRules
from services.domain.models.documents import Document
from services.domain.models.organisations import Organisation
from services.domain.models.tracker import TrackerSnapshot, TrackerSnapshotCount
from services.domain.sweeps import each_in_savepoint
from services.domain.tracker.rag import RAGS, Rag, rag_expression
from services.domain.tracker.service import tracked_conditions

MAX_WEEKS = 104


def week_starting(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class AreaRag:
    """A service area's counts (``service_area`` None: documents without one)."""

    service_area: str | None
    counts: dict[Rag, int] = field(default_factory=lambda: dict.fromkeys(RAGS, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _ordered(areas: dict[str | None, AreaRag]) -> list[AreaRag]:
    """Named areas by name, then documents without one."""
    named = sorted(
        (a for k, a in areas.items() if k is not None), key=lambda a: a.service_area or ""
    )
    return named + ([areas[None]] if None in areas else [])


async def rag_by_area(
    session: AsyncSession, organisation_id: uuid.UUID, today: date, rules: ReviewRules
) -> list[AreaRag]:
    """How many of the organisation's tracked documents are red, amber and green on ``today``
    per service area, in one query. Areas typed in different cases count as one, named as the
    first spelling in order."""
    rag = rag_expression(today, rules).label("rag")
    query = (
        select(func.min(Document.service_area), rag, func.count())
        .where(Document.organisation_id == organisation_id, *tracked_conditions())
        .group_by(func.lower(Document.service_area), rag)
    )
    areas: dict[str | None, AreaRag] = {}
    for name, found, count in (await session.execute(query)).all():
        key = name.lower() if name else None
        areas.setdefault(key, AreaRag(name)).counts[cast(Rag, found)] = count
    return _ordered(areas)


async def _write(
    session: AsyncSession, organisation_id: uuid.UUID, today: date, rules: ReviewRules
) -> uuid.UUID | None:
    """The week's snapshot, unless it exists: its id, or None."""
    inserted = await session.execute(
        insert(TrackerSnapshot)
        .values(
            id=uuid.uuid4(),
            organisation_id=organisation_id,
            week_starting=week_starting(today),
            taken_on=today,
            taken_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["organisation_id", "week_starting"])
        .returning(TrackerSnapshot.id)
    )
    snapshot_id = inserted.scalar_one_or_none()
    if snapshot_id is None:
        return None
    rows = [
        {
            "organisation_id": organisation_id,
            "snapshot_id": snapshot_id,
            "service_area": area.service_area or "",
            "rag": rag,
            "count": count,
        }
        for area in await rag_by_area(session, organisation_id, today, rules)
        for rag, count in area.counts.items()
    ]
    if rows:
        await session.execute(insert(TrackerSnapshotCount), rows)
    return snapshot_id


async def take_one(
    session: AsyncSession, organisation_id: uuid.UUID, today: date, rules: ReviewRules
) -> int:
    """The organisation's snapshot of ``today``'s week as of ``today``, unless it has one (the
    demo's history); 1 if taken."""
    return int(await _write(session, organisation_id, today, rules) is not None)


# The demo's weeks before this one: a quarter of a year, as the report shows.
HISTORY_WEEKS = 12


async def take_history(
    session: AsyncSession, organisation_id: uuid.UUID, today: date, rules: ReviewRules
) -> int:
    """This week's snapshot and the HISTORY_WEEKS before it, those missing (seed-demo): each
    worked out from the documents as they are, the week's Monday as "today", what the tracker
    would have said had the sweep run then. How many were taken."""
    days = [week_starting(today - timedelta(weeks=n)) for n in range(HISTORY_WEEKS, 0, -1)]
    taken = 0
    for day in [*days, today]:
        taken += await take_one(session, organisation_id, day, rules)
    return taken


async def take_due(session: AsyncSession, today: date, rules: ReviewRules) -> int:
    """The sweep: this week's snapshot of every organisation that has none yet, each in its
    own savepoint; how many were taken."""
    week = week_starting(today)
    taken = select(TrackerSnapshot.organisation_id).where(TrackerSnapshot.week_starting == week)
    missing = await session.execute(
        select(Organisation.id).where(Organisation.id.not_in(taken)).order_by(Organisation.id)
    )

    async def take(organisation_id: uuid.UUID) -> bool:
        return await _write(session, organisation_id, today, rules) is not None

    done = await each_in_savepoint(
        session, list(missing.scalars()), take, what="organisation's tracker snapshot"
    )
    return sum(done)


async def retake(
    session: AsyncSession, principal: Principal, today: date, rules: ReviewRules
) -> TrackerSnapshot:
    """Take the current week's snapshot again, as of ``today``, replacing the week's."""
    authz.check_snapshot(principal)
    await session.execute(
        delete(TrackerSnapshot).where(
            TrackerSnapshot.organisation_id == principal.organisation_id,
            TrackerSnapshot.week_starting == week_starting(today),
        )
    )
    snapshot_id = await _write(session, principal.organisation_id, today, rules)
    snapshot = await session.get(TrackerSnapshot, snapshot_id)
    assert snapshot is not None
    return snapshot


@dataclass(frozen=True)
class Week:
    week_starting: date
    taken_on: date
    areas: list[AreaRag]

    @property
    def totals(self) -> dict[Rag, int]:
        return {rag: sum(a.counts[rag] for a in self.areas) for rag in RAGS}


async def trend(
    session: AsyncSession,
    principal: Principal,
    *,
    today: date,
    weeks: int,
    service_area: str | None = None,
) -> list[Week]:
    """The snapshots of the last ``weeks`` weeks (this one included), oldest first; weeks with
    no snapshot are left out. ``service_area``: that area's counts alone (any case)."""
    authz.check_read_tracker(principal)
    since = week_starting(today) - timedelta(weeks=weeks - 1)
    snapshots = list(
        (
            await session.execute(
                select(TrackerSnapshot)
                .where(
                    TrackerSnapshot.organisation_id == principal.organisation_id,
                    TrackerSnapshot.week_starting >= since,
                )
                .order_by(TrackerSnapshot.week_starting)
            )
        ).scalars()
    )
    counts = select(TrackerSnapshotCount).where(
        TrackerSnapshotCount.snapshot_id.in_([s.id for s in snapshots])
    )
    if service_area is not None:
        counts = counts.where(func.lower(TrackerSnapshotCount.service_area) == service_area.lower())
    by_snapshot: dict[uuid.UUID, dict[str | None, AreaRag]] = {s.id: {} for s in snapshots}
    for row in (await session.execute(counts)).scalars() if snapshots else []:
        name = row.service_area or None
        by_snapshot[row.snapshot_id].setdefault(name, AreaRag(name)).counts[cast(Rag, row.rag)] = (
            row.count
        )
    return [Week(s.week_starting, s.taken_on, _ordered(by_snapshot[s.id])) for s in snapshots]

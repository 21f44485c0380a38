"""Time-driven work: review reminders and escalations, opening and closing consultations and
reminding their consultees, reminding that dis-applications end and marking them expired,
the staff side's reminders (staff_sweeps.py), re-queueing what Redis lost, and keeping a
year of meetings generated.

Generating meetings is business state, not the state of a notification: the domain function
``extend_schedules`` decides and does it. It is run from here only because it needs a daily
clock and the notifier is the process that has one. Like the review sweep it is idempotent
(each schedule occurrence is inserted once, keyed by its date), so running it every minute,
twice at once or after a missed day does no harm. Opening and closing consultations is the
same: ``open_due`` and ``close_due`` decide and do it, each consultation once.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services import tracing
from services.domain.boards.schedule import extend_schedules
from services.domain.clock import london_today, utcnow
from services.domain.consultations import lifecycle
from services.domain.dis_applications import ending as dis_application_ending
from services.domain.documents.review_dates import ReviewRules
from services.domain.notifications import reminders, review_schedule
from services.domain.retention import service as retention
from services.domain.reviews import update_cycle_closing
from services.domain.settings import Settings
from services.domain.tracker import snapshots as tracker_snapshots
from services.notifier.health import log_failure
from services.notifier.metrics import NotifierMetrics, timed
from services.notifier.relay import enqueue_created, requeue_due
from services.notifier.staff_sweeps import sweep_staff_side
from services.notifier.transport import Transport

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepReport:
    review_notices: int
    requeued_notifications: int
    requeued_deliveries: int
    meetings_generated: int
    consultations_opened: int = 0
    consultations_closed: int = 0
    consultation_reminders: int = 0
    update_cycles_closed: int = 0
    update_cycle_reminders: int = 0
    dis_applications_expired: int = 0
    dis_application_reminders: int = 0
    monitoring_reminders: int = 0
    acknowledgement_reminders: int = 0
    acknowledgements_escalated: int = 0
    launch_notices: int = 0
    sign_off_stages_chased: int = 0
    sign_off_stages_escalated: int = 0
    tracker_snapshots: int = 0


@dataclass(frozen=True)
class ConsultationSweep:
    opened: int
    closed: int
    reminders: int


async def sweep_reviews(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    transport: Transport,
    today: date | None = None,
) -> int:
    """Create today's review reminders, overdue notices and escalations, and queue them."""
    rules = ReviewRules.from_settings(settings)
    async with sessionmaker() as session, session.begin():
        created = await review_schedule.plan_review_notices(session, today or london_today(), rules)
    await enqueue_created(transport, created)
    return len(created.notifications)


async def sweep_tracker_snapshots(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, today: date | None = None
) -> int:
    """Take this week's RAG snapshot of every organisation that has none yet (the first run
    on or after Monday takes it; the rest of the week finds it taken)."""
    rules = ReviewRules.from_settings(settings)
    async with sessionmaker() as session, session.begin():
        return await tracker_snapshots.take_due(session, today or london_today(), rules)


async def sweep_consultations(
    sessionmaker: async_sessionmaker[AsyncSession],
    transport: Transport,
    now: datetime | None = None,
) -> ConsultationSweep:
    """Open and close the consultations due, then remind those yet to respond, and queue it."""
    now = now or utcnow()
    # Each in its own transaction: the events they emit (invitations, closing notices and
    # summaries) are relayed once it commits, and a failure to close does not undo the opening.
    async with sessionmaker() as session, session.begin():
        opened = await lifecycle.open_due(session, now)
    async with sessionmaker() as session, session.begin():
        closed = await lifecycle.close_due(session, now)
    async with sessionmaker() as session, session.begin():
        created = await reminders.plan_consultation_reminders(session, now)
    await enqueue_created(transport, created)
    return ConsultationSweep(opened, closed, len(created.notifications))


@dataclass(frozen=True)
class UpdateCycleSweep:
    closed: int
    reminders: int


async def sweep_update_cycles(
    sessionmaker: async_sessionmaker[AsyncSession],
    transport: Transport,
    today: date | None = None,
) -> UpdateCycleSweep:
    """Close the Trix update cycles whose deadline day has ended (carrying their pending items
    over), then remind assignees of the open ones, and queue it."""
    today = today or london_today()
    # Closing first, in its own transaction: a closed cycle gets no reminder, and the closing
    # report and the carried-over cycle's emails are relayed once it commits.
    async with sessionmaker() as session, session.begin():
        closed = await update_cycle_closing.close_due(session, today)
    async with sessionmaker() as session, session.begin():
        created = await reminders.plan_update_cycle_reminders(session, today)
    await enqueue_created(transport, created)
    return UpdateCycleSweep(closed, len(created.notifications))


@dataclass(frozen=True)
class DisApplicationSweep:
    expired: int
    reminders: int


async def sweep_dis_applications(
    sessionmaker: async_sessionmaker[AsyncSession],
    transport: Transport,
    today: date | None = None,
) -> DisApplicationSweep:
    """Mark expired the approved dis-applications whose end date has passed (their requester
    and owner are told through the outbox), then remind of those ending soon, and queue it."""
    today = today or london_today()
    # Expiry first, in its own transaction: an expired one gets no reminder, and its notices
    # are relayed once it commits.
    async with sessionmaker() as session, session.begin():
        expired = await dis_application_ending.expire_due(session, today)
    async with sessionmaker() as session, session.begin():
        created = await reminders.plan_dis_application_reminders(session, today)
    await enqueue_created(transport, created)
    return DisApplicationSweep(expired, len(created.notifications))


async def sweep_meetings(
    sessionmaker: async_sessionmaker[AsyncSession], today: date | None = None
) -> int:
    """Generate the meetings each board's schedule gives over the next twelve months."""
    # Its own transaction: the MeetingScheduled events it emits are relayed once it commits.
    async with sessionmaker() as session, session.begin():
        return await extend_schedules(session, today or london_today())


async def sweep_all(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    transport: Transport,
    today: date | None = None,
    now: datetime | None = None,
    metrics: NotifierMetrics | None = None,
) -> SweepReport:
    """Every sweep, once (policygov notifier sweep --once, and the cron job); each timed when
    the notifier has metrics."""
    with tracing.span("notifier.sweep"):
        return await _sweep_all(sessionmaker, settings, transport, today, now, metrics)


async def _sweep_all(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    transport: Transport,
    today: date | None,
    now: datetime | None,
    metrics: NotifierMetrics | None,
) -> SweepReport:
    """Long because it runs every sweep in turn, a failure of one logged and the rest run, and
    reports them together."""
    started = time.perf_counter()
    with timed(metrics, "reviews"):
        notices = await sweep_reviews(sessionmaker, settings, transport, today)
    try:
        with timed(metrics, "consultations"):
            consultations = await sweep_consultations(sessionmaker, transport, now)
    except Exception as exc:
        # Logged, not raised: re-queueing and the meetings must not wait on one consultation.
        log_failure("consultation sweep", exc, 1, None)
        consultations = ConsultationSweep(0, 0, 0)
    try:
        with timed(metrics, "update_cycles"):
            cycles = await sweep_update_cycles(sessionmaker, transport, today)
    except Exception as exc:
        log_failure("update cycle sweep", exc, 1, None)
        cycles = UpdateCycleSweep(0, 0)
    try:
        with timed(metrics, "dis_applications"):
            dis_applications = await sweep_dis_applications(sessionmaker, transport, today)
    except Exception as exc:
        log_failure("dis-application sweep", exc, 1, None)
        dis_applications = DisApplicationSweep(0, 0)
    staff = await sweep_staff_side(sessionmaker, transport, today, metrics)
    try:
        with timed(metrics, "tracker_snapshots"):
            snapshots_taken = await sweep_tracker_snapshots(sessionmaker, settings, today)
    except Exception as exc:
        log_failure("tracker snapshot sweep", exc, 1, None)
        snapshots_taken = 0
    with timed(metrics, "requeue"):
        requeued = await requeue_due(
            sessionmaker, transport, timedelta(seconds=settings.requeue_after_seconds)
        )
    # Last, so that a board whose schedule cannot be expanded does not hold up the emails.
    with timed(metrics, "meetings"):
        meetings = await sweep_meetings(sessionmaker, today)
    report = SweepReport(
        review_notices=notices,
        requeued_notifications=requeued[0],
        requeued_deliveries=requeued[1],
        meetings_generated=meetings,
        consultations_opened=consultations.opened,
        consultations_closed=consultations.closed,
        consultation_reminders=consultations.reminders,
        update_cycles_closed=cycles.closed,
        update_cycle_reminders=cycles.reminders,
        dis_applications_expired=dis_applications.expired,
        dis_application_reminders=dis_applications.reminders,
        tracker_snapshots=snapshots_taken,
        **asdict(staff),
    )
    _log_sweep("sweep", started, asdict(report))
    return report


async def sweep_retention(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    now: datetime | None = None,
) -> dict[str, int]:
    """Delete what has outlived its use (services/domain/retention), a batch per transaction;
    how many rows went from each table. Daily; running it again, or on two workers, is harmless."""
    now = now or utcnow()
    started = time.perf_counter()
    pruned: dict[str, int] = {}
    with tracing.span("notifier.retention"):
        await _prune_all(sessionmaker, settings, now, pruned)
    _log_sweep("retention", started, pruned)
    return pruned


async def _prune_all(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    now: datetime,
    pruned: dict[str, int],
) -> None:
    for rows in retention.expired(settings, now):
        pruned[rows.name] = 0
        while True:
            async with sessionmaker() as session, session.begin():
                deleted = await retention.prune_batch(session, rows, settings.retention_batch_size)
            pruned[rows.name] += deleted
            # Fewer than a batch: none left, or the rest is held by another worker's batch.
            if deleted < settings.retention_batch_size:
                break


def _log_sweep(name: str, started: float, counts: dict[str, int]) -> None:
    logger.info(
        "%s done: %s",
        name,
        ", ".join(f"{what} {count}" for what, count in counts.items()) or "nothing to do",
        extra={"sweep": name, "duration_ms": round((time.perf_counter() - started) * 1000, 1)},
    )

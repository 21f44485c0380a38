"""The staff side's time-driven work (issue 19): reminders to read and acknowledge and the
owner told who has not (acknowledgements), monitoring actions coming due and those overdue
(Cafcass 7.4, Dorset xi), communication plan items gone unsent and each subscriber's digest
(LBBD 10, Birmingham 11, Dorset 5.2); sign-off stages past their time limit, those yet to
decide chased and then the policy team told (issue 20).

Each plans its notifications once per dedupe key, so running every minute, twice at once or
after a missed day does no harm; a failure of one is logged and the others still run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.acknowledgements import notices as acknowledgement_notices
from services.domain.clock import london_today
from services.domain.notifications import reminders
from services.domain.notifications.service import Created
from services.domain.sign_off import time_limits
from services.notifier.health import log_failure
from services.notifier.metrics import NotifierMetrics, timed
from services.notifier.relay import enqueue_created
from services.notifier.transport import Transport

Planner = Callable[[AsyncSession, date], Awaitable[Created]]


@dataclass(frozen=True)
class StaffSweep:
    """What the staff side's sweeps did, as the sweep report names it."""

    monitoring_reminders: int = 0
    acknowledgement_reminders: int = 0
    acknowledgements_escalated: int = 0
    launch_notices: int = 0
    sign_off_stages_chased: int = 0
    sign_off_stages_escalated: int = 0


async def _planned(
    sessionmaker: async_sessionmaker[AsyncSession],
    transport: Transport,
    plan: Planner,
    today: date,
) -> int:
    """Plan in one transaction, enqueue after it commits; how many notifications."""
    async with sessionmaker() as session, session.begin():
        created = await plan(session, today)
    await enqueue_created(transport, created)
    return len(created.notifications)


@dataclass(frozen=True)
class AcknowledgementSweep:
    reminders: int
    escalated: int


async def sweep_acknowledgements(
    sessionmaker: async_sessionmaker[AsyncSession],
    transport: Transport,
    today: date | None = None,
) -> AcknowledgementSweep:
    """Remind those still pending to read and acknowledge, each step once, and queue it; then
    tell the owners of asks past their escalation day who has not confirmed (once per ask,
    through the outbox)."""
    today = today or london_today()
    sent = await _planned(sessionmaker, transport, reminders.plan_acknowledgement_reminders, today)
    async with sessionmaker() as session, session.begin():
        escalated = await acknowledgement_notices.escalate_due(session, today)
    return AcknowledgementSweep(sent, escalated)


async def sweep_monitoring(
    sessionmaker: async_sessionmaker[AsyncSession],
    transport: Transport,
    today: date | None = None,
) -> int:
    """Remind the owners of monitoring actions coming due and tell the document's owner of
    those overdue (each once), and queue it; how many emails."""
    planner = reminders.plan_monitoring_reminders
    return await _planned(sessionmaker, transport, planner, today or london_today())


async def sweep_launch(
    sessionmaker: async_sessionmaker[AsyncSession],
    transport: Transport,
    today: date | None = None,
) -> int:
    """Remind of communication plan items gone unsent and make each subscriber's digest of
    the latest period, each once, and queue them; how many emails."""
    planner = reminders.plan_launch_reminders
    return await _planned(sessionmaker, transport, planner, today or london_today())


async def sweep_sign_off_time_limits(
    sessionmaker: async_sessionmaker[AsyncSession], today: date | None = None
) -> tuple[int, int]:
    """Chase those yet to decide each sign-off stage past its time limit, then tell the policy
    team, each once per round, through the outbox; how many stages chased and escalated."""
    async with sessionmaker() as session, session.begin():
        return await time_limits.chase_and_escalate(session, today or london_today())


async def sweep_staff_side(
    sessionmaker: async_sessionmaker[AsyncSession],
    transport: Transport,
    today: date | None,
    metrics: NotifierMetrics | None,
) -> StaffSweep:
    """Every staff-side sweep in turn, each timed; a failure is logged, not raised."""
    counts: dict[str, int] = {}
    try:
        with timed(metrics, "acknowledgements"):
            done = await sweep_acknowledgements(sessionmaker, transport, today)
        counts |= {
            "acknowledgement_reminders": done.reminders,
            "acknowledgements_escalated": done.escalated,
        }
    except Exception as exc:
        log_failure("acknowledgement sweep", exc, 1, None)
    try:
        with timed(metrics, "sign_off_time_limits"):
            chased, escalated = await sweep_sign_off_time_limits(sessionmaker, today)
        counts |= {"sign_off_stages_chased": chased, "sign_off_stages_escalated": escalated}
    except Exception as exc:
        log_failure("sign-off time limit sweep", exc, 1, None)
    for name, field, sweep in (
        ("monitoring", "monitoring_reminders", sweep_monitoring),
        ("launch", "launch_notices", sweep_launch),
    ):
        try:
            with timed(metrics, name):
                counts[field] = await sweep(sessionmaker, transport, today)
        except Exception as exc:
            log_failure(f"{name} sweep", exc, 1, None)
    return StaffSweep(**counts)

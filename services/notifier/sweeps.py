"""Time-driven work: review reminders and escalations, and re-queueing what Redis lost."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.documents.versions import london_today
from services.domain.notifications import service
from services.domain.settings import Settings
from services.notifier.relay import enqueue_created, requeue_due
from services.notifier.transport import Transport

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepReport:
    review_notices: int
    requeued_notifications: int
    requeued_deliveries: int


async def sweep_reviews(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    transport: Transport,
    today: date | None = None,
) -> int:
    """Create today's review reminders, overdue notices and escalations, and queue them."""
    rules = service.ReviewRules(
        reminder_days=tuple(settings.review_reminder_days),
        escalation_months=settings.review_escalation_months,
    )
    async with sessionmaker() as session, session.begin():
        created = await service.plan_review_notices(session, today or london_today(), rules)
    await enqueue_created(transport, created)
    return len(created.notifications)


async def sweep_all(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    transport: Transport,
    today: date | None = None,
) -> SweepReport:
    """Every sweep, once (policygov notifier sweep --once, and the cron job)."""
    notices = await sweep_reviews(sessionmaker, settings, transport, today)
    requeued = await requeue_due(sessionmaker, transport)
    return SweepReport(notices, *requeued)

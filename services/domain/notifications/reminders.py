"""Reminders: the notifications the notifier's sweeps plan from what the clock makes due.

Each planner asks a workflow's ``notices`` module what is due and creates one notification
per reminder's dedupe key, so a sweep running every minute, twice at once or after a missed
day creates each reminder once. The caller enqueues what was created after commit.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.acknowledgements import notices as acknowledgement_notices
from services.domain.consultations import notices as consultation_notices
from services.domain.dis_applications import notices as dis_application_notices
from services.domain.launch import notices as launch_notices
from services.domain.monitoring import notices as monitoring_notices
from services.domain.notices.notice import Reminder
from services.domain.notifications.service import Created, add_notification, existing_keys
from services.domain.reviews import update_cycle_notices
from services.domain.sweeps import each_in_savepoint


async def plan_consultation_reminders(session: AsyncSession, now: datetime) -> Created:
    """Create the consultation reminders due at ``now`` for consultees yet to respond.

    Each threshold (days before the close) is created once per consultee, however often this
    runs and on however many workers at once.
    """
    return await create_reminders(session, await consultation_notices.reminders_due(session, now))


async def plan_update_cycle_reminders(session: AsyncSession, today: date) -> Created:
    """Create the update cycle reminders due ``today`` for assignees with pending items, each
    threshold once per cycle and assignee, however often this runs."""
    return await create_reminders(session, await update_cycle_notices.reminders_due(session, today))


async def plan_dis_application_reminders(session: AsyncSession, today: date) -> Created:
    """Create the reminders due ``today`` that approved dis-applications are ending, each
    threshold once per dis-application and person, however often this runs."""
    return await create_reminders(
        session, await dis_application_notices.reminders_due(session, today)
    )


async def plan_acknowledgement_reminders(session: AsyncSession, today: date) -> Created:
    """Create the reminders due ``today`` to read and acknowledge, each step once per person,
    however often this runs."""
    return await create_reminders(
        session, await acknowledgement_notices.reminders_due(session, today)
    )


async def plan_monitoring_reminders(session: AsyncSession, today: date) -> Created:
    """Create the reminders of monitoring actions coming due, and the one escalation of each
    overdue, each once however often this runs (monitoring/notices.py)."""
    return await create_reminders(session, await monitoring_notices.reminders_due(session, today))


async def plan_launch_reminders(session: AsyncSession, today: date) -> Created:
    """Create the reminders of plan items gone unsent and each subscriber's digest of the
    latest period, each once however often this runs (launch/notices.py)."""
    due = await launch_notices.reminders_due(session, today)
    due += await launch_notices.digests_due(session, today)
    return await create_reminders(session, due)


async def create_reminders(session: AsyncSession, reminders: list[Reminder]) -> Created:
    """A notification for each of ``reminders`` that has none yet (by its dedupe key), for
    the caller to enqueue after commit."""

    async def add(reminder: Reminder) -> uuid.UUID | None:
        notice = reminder.notice
        return await add_notification(
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
    made = await existing_keys(session, [reminder.dedupe_key for reminder in reminders])
    waiting = [reminder for reminder in reminders if reminder.dedupe_key not in made]
    added = await each_in_savepoint(session, waiting, add, what="reminder")
    return Created([new for new in added if new], [])

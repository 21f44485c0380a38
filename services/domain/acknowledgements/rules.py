"""The dates of read and acknowledge: when it is due, which reminder is due, when the owner is
told. Pure functions of the organisation's working calendar."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from services.domain.calendar.working_days import WorkingCalendar

# Bounds on what the policy team may ask for.
MAX_DUE_WORKING_DAYS = 60
MAX_AUDIENCE = 5000


def due_on(asked_on: date, working_days: int, calendar: WorkingCalendar) -> date:
    """The working day ``working_days`` after the day asked (that day not counted)."""
    return calendar.add_working_days(asked_on, working_days)


def reminder_due(
    due: date, today: date, thresholds: Sequence[int], calendar: WorkingCalendar
) -> int | None:
    """The reminder step reached today: the smallest threshold (working days before the due
    date) whose day has come, up to and including the due date; None before the first and
    after the due date (then it is the escalation's turn)."""
    if today > due:
        return None
    reached = [t for t in thresholds if t >= 0 and calendar.add_working_days(due, -t) <= today]
    return min(reached) if reached else None


def escalation_day(due: date, grace_working_days: int, calendar: WorkingCalendar) -> date:
    """The day the document's owner is told who has not confirmed: ``grace_working_days``
    working days after the due date, and never before the first working day after it."""
    return calendar.add_working_days(due, max(grace_working_days, 1))

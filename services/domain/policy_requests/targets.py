"""The target time to triage a request: a pure rule, with golden tests."""

from __future__ import annotations

from datetime import date

from services.domain.calendar.working_days import WorkingCalendar


def triage_due_on(received_on: date, working_days: int, calendar: WorkingCalendar) -> date:
    """The London date the policy team triages a request by: ``working_days`` working days
    after the day it arrived (that day never counts, weekends, bank holidays and closure days
    are skipped)."""
    # Birmingham: requests go to the Policy Service; the organisation sets the target
    # (organisations.request_triage_working_days, 10 unless set).
    return calendar.add_working_days(received_on, working_days)


def is_overdue(due_on: date, today: date) -> bool:
    """An open request is overdue the day after its triage date."""
    return today > due_on

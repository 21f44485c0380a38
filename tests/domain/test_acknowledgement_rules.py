"""The dates of read and acknowledge, on England's working days (golden dates, Christmas
2026): when it is due, which reminder step is due, when the owner is told."""

from __future__ import annotations

from datetime import date

from services.domain.acknowledgements.counts import major_of, percent
from services.domain.acknowledgements.rules import due_on, escalation_day, reminder_due
from services.domain.calendar.working_days import WorkingCalendar

ENGLAND = WorkingCalendar("ENG")


def test_ten_working_days_skip_the_weekends_and_christmas_bank_holidays() -> None:
    # Asked on Monday 21 December 2026: 25 and 28 December (Boxing Day's substitute) and
    # 1 January are bank holidays.
    assert due_on(date(2026, 12, 21), 10, ENGLAND) == date(2027, 1, 7)
    assert due_on(date(2026, 12, 7), 10, ENGLAND) == date(2026, 12, 21)


def test_the_nearest_reminder_step_reached_is_due_until_the_due_date() -> None:
    due = date(2026, 12, 21)  # a Monday
    steps = [5, 1]
    assert reminder_due(due, date(2026, 12, 11), steps, ENGLAND) is None  # 6 working days before
    assert reminder_due(due, date(2026, 12, 14), steps, ENGLAND) == 5
    assert reminder_due(due, date(2026, 12, 17), steps, ENGLAND) == 5  # a step missed: still 5
    assert reminder_due(due, date(2026, 12, 18), steps, ENGLAND) == 1
    assert reminder_due(due, date(2026, 12, 19), steps, ENGLAND) == 1  # the Saturday after
    assert reminder_due(due, due, [0, 1], ENGLAND) == 0
    assert reminder_due(due, date(2026, 12, 22), steps, ENGLAND) is None  # past: escalation


def test_the_owner_is_told_after_the_grace_and_never_on_the_due_date() -> None:
    due = date(2026, 12, 23)  # a Wednesday before Christmas
    assert escalation_day(due, 2, ENGLAND) == date(2026, 12, 29)
    assert escalation_day(due, 0, ENGLAND) == date(2026, 12, 24)


def test_percent_and_whole_version() -> None:
    assert percent(1, 3) == 33.3
    assert percent(0, 0) is None
    assert (major_of("2.0"), major_of("12.3")) == (2, 12)

"""Working days and deadlines counted from a meeting or an opening date.

The rules this module serves come from the seed documents (shared/seeds/):

- Dorset Council PPP Group terms of reference (004): agenda items and completed drafts are due
  "at least 10 working days prior to the next scheduled PPP Group meeting" (9.1), and the agenda
  and papers are circulated "at least 3 working days prior to the meeting date".
- Birmingham Children's Trust (001): consultation responses are due "three days prior to the
  meeting" (calendar days) and drafts are "shared two weeks prior to meeting".

Working days exclude Saturdays, Sundays, the bank holidays of the organisation's part of the UK
(from the ``holidays`` package) and any closure days the organisation declares.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal, get_args

import holidays

SUBDIVISIONS: tuple[str, ...] = ("ENG", "NIR", "SCT", "WLS")

Unit = Literal["working_days", "calendar_days", "weeks"]
NonWorkingDayRule = Literal["earlier", "later"]

_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=128)
def bank_holidays(subdivision: str, year: int) -> frozenset[date]:
    """UK bank holidays of one part of the UK (ENG, NIR, SCT, WLS) in one year."""
    if subdivision not in SUBDIVISIONS:
        raise ValueError(
            f"Unknown UK subdivision {subdivision!r}: expected one of {', '.join(SUBDIVISIONS)}"
        )
    return frozenset(holidays.country_holidays("GB", subdiv=subdivision, years=year).keys())


@dataclass(frozen=True)
class WorkingCalendar:
    """The working days of one organisation: weekdays less bank holidays and its closure days."""

    subdivision: str = "ENG"
    # Extra non-working days the organisation declares, e.g. council closure days at Christmas.
    closures: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if self.subdivision not in SUBDIVISIONS:
            raise ValueError(
                f"Unknown UK subdivision {self.subdivision!r}: "
                f"expected one of {', '.join(SUBDIVISIONS)}"
            )
        # Callers may pass a set or a list; a frozen calendar must stay hashable and unchanged.
        object.__setattr__(self, "closures", frozenset(self.closures))

    def is_working_day(self, d: date) -> bool:
        """True unless d is a Saturday, a Sunday, a bank holiday or a closure day."""
        return (
            d.weekday() < 5
            and d not in self.closures
            and d not in bank_holidays(self.subdivision, d.year)
        )

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day strictly after d (n > 0) or strictly before d (n < 0); d if n == 0.

        d itself never counts, so the result does not depend on whether d is a working day.
        """
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        current = d
        while remaining:
            current += step
            if self.is_working_day(current):
                remaining -= 1
        return current

    def next_working_day(self, d: date) -> date:
        """The first working day on or after d."""
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def previous_working_day(self, d: date) -> date:
        """The last working day on or before d."""
        while not self.is_working_day(d):
            d -= _ONE_DAY
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """The number of working days in (start, end], start excluded and end included; 0 if none.

        This is the inverse of add_working_days: for a working day e after d,
        working_days_between(d, e) == n exactly when add_working_days(d, n) == e.
        """
        count = 0
        current = start + _ONE_DAY
        while current <= end:
            if self.is_working_day(current):
                count += 1
            current += _ONE_DAY
        return count


@dataclass(frozen=True)
class Offset:
    """A distance in time such as "10 working days", "three days" or "two weeks"."""

    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError(f"An offset cannot be negative: {self.amount}")
        if self.unit not in get_args(Unit):
            raise ValueError(
                f"Unknown offset unit {self.unit!r}: expected one of {', '.join(get_args(Unit))}"
            )


def _check_rule(rule: str) -> None:
    if rule not in get_args(NonWorkingDayRule):
        raise ValueError(f"Unknown non-working-day rule {rule!r}: expected 'earlier' or 'later'")


def _calendar_days(offset: Offset) -> timedelta:
    return timedelta(days=offset.amount * 7 if offset.unit == "weeks" else offset.amount)


def _onto_working_day(d: date, calendar: WorkingCalendar, rule: NonWorkingDayRule) -> date:
    if rule == "earlier":
        return calendar.previous_working_day(d)
    return calendar.next_working_day(d)


def deadline_before(
    event_day: date,
    offset: Offset,
    calendar: WorkingCalendar,
    rule: NonWorkingDayRule = "earlier",
) -> date:
    """The working day that is offset before event_day, e.g. papers 3 working days before a meeting.

    A count of working days always lands on a working day. A count of calendar days or weeks that
    lands on a weekend, bank holiday or closure moves to the previous working day ("earlier", so
    the deadline stays at least the offset before the event) or the next one ("later").
    """
    _check_rule(rule)
    if offset.unit == "working_days":
        day = calendar.add_working_days(event_day, -offset.amount)
    else:
        day = event_day - _calendar_days(offset)
    # Only reachable off a working day for calendar units, or for 0 working days before a holiday.
    return _onto_working_day(day, calendar, rule)


def deadline_after(
    start_day: date,
    offset: Offset,
    calendar: WorkingCalendar,
    rule: NonWorkingDayRule = "later",
) -> date:
    """The working day that is offset after start_day, e.g. responses 10 working days after opening.

    The mirror of deadline_before; a calendar-day result off a working day moves to the next
    working day by default, so a deadline never shortens.
    """
    _check_rule(rule)
    if offset.unit == "working_days":
        day = calendar.add_working_days(start_day, offset.amount)
    else:
        day = start_day + _calendar_days(offset)
    return _onto_working_day(day, calendar, rule)

"""Meeting schedules as RFC 5545 recurrence rules, e.g. the Dorset PPP Group's.

Dorset PPP Group terms of reference (shared/seeds/004): "The group will meet on the second Tuesday
of each month, excluding August and December", which is the rule
``FREQ=MONTHLY;BYDAY=+2TU;BYMONTH=1,2,3,4,5,6,7,9,10,11``.

A rule holds only the recurrence. The first day, the local start time, cancelled dates and what
to do when a meeting falls on a bank holiday are kept beside it, so they are stored and validated
on their own rather than hidden inside the rule text.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule, rrulestr

from services.domain.calendar.working_days import WorkingCalendar
from services.domain.clock import LONDON

MeetingOnHoliday = Literal["keep", "skip", "next_working_day", "previous_working_day"]


# Properties that belong beside the rule, not inside it (see the module docstring).
_OTHER_PROPERTIES = ("DTSTART", "EXDATE", "RDATE", "EXRULE")
_SUB_DAILY = ("HOURLY", "MINUTELY", "SECONDLY")
# The meeting time is start_time; these would add several meetings a day under one date key.
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_DATE_ONLY = re.compile(r"^\d{8}$")
# Validation needs some start; any naive one will do, as the rule's own text is what is checked.
_ANY_START = datetime(2000, 1, 1)


class ScheduleError(ValueError):
    """A meeting schedule that cannot be used, with a message fit to show to the person."""


@dataclass(frozen=True)
class Occurrence:
    """One meeting of a schedule."""

    # The date the rule produced: the occurrence's identity even when the meeting is moved.
    key: date
    # The date the meeting is actually held, after the bank-holiday rule.
    day: date
    starts_at: datetime  # timezone-aware, UTC


def _parts(body: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for part in body.split(";"):
        if not part:
            continue
        name, sep, value = part.partition("=")
        if not sep or not name or not value:
            raise ScheduleError(
                f"Not a recurrence rule: {part!r} is not NAME=VALUE "
                "(a rule looks like FREQ=MONTHLY;BYDAY=+2TU)"
            )
        if name in parts:
            raise ScheduleError(f"The recurrence rule gives {name} twice")
        parts[name] = value
    return parts


def _normalise(text: str) -> tuple[str, dict[str, str]]:
    upper = text.strip().upper()
    if not upper:
        raise ScheduleError(
            "A meeting schedule needs a recurrence rule, e.g. FREQ=MONTHLY;BYDAY=+2TU"
        )
    for name in _OTHER_PROPERTIES:
        if name in upper:
            raise ScheduleError(
                f"The recurrence rule must not contain {name}: give only the RRULE, and set the "
                "first meeting and any cancelled dates separately"
            )
    lines = [line for line in upper.splitlines() if line.strip()]
    if len(lines) > 1 or upper.count("RRULE") > 1:
        raise ScheduleError("A meeting schedule takes a single recurrence rule (one RRULE line)")
    # People type "FREQ=MONTHLY; BYDAY=+2TU"; spaces carry no meaning inside a rule.
    body = "".join(lines[0].split()).removeprefix("RRULE:")
    if ":" in body:
        raise ScheduleError(
            "A meeting schedule takes a single recurrence rule: FREQ=...;BYDAY=... "
            "optionally after RRULE:, and no other property"
        )
    parts = _parts(body)
    if "FREQ" not in parts:
        raise ScheduleError("The recurrence rule needs a FREQ, e.g. FREQ=MONTHLY")
    if parts["FREQ"] in _SUB_DAILY:
        raise ScheduleError(f"FREQ={parts['FREQ']} is not allowed: meetings recur daily at most")
    for name in _TIME_PARTS:
        if name in parts:
            raise ScheduleError(
                f"The recurrence rule must not contain {name}: the meeting time is set separately"
            )
    if "INTERVAL" in parts and not (parts["INTERVAL"].isdigit() and int(parts["INTERVAL"]) > 0):
        raise ScheduleError(
            f"INTERVAL must be a whole number of at least 1, not {parts['INTERVAL']}"
        )
    if "COUNT" in parts and "UNTIL" in parts:
        raise ScheduleError("The recurrence rule may give COUNT or UNTIL, not both")
    return body, parts


def _parse(body: str, parts: dict[str, str], dtstart: datetime) -> rrule:
    if dtstart.tzinfo is None and parts.get("UNTIL", "").endswith("Z"):
        # dateutil refuses a UTC UNTIL with a naive start; say why in the person's terms.
        raise ScheduleError(
            "UNTIL must be a date such as UNTIL=20270731, or a local time without Z: "
            "meetings are scheduled in local time"
        )
    try:
        parsed = rrulestr(body, dtstart=dtstart, forceset=False)
    except Exception as exc:  # rrulestr raises ValueError, TypeError and more for bad input.
        raise ScheduleError(f"Not a valid recurrence rule: {exc}") from exc
    if not isinstance(parsed, rrule):
        raise ScheduleError("A meeting schedule takes a single recurrence rule (one RRULE line)")
    until = parts.get("UNTIL", "")
    if _DATE_ONLY.match(until):
        # A date-only UNTIL reads as midnight, which would drop a meeting held later that day;
        # people mean the whole day.
        parsed = parsed.replace(
            until=datetime.strptime(until, "%Y%m%d").replace(hour=23, minute=59, second=59)
        )
    return parsed


def parse_rule(text: str, dtstart: datetime) -> rrule:
    """Parse one RRULE (with or without "RRULE:") for a schedule starting at dtstart.

    Raises ScheduleError, with a message fit to show to the person, for anything that is not a
    single daily-at-most rule.
    """
    body, parts = _normalise(text)
    return _parse(body, parts, dtstart)


def validate_rule(text: str) -> str:
    """The rule's normalised text (upper case, no "RRULE:" prefix), or ScheduleError."""
    body, parts = _normalise(text)
    _parse(body, parts, _ANY_START)
    return body


def _held_on(
    key: date, calendar: WorkingCalendar, on_non_working_day: MeetingOnHoliday
) -> date | None:
    if on_non_working_day == "keep" or calendar.is_working_day(key):
        return key
    if on_non_working_day == "skip":
        return None
    if on_non_working_day == "next_working_day":
        return calendar.next_working_day(key)
    if on_non_working_day == "previous_working_day":
        return calendar.previous_working_day(key)
    raise ValueError(f"Unknown rule for a meeting on a non-working day: {on_non_working_day!r}")


def occurrences(
    rule: str,
    *,
    starts_on: date,
    start_time: time,
    window_start: date,
    window_end: date,
    calendar: WorkingCalendar,
    on_non_working_day: MeetingOnHoliday = "next_working_day",
    excluded: Collection[date] = (),
    tz: ZoneInfo = LONDON,
    limit: int = 400,
) -> list[Occurrence]:
    """The meetings of a schedule whose rule date falls in [window_start, window_end].

    The window and ``excluded`` (cancelled meetings) match the key, the date the rule produced,
    so a meeting moved off a bank holiday keeps its identity, and may be held just outside the
    window. start_time is the local wall-clock time in tz; starts_at is that moment in UTC.
    Raises ScheduleError if more than ``limit`` rule dates fall in the window.
    """
    if start_time.tzinfo is not None:
        raise ScheduleError("The meeting time is local to the schedule's time zone: give no tzinfo")
    # dateutil works in naive local time, so "10:00" stays 10:00 across BST and GMT.
    parsed = parse_rule(rule, datetime.combine(starts_on, start_time))
    cancelled = frozenset(excluded)
    found: list[Occurrence] = []
    produced = 0
    # xafter is lazy: a DAILY rule with no end is read only as far as the window.
    for local in parsed.xafter(datetime.combine(window_start, time.min), inc=True):
        key = local.date()
        if key > window_end:
            break
        produced += 1
        if produced > limit:
            raise ScheduleError(
                f"The schedule has more than {limit} meetings between {window_start.isoformat()} "
                f"and {window_end.isoformat()}: check the rule's FREQ and INTERVAL"
            )
        if key in cancelled:
            continue
        day = _held_on(key, calendar, on_non_working_day)
        if day is None:
            continue
        # fold=0 reads a time the clocks skip or repeat as the earlier offset; meetings are
        # not held at 1am on the changeover Sundays, so the choice does not arise in practice.
        starts_at = datetime.combine(day, local.time(), tzinfo=tz).astimezone(UTC)
        found.append(Occurrence(key=key, day=day, starts_at=starts_at))
    return found


def twelve_months_from(day: date) -> date:
    """The last day of the twelve months starting on day, e.g. 2026-09-01 -> 2027-08-31."""
    later = day + relativedelta(months=12)
    if later.day != day.day:
        # 29 February: a year on is clamped to 28 February, which is already the last day.
        return later
    return later - timedelta(days=1)

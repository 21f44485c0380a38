"""When a consultation opens and closes, and when its consultees are reminded: pure rules.

- Birmingham (001): drafts are shared two weeks before the deciding meeting and responses are
  due three days before it (the board's ``consultation_opens`` and ``consultation_responses``
  deadline rules).
- Cafcass (002, 4.6): broad practice change needs a full three-month consultation.

A closing day means "by the end of that day": the consultation closes at midnight London time
at the end of it. A computed closing day always lands on a working day of the organisation
(bank holidays and closure days included): counted back from a meeting it moves earlier,
counted on from the opening it moves later, so a consultation is never shortened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from dateutil.relativedelta import relativedelta

from services.domain.calendar.working_days import (
    NonWorkingDayRule,
    Offset,
    WorkingCalendar,
    deadline_after,
    deadline_before,
)
from services.domain.clock import LONDON

RelativeTo = Literal["meeting", "opening"]
RuleUnit = Literal["working_days", "calendar_days", "weeks", "months"]
# A scheduled opening goes out at the start of a working morning, not at midnight.
OPENING_TIME = time(9, 0)
# What a consultation runs for when nobody says (each kind's usual length).
DEFAULT_RULES: dict[str, dict[str, object]] = {
    "internal": {"relative_to": "opening", "amount": 10, "unit": "working_days"},
    # Cafcass 4.6: a full three-month consultation.
    "public": {"relative_to": "opening", "amount": 3, "unit": "months"},
    # Birmingham: the board's own rule (responses three days before the meeting).
    "pre_meeting": {"relative_to": "meeting"},
}


@dataclass(frozen=True)
class ClosingRule:
    """A closing day counted from the meeting (before it) or from the opening (after it).

    With no amount, a rule relative to a meeting uses the board's ``consultation_responses``
    deadline rule.
    """

    relative_to: RelativeTo
    amount: int | None = None
    unit: RuleUnit | None = None


def end_of_day(day: date) -> datetime:
    """The moment a day ends in London: when a consultation closing that day closes."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)


def start_of_working_morning(day: date) -> datetime:
    return datetime.combine(day, OPENING_TIME, tzinfo=LONDON)


def closing_day_after(opening_day: date, rule: ClosingRule, calendar: WorkingCalendar) -> date:
    """The closing day of a rule counted on from the opening day."""
    assert rule.amount is not None and rule.unit is not None
    if rule.unit == "months":
        return calendar.next_working_day(opening_day + relativedelta(months=rule.amount))
    return deadline_after(opening_day, Offset(rule.amount, rule.unit), calendar, "later")


def closing_day_before(
    meeting_day: date,
    offset: Offset,
    calendar: WorkingCalendar,
    rule: NonWorkingDayRule = "earlier",
) -> date:
    """The closing day of a rule counted back from the meeting's day, moved off a non-working
    day as the board moves its own deadlines (so it matches the board's published dates)."""
    return deadline_before(meeting_day, offset, calendar, rule)


def months_before(
    meeting_day: date, months: int, calendar: WorkingCalendar, rule: NonWorkingDayRule = "earlier"
) -> date:
    day = meeting_day - relativedelta(months=months)
    if rule == "later":
        return calendar.next_working_day(day)
    return calendar.previous_working_day(day)


def reminder_due(
    closes_at: datetime, invited_at: datetime, now: datetime, reminder_days: Iterable[int]
) -> int | None:
    """The reminder (days before the close) a consultee who has not responded gets now.

    Only the nearest threshold reached counts, and only one that came after the invitation
    (someone invited three days before the close gets no seven-day reminder, and a sweep that
    missed a day sends one reminder, not two). None when no reminder applies.
    """
    # Count in absolute time: London wall-clock arithmetic would move a threshold by the hour
    # the clocks change.
    closes_at, invited_at, now = (m.astimezone(UTC) for m in (closes_at, invited_at, now))
    if now >= closes_at:
        return None
    reached = [
        days
        for days in sorted(set(reminder_days))
        if closes_at - timedelta(days=days) <= now and invited_at < closes_at - timedelta(days=days)
    ]
    return reached[0] if reached else None

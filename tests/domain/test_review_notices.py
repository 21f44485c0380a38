"""Golden dates for review reminders, overdue notices and escalations."""

from __future__ import annotations

from datetime import date

import pytest

from services.domain.documents.review_dates import ReviewRules
from services.domain.notifications.review_schedule import review_notices

RULES = ReviewRules(reminder_days=(30, 7), escalation_months=2)
DUE = date(2026, 12, 8)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 7), []),  # 31 days before
        (date(2026, 11, 8), ["due_soon:30"]),  # 30 days before
        (date(2026, 11, 20), ["due_soon:30"]),
        (date(2026, 12, 1), ["due_soon:7"]),  # 7 days before: the nearer threshold only
        (date(2026, 12, 7), ["due_soon:7"]),
        (date(2026, 12, 8), []),  # due today: not yet overdue
        (date(2026, 12, 9), ["overdue"]),  # the day after
        (date(2027, 2, 7), ["overdue"]),
        # Dorset: escalate two months after the due date.
        (date(2027, 2, 8), ["overdue", "escalated"]),
    ],
)
def test_review_notices_follow_the_thresholds(today: date, expected: list[str]) -> None:
    assert review_notices(DUE, today, RULES) == expected


def test_escalation_two_months_after_a_due_date_at_month_end() -> None:
    # 31 December + two months is the last day of February.
    assert "escalated" not in review_notices(date(2026, 12, 31), date(2027, 2, 27), RULES)
    assert "escalated" in review_notices(date(2026, 12, 31), date(2027, 2, 28), RULES)


def test_thresholds_are_configurable() -> None:
    rules = ReviewRules(reminder_days=(60, 14, 1), escalation_months=1)
    assert review_notices(DUE, date(2026, 10, 9), rules) == ["due_soon:60"]
    assert review_notices(DUE, date(2026, 12, 7), rules) == ["due_soon:1"]
    assert review_notices(DUE, date(2027, 1, 8), rules) == ["overdue", "escalated"]

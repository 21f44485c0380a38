"""Golden dates for the review tracker's statuses: the thresholds of the review notices."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.domain.documents.review_dates import ReviewRules
from services.domain.notifications.review_schedule import review_notices
from services.domain.settings import Settings
from services.domain.tracker.service import (
    days_until_due,
    escalated_through,
    review_status,
    status_ranges,
)

# The tracker and the review notices read the same rules (documents/review_dates.py).
DORSET = ReviewRules(reminder_days=(30, 7), escalation_months=2)
DUE = date(2026, 12, 8)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 7), "on_track"),  # 31 days before
        (date(2026, 11, 8), "due_soon"),  # 30 days before
        (date(2026, 12, 1), "due_soon"),
        (date(2026, 12, 8), "due_soon"),  # due today: not yet overdue
        (date(2026, 12, 9), "overdue"),  # the day after
        (date(2027, 2, 7), "overdue"),
        # Dorset: escalate two months after the due date.
        (date(2027, 2, 8), "escalated"),
        (date(2028, 1, 1), "escalated"),
    ],
)
def test_status_follows_the_review_thresholds(today: date, expected: str) -> None:
    assert review_status(DUE, today, DORSET) == expected


def test_days_until_due_is_negative_once_the_date_has_passed() -> None:
    assert days_until_due(DUE, date(2026, 12, 1)) == 7
    assert days_until_due(DUE, DUE) == 0
    assert days_until_due(DUE, date(2026, 12, 10)) == -2


def test_a_review_due_at_month_end_escalates_on_the_last_day_of_february() -> None:
    # 31 December + two months is 28 February, as for the escalation notice.
    assert review_status(date(2026, 12, 31), date(2027, 2, 27), DORSET) == "overdue"
    assert review_status(date(2026, 12, 31), date(2027, 2, 28), DORSET) == "escalated"
    # So on 28 February reviews due on 29, 30 and 31 December have all escalated.
    assert escalated_through(date(2027, 2, 28), 2) == date(2026, 12, 31)
    assert escalated_through(date(2027, 2, 27), 2) == date(2026, 12, 27)


def test_the_rules_come_from_the_settings_of_the_review_notices() -> None:
    settings = Settings(review_reminder_days=[7, 45, 14], review_escalation_months=3)
    thresholds = ReviewRules.from_settings(settings)
    assert thresholds == ReviewRules(reminder_days=(7, 45, 14), escalation_months=3)
    assert thresholds.due_soon_days == 45
    assert review_status(DUE, DUE - timedelta(days=45), thresholds) == "due_soon"
    assert review_status(DUE, date(2027, 3, 7), thresholds) == "overdue"
    assert review_status(DUE, date(2027, 3, 8), thresholds) == "escalated"


@pytest.mark.parametrize("today", [date(2027, 2, 28), date(2028, 2, 29), date(2026, 7, 31)])
def test_status_ranges_and_notices_agree_with_the_status_day_by_day(today: date) -> None:
    # The SQL filters and counts use the ranges; the notices use review_notices: all three
    # must give every due date the same status.
    ranges = status_ranges(today, DORSET)
    rules = DORSET
    for offset in range(-200, 60):
        due = today + timedelta(days=offset)
        status = review_status(due, today, DORSET)
        in_ranges = [
            name
            for name, r in ranges.items()
            if (r.first is None or r.first <= due) and (r.last is None or due <= r.last)
        ]
        assert in_ranges == [status], (due, in_ranges, status)
        notices = review_notices(due, today, rules)
        assert ("escalated" in notices) == (status == "escalated"), due
        assert ("overdue" in notices) == (status in ("overdue", "escalated")), due
        if status == "due_soon" and due != today:
            assert any(n.startswith("due_soon") for n in notices), due

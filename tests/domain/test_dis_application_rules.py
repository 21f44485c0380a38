"""The numbers of a dis-application, golden: at most a year (Cafcass 8.1: policies are reviewed
annually), never backwards (Cafcass 6.1: discussed "before acting"), and the reminder due on a
day is the nearest threshold reached before the end date, so a missed day still sends it."""

from __future__ import annotations

from datetime import date

import pytest

from services.domain.dis_applications.rules import check_dates, latest_end, reminder_due
from services.domain.errors import Invalid

TODAY = date(2026, 12, 5)


@pytest.mark.parametrize(
    ("starts_on", "expected"),
    [
        (date(2026, 12, 5), date(2027, 12, 5)),
        # A month without the day ends on its last day.
        (date(2027, 2, 28), date(2028, 2, 28)),
        (date(2028, 2, 29), date(2029, 2, 28)),
    ],
)
def test_a_dis_application_lasts_at_most_twelve_months(starts_on: date, expected: date) -> None:
    assert latest_end(starts_on) == expected


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "field"),
    [
        (date(2026, 12, 4), date(2026, 12, 20), "starts_on"),
        (date(2026, 12, 10), date(2026, 12, 9), "ends_on"),
        (date(2026, 12, 5), date(2027, 12, 6), "ends_on"),
    ],
)
def test_dates_out_of_bounds_are_invalid_naming_the_field(
    starts_on: date, ends_on: date, field: str
) -> None:
    with pytest.raises(Invalid) as raised:
        check_dates(starts_on, ends_on, TODAY)
    assert raised.value.extra["field"] == field


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [(TODAY, TODAY), (TODAY, date(2027, 12, 5)), (date(2027, 1, 4), date(2027, 3, 31))],
)
def test_dates_within_bounds_are_accepted(starts_on: date, ends_on: date) -> None:
    check_dates(starts_on, ends_on, TODAY)


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(30, None), (15, None), (14, 14), (10, 14), (3, 14), (2, 2), (1, 2), (0, 2), (-1, None)],
)
def test_the_reminder_due_is_the_nearest_threshold_reached(
    days_left: int, expected: int | None
) -> None:
    ends_on = date(2027, 1, 31)
    today = date.fromordinal(ends_on.toordinal() - days_left)
    assert reminder_due(ends_on, today, (14, 2)) == expected

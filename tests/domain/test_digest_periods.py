"""The digest's periods (services/domain/launch/periods.py), golden: Birmingham's weekly email
and Dorset's monthly Quality Assurance Newsletter."""

from __future__ import annotations

from datetime import date

import pytest

from services.domain.launch.periods import current_period, latest_period

MONDAY, FRIDAY = 0, 4


@pytest.mark.parametrize(
    ("today", "weekday", "starts_on", "ends_on", "sent_on"),
    [
        # Sent on Monday 7 December 2026: Monday 30 November to Sunday 6 December.
        (date(2026, 12, 7), MONDAY, date(2026, 11, 30), date(2026, 12, 6), date(2026, 12, 7)),
        # Until the next Monday, that is still the latest.
        (date(2026, 12, 13), MONDAY, date(2026, 11, 30), date(2026, 12, 6), date(2026, 12, 7)),
        # A Friday email: Friday to Thursday, across the new year.
        (date(2027, 1, 1), FRIDAY, date(2026, 12, 25), date(2026, 12, 31), date(2027, 1, 1)),
        (date(2026, 12, 31), FRIDAY, date(2026, 12, 18), date(2026, 12, 24), date(2026, 12, 25)),
    ],
)
def test_a_weekly_digest_covers_the_seven_days_before_its_day(
    today: date, weekday: int, starts_on: date, ends_on: date, sent_on: date
) -> None:
    period = latest_period("weekly", weekday, today)
    assert period is not None
    assert (period.starts_on, period.ends_on, period.sent_on) == (starts_on, ends_on, sent_on)
    assert period.key == f"weekly:{starts_on.isoformat()}"


@pytest.mark.parametrize(
    ("today", "starts_on", "ends_on", "sent_on"),
    [
        # The first Monday of December 2026 is the 7th: November's digest goes then.
        (date(2026, 12, 7), date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 7)),
        # Before it, the latest is October's, sent on Monday 2 November.
        (date(2026, 12, 6), date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 2)),
        # January's first Monday is the 4th in 2027: December's digest.
        (date(2027, 1, 4), date(2026, 12, 1), date(2026, 12, 31), date(2027, 1, 4)),
        # February in a leap year.
        (date(2028, 3, 6), date(2028, 2, 1), date(2028, 2, 29), date(2028, 3, 6)),
    ],
)
def test_a_monthly_digest_covers_the_month_before_the_first_of_its_weekday(
    today: date, starts_on: date, ends_on: date, sent_on: date
) -> None:
    # Dorset 5.2: "communicated each month by the Chair via the Quality Assurance Newsletter".
    period = latest_period("monthly", MONDAY, today)
    assert period is not None
    assert (period.starts_on, period.ends_on, period.sent_on) == (starts_on, ends_on, sent_on)
    assert period.key == f"monthly:{starts_on:%Y-%m}"


def test_the_current_period_holds_today_and_its_digest_is_still_to_come() -> None:
    weekly = current_period("weekly", MONDAY, date(2026, 12, 9))
    assert weekly is not None
    assert (weekly.starts_on, weekly.ends_on, weekly.sent_on) == (
        date(2026, 12, 7),
        date(2026, 12, 13),
        date(2026, 12, 14),
    )
    monthly = current_period("monthly", MONDAY, date(2026, 12, 9))
    assert monthly is not None
    assert (monthly.starts_on, monthly.ends_on, monthly.sent_on) == (
        date(2026, 12, 1),
        date(2026, 12, 31),
        date(2027, 1, 4),
    )


def test_no_period_when_the_digest_is_off() -> None:
    assert latest_period("off", MONDAY, date(2026, 12, 7)) is None
    assert current_period("off", MONDAY, date(2026, 12, 7)) is None


def test_a_period_starts_and_ends_at_london_midnight() -> None:
    period = latest_period("weekly", MONDAY, date(2026, 7, 6))
    assert period is not None
    # British Summer Time: midnight in London is 23:00 UTC the day before.
    assert period.start.isoformat() == "2026-06-29T00:00:00+01:00"
    assert (
        period.end.utcoffset() is not None and period.end.isoformat() == "2026-07-06T00:00:00+01:00"
    )


def test_early_in_a_month_the_current_period_is_that_month_not_the_one_still_to_be_sent() -> None:
    # Saturday 5 December 2026: November's digest goes on Monday 7th; what happens today is
    # in December's, sent on Monday 4 January.
    monthly = current_period("monthly", MONDAY, date(2026, 12, 5))
    assert monthly is not None
    assert (monthly.starts_on, monthly.sent_on) == (date(2026, 12, 1), date(2027, 1, 4))

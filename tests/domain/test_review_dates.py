"""Golden dates for the one rule for the next review date (issue 13, item 6): which interval
applies, and the day the review falls due."""

from __future__ import annotations

from datetime import date

import pytest

from services.domain.documents.review_dates import Intervals, review_due, review_interval

ISSUED = date(2026, 12, 8)


@pytest.mark.parametrize(
    ("intervals", "months", "due"),
    [
        # LBBD stage 11: 12-18 months; 18 agreed when the draft was submitted beats the route's 12.
        (Intervals(route=12, submitted=18), 18, date(2028, 6, 8)),
        # LBBD: the next sign-off of an amendment does not restate it; the 18 agreed for the
        # document still beats the route's 12.
        (Intervals(route=12, document=18), 18, date(2028, 6, 8)),
        # Dorset 8.1: agreed again at a later approval, the new schedule replaces the old one.
        (Intervals(route=12, document=18, submitted=24), 24, date(2028, 12, 8)),
        # Cafcass 8.1 and Birmingham guidance: annual review, from the route.
        (Intervals(route=12), 12, date(2027, 12, 8)),
        # Birmingham: bespoke Trix chapters six-monthly, from the route over the kind's year.
        (Intervals(kind=12, route=6), 6, date(2027, 6, 8)),
        # No interval on the route: the kind's default.
        (Intervals(kind=9), 9, date(2027, 9, 8)),
        # NCT: nothing on the route, kind or document: the organisation's default, a year.
        (Intervals(), 12, date(2027, 12, 8)),
        # An organisation that set its own default.
        (Intervals(organisation=24), 24, date(2028, 12, 8)),
        (Intervals(organisation=24, kind=6), 6, date(2027, 6, 8)),
    ],
)
def test_the_first_interval_set_gives_the_due_date(
    intervals: Intervals, months: int, due: date
) -> None:
    assert review_interval(intervals) == months
    assert review_due(ISSUED, intervals) == due


@pytest.mark.parametrize(
    ("counted_from", "months", "due"),
    [
        # Six months after the end of August is the end of February.
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # a leap year
        # A year after 29 February is 28 February.
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        # Across a year end.
        (date(2026, 12, 3), 18, date(2028, 6, 3)),
    ],
)
def test_months_are_calendar_months_ending_on_the_last_day_when_shorter(
    counted_from: date, months: int, due: date
) -> None:
    assert review_due(counted_from, Intervals(organisation=months)) == due

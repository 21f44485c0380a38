"""Golden dates for bank holidays, working days and deadlines, 2026-2027.

Every expected date was worked out by hand from a calendar (1 January 2026 is a Thursday,
1 January 2027 a Friday) and the published UK bank holidays, not with the code under test.
"""

from __future__ import annotations

from datetime import date

import pytest

from services.domain.calendar.working_days import (
    SUBDIVISIONS,
    NonWorkingDayRule,
    Offset,
    WorkingCalendar,
    bank_holidays,
    deadline_after,
    deadline_before,
)

ENGLAND = WorkingCalendar()
SCOTLAND = WorkingCalendar(subdivision="SCT")
PPP_JANUARY_2027 = date(2027, 1, 12)  # second Tuesday of January 2027


def test_england_bank_holidays_2026() -> None:
    assert bank_holidays("ENG", 2026) == {
        date(2026, 1, 1),  # New Year's Day
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 4),  # early May
        date(2026, 5, 25),  # spring
        date(2026, 8, 31),  # summer
        date(2026, 12, 25),  # Christmas Day, a Friday
        date(2026, 12, 26),  # Boxing Day, a Saturday...
        date(2026, 12, 28),  # ...so Monday is the substitute day
    }


def test_england_bank_holidays_2027() -> None:
    assert bank_holidays("ENG", 2027) == {
        date(2027, 1, 1),
        date(2027, 3, 26),  # Good Friday
        date(2027, 3, 29),  # Easter Monday
        date(2027, 5, 3),
        date(2027, 5, 31),
        date(2027, 8, 30),  # summer: last Monday of August
        date(2027, 12, 25),  # Saturday
        date(2027, 12, 26),  # Sunday
        date(2027, 12, 27),  # substitute for Christmas Day
        date(2027, 12, 28),  # substitute for Boxing Day
    }


def test_wales_shares_the_english_bank_holidays() -> None:
    assert bank_holidays("WLS", 2026) == bank_holidays("ENG", 2026)
    assert bank_holidays("WLS", 2027) == bank_holidays("ENG", 2027)


@pytest.mark.parametrize(
    ("day", "in_scotland", "in_england"),
    [
        (date(2026, 1, 2), True, False),  # 2 January
        (date(2027, 1, 4), True, False),  # 2 January 2027 is a Saturday: Monday substitutes
        (date(2027, 3, 26), True, True),  # Good Friday is a holiday in both
        (date(2027, 3, 29), False, True),  # Easter Monday is not a Scottish bank holiday
        (date(2026, 8, 3), True, False),  # Scottish summer holiday: first Monday of August
        (date(2026, 8, 31), False, True),  # English summer holiday: last Monday of August
        (date(2026, 11, 30), True, False),  # St Andrew's Day, a Monday in 2026
        (date(2027, 11, 30), True, False),  # St Andrew's Day, a Tuesday in 2027
    ],
)
def test_scotland_keeps_different_bank_holidays(
    day: date, in_scotland: bool, in_england: bool
) -> None:
    assert (day in bank_holidays("SCT", day.year)) is in_scotland
    assert (day in bank_holidays("ENG", day.year)) is in_england


def test_northern_ireland_adds_st_patricks_day_and_the_boyne() -> None:
    holidays_2026 = bank_holidays("NIR", 2026)
    assert date(2026, 3, 17) in holidays_2026
    # 12 July 2026 is a Sunday, so Monday 13 July is the day off.
    assert date(2026, 7, 13) in holidays_2026
    assert date(2026, 7, 13) not in bank_holidays("ENG", 2026)


def test_only_the_four_uk_subdivisions_are_accepted() -> None:
    assert SUBDIVISIONS == ("ENG", "NIR", "SCT", "WLS")
    with pytest.raises(ValueError, match="subdivision"):
        bank_holidays("GB", 2026)
    with pytest.raises(ValueError, match="subdivision"):
        WorkingCalendar(subdivision="UK")


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 24), True),  # Thursday
        (date(2026, 12, 25), False),  # Christmas Day
        (date(2026, 12, 26), False),  # Saturday (and Boxing Day)
        (date(2026, 12, 27), False),  # Sunday
        (date(2026, 12, 28), False),  # Boxing Day substitute
        (date(2026, 12, 29), True),  # Tuesday
        (date(2027, 1, 1), False),  # New Year's Day
        (date(2027, 1, 4), True),  # Monday, a working day in England
    ],
)
def test_weekends_and_bank_holidays_are_not_working_days(day: date, expected: bool) -> None:
    assert ENGLAND.is_working_day(day) is expected


def test_an_organisation_closure_day_is_not_a_working_day() -> None:
    # A council that closes between Christmas and New Year.
    closed = WorkingCalendar(closures=frozenset({date(2026, 12, 29), date(2026, 12, 30)}))
    assert ENGLAND.is_working_day(date(2026, 12, 29))
    assert not closed.is_working_day(date(2026, 12, 29))
    assert not closed.is_working_day(date(2026, 12, 30))
    assert closed.is_working_day(date(2026, 12, 31))


def test_closures_push_a_working_day_deadline_further_back() -> None:
    closed = WorkingCalendar(
        closures=frozenset({date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)})
    )
    # Back from 12 Jan: 11, 8, 7, 6, 5, 4 Jan; 31-29 Dec closed, 28 and 25 Dec bank holidays;
    # then 24, 23, 22, 21 Dec.
    assert closed.add_working_days(PPP_JANUARY_2027, -10) == date(2026, 12, 21)


def test_closures_given_as_a_set_are_frozen() -> None:
    calendar = WorkingCalendar(closures={date(2026, 12, 29)})  # type: ignore[arg-type]
    assert isinstance(calendar.closures, frozenset)
    assert hash(calendar) == hash(WorkingCalendar(closures=frozenset({date(2026, 12, 29)})))


def test_ten_working_days_before_the_january_ppp_meeting_skips_christmas_and_new_year() -> None:
    # 11, 8, 7, 6, 5, 4 Jan; 1 Jan holiday; 31, 30, 29 Dec; 28 and 25 Dec holidays; 24 Dec.
    assert ENGLAND.add_working_days(PPP_JANUARY_2027, -10) == date(2026, 12, 24)


def test_ten_working_days_before_the_january_meeting_in_scotland_also_skips_4_january() -> None:
    assert SCOTLAND.add_working_days(PPP_JANUARY_2027, -10) == date(2026, 12, 23)


def test_adding_zero_working_days_returns_the_day_unchanged_even_on_a_holiday() -> None:
    assert ENGLAND.add_working_days(date(2026, 12, 25), 0) == date(2026, 12, 25)
    assert ENGLAND.add_working_days(date(2026, 12, 24), 0) == date(2026, 12, 24)


def test_counting_starts_strictly_after_or_before_the_day() -> None:
    assert ENGLAND.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert ENGLAND.add_working_days(date(2026, 12, 29), -1) == date(2026, 12, 24)
    # From a non-working day the first working day counts as one.
    assert ENGLAND.add_working_days(date(2026, 12, 26), 1) == date(2026, 12, 29)
    assert ENGLAND.add_working_days(date(2026, 12, 27), -1) == date(2026, 12, 24)


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        (date(2026, 12, 24), 10, PPP_JANUARY_2027),
        (date(2027, 3, 25), 3, date(2027, 4, 1)),  # over Good Friday and Easter Monday
        (date(2026, 8, 28), 1, date(2026, 9, 1)),  # over the summer bank holiday
        (date(2026, 10, 12), 5, date(2026, 10, 19)),  # a plain week
    ],
)
def test_adding_and_subtracting_working_days_are_symmetric(
    day: date, n: int, expected: date
) -> None:
    assert ENGLAND.add_working_days(day, n) == expected
    assert ENGLAND.add_working_days(expected, -n) == day
    assert ENGLAND.working_days_between(day, expected) == n


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # 29, 30, 31 Dec and 4, 5, 6, 7, 8, 11, 12 Jan: the end counts, the start does not.
        (date(2026, 12, 24), date(2027, 1, 12), 10),
        (date(2026, 12, 18), date(2026, 12, 21), 1),  # Friday to Monday
        (date(2026, 12, 24), date(2026, 12, 28), 0),  # nothing but holidays and a weekend
        (date(2027, 3, 25), date(2027, 4, 1), 3),  # 30, 31 Mar and 1 Apr
        (date(2027, 1, 12), date(2027, 1, 12), 0),
        (date(2027, 1, 12), date(2026, 12, 24), 0),  # end before start
    ],
)
def test_working_days_between_counts_the_end_but_not_the_start(
    start: date, end: date, expected: int
) -> None:
    assert ENGLAND.working_days_between(start, end) == expected


def test_next_and_previous_working_day_step_over_christmas() -> None:
    assert ENGLAND.next_working_day(date(2026, 12, 25)) == date(2026, 12, 29)
    assert ENGLAND.previous_working_day(date(2026, 12, 28)) == date(2026, 12, 24)
    # On a working day both return the day itself.
    assert ENGLAND.next_working_day(date(2026, 12, 24)) == date(2026, 12, 24)
    assert ENGLAND.previous_working_day(date(2026, 12, 29)) == date(2026, 12, 29)


def test_dorset_agenda_items_are_due_ten_working_days_before_the_meeting() -> None:
    # Dorset PPP 9.1: agenda items at least 10 working days prior to the meeting.
    deadline = deadline_before(PPP_JANUARY_2027, Offset(10, "working_days"), ENGLAND)
    assert deadline == date(2026, 12, 24)


def test_dorset_papers_go_out_three_working_days_before_the_meeting() -> None:
    # Dorset PPP: papers at least 3 working days prior: 11, 8, 7 January.
    deadline = deadline_before(PPP_JANUARY_2027, Offset(3, "working_days"), ENGLAND)
    assert deadline == date(2027, 1, 7)


def test_three_working_days_before_thursday_after_easter_skips_both_easter_holidays() -> None:
    # 31, 30 Mar; 29 Mar Easter Monday; 27-28 weekend; 26 Mar Good Friday; 25 Mar.
    thursday = date(2027, 4, 1)
    assert deadline_before(thursday, Offset(3, "working_days"), ENGLAND) == date(2027, 3, 25)
    # Easter Monday is a working day in Scotland.
    assert deadline_before(thursday, Offset(3, "working_days"), SCOTLAND) == date(2027, 3, 29)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [("earlier", date(2026, 12, 24)), ("later", date(2026, 12, 29))],
)
def test_a_calendar_day_deadline_on_christmas_day_moves_by_the_rule(
    rule: NonWorkingDayRule, expected: date
) -> None:
    # Four days before Tuesday 29 December is Christmas Day.
    deadline = deadline_before(date(2026, 12, 29), Offset(4, "calendar_days"), ENGLAND, rule)
    assert deadline == expected


def test_birmingham_responses_three_days_before_a_thursday_meeting_fall_on_monday() -> None:
    # Birmingham: the deadline for responses is three days prior to the meeting.
    assert deadline_before(date(2026, 10, 15), Offset(3, "calendar_days"), ENGLAND) == date(
        2026, 10, 12
    )


def test_birmingham_three_days_before_lands_on_a_bank_holiday_and_moves_earlier() -> None:
    # Thursday 3 September 2026 less three days is the summer bank holiday, Monday 31 August.
    assert deadline_before(date(2026, 9, 3), Offset(3, "calendar_days"), ENGLAND) == date(
        2026, 8, 28
    )


def test_birmingham_drafts_are_shared_two_weeks_before_the_meeting() -> None:
    assert deadline_before(date(2027, 1, 21), Offset(2, "weeks"), ENGLAND) == date(2027, 1, 7)


@pytest.mark.parametrize(
    ("rule", "expected"),
    [("earlier", date(2026, 12, 24)), ("later", date(2026, 12, 29))],
)
def test_two_weeks_before_a_monday_can_land_on_the_boxing_day_substitute(
    rule: NonWorkingDayRule, expected: date
) -> None:
    # Monday 11 January 2027 less 14 days is Monday 28 December 2026.
    assert deadline_before(date(2027, 1, 11), Offset(2, "weeks"), ENGLAND, rule) == expected


def test_zero_working_days_before_a_holiday_still_lands_on_a_working_day() -> None:
    deadline = deadline_before(date(2026, 12, 25), Offset(0, "working_days"), ENGLAND)
    assert deadline == date(2026, 12, 24)


def test_ten_working_days_after_opening_skip_christmas() -> None:
    # From Monday 14 December: 15-18, 21-24 Dec (8), 25 and 28 Dec holidays, 29, 30 Dec.
    opened = date(2026, 12, 14)
    assert deadline_after(opened, Offset(10, "working_days"), ENGLAND) == date(2026, 12, 30)


@pytest.mark.parametrize(
    ("calendar", "rule", "expected"),
    [
        (ENGLAND, "later", date(2027, 1, 4)),
        (SCOTLAND, "later", date(2027, 1, 5)),  # 4 January is a Scottish holiday
        (ENGLAND, "earlier", date(2026, 12, 31)),
    ],
)
def test_fourteen_days_after_opening_on_new_years_day_moves_by_the_rule(
    calendar: WorkingCalendar, rule: NonWorkingDayRule, expected: date
) -> None:
    # Friday 18 December 2026 plus 14 days is New Year's Day.
    assert deadline_after(date(2026, 12, 18), Offset(14, "calendar_days"), calendar, rule) == (
        expected
    )


def test_an_offset_is_never_negative_and_has_a_known_unit() -> None:
    with pytest.raises(ValueError, match="negative"):
        Offset(-1, "working_days")
    with pytest.raises(ValueError, match="unit"):
        Offset(1, "months")  # type: ignore[arg-type]


def test_an_unknown_non_working_day_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="rule"):
        deadline_before(date(2027, 1, 12), Offset(3, "calendar_days"), ENGLAND, "nearest")  # type: ignore[arg-type]

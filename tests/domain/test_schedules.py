"""Golden dates for meeting schedules written as RFC 5545 recurrence rules, 2026-2027.

Expected dates were read off a calendar by hand (1 September 2026 is a Tuesday, 1 January 2027
a Friday); British Summer Time runs 29 March-25 October 2026 and 28 March-31 October 2027.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrule

from services.domain.calendar.schedules import (
    MeetingOnHoliday,
    Occurrence,
    ScheduleError,
    occurrences,
    parse_rule,
    twelve_months_from,
    validate_rule,
)
from services.domain.calendar.working_days import WorkingCalendar

ENGLAND = WorkingCalendar()
SCOTLAND = WorkingCalendar(subdivision="SCT")
PPP_RULE = "FREQ=MONTHLY;BYDAY=+2TU;BYMONTH=1,2,3,4,5,6,7,9,10,11"
LAST_MONDAY = "FREQ=MONTHLY;BYDAY=-1MO"
TEN_AM = time(10, 0)


def ppp_meetings(**overrides: object) -> list[Occurrence]:
    arguments: dict[str, object] = {
        "starts_on": date(2026, 9, 1),
        "start_time": TEN_AM,
        "window_start": date(2026, 9, 1),
        "window_end": date(2027, 8, 31),
        "calendar": ENGLAND,
    }
    arguments.update(overrides)
    return occurrences(PPP_RULE, **arguments)  # type: ignore[arg-type]


def last_mondays_2026(
    on_non_working_day: MeetingOnHoliday, calendar: WorkingCalendar = ENGLAND
) -> dict[date, date]:
    found = occurrences(
        LAST_MONDAY,
        starts_on=date(2026, 1, 1),
        start_time=TEN_AM,
        window_start=date(2026, 1, 1),
        window_end=date(2026, 12, 31),
        calendar=calendar,
        on_non_working_day=on_non_working_day,
    )
    return {o.key: o.day for o in found}


def test_dorset_ppp_meets_second_tuesday_except_august_and_december() -> None:
    # Dorset PPP: second Tuesday of each month, excluding August and December.
    meetings = ppp_meetings()
    assert [o.key for o in meetings] == [
        date(2026, 9, 8),
        date(2026, 10, 13),
        date(2026, 11, 10),
        date(2027, 1, 12),
        date(2027, 2, 9),
        date(2027, 3, 9),
        date(2027, 4, 13),
        date(2027, 5, 11),
        date(2027, 6, 8),
        date(2027, 7, 13),
    ]
    # No second Tuesday in the year is a bank holiday, so none moves.
    assert [o.day for o in meetings] == [o.key for o in meetings]


def test_the_first_day_of_a_schedule_is_not_a_meeting_unless_the_rule_says_so() -> None:
    # 1 September 2026 is the first Tuesday, not the second.
    assert ppp_meetings()[0].day == date(2026, 9, 8)


def test_the_window_includes_both_ends() -> None:
    meetings = ppp_meetings(window_start=date(2026, 9, 8), window_end=date(2026, 11, 10))
    assert [o.key for o in meetings] == [date(2026, 9, 8), date(2026, 10, 13), date(2026, 11, 10)]


def test_a_cancelled_meeting_is_left_out() -> None:
    meetings = ppp_meetings(excluded=[date(2027, 4, 13)])
    assert date(2027, 4, 13) not in [o.key for o in meetings]
    assert len(meetings) == 9


@pytest.mark.parametrize(
    ("key", "starts_at"),
    [
        (date(2026, 9, 8), datetime(2026, 9, 8, 9, 0, tzinfo=UTC)),  # BST
        (date(2026, 10, 13), datetime(2026, 10, 13, 9, 0, tzinfo=UTC)),  # BST to 25 October
        (date(2026, 11, 10), datetime(2026, 11, 10, 10, 0, tzinfo=UTC)),  # GMT
        (date(2027, 3, 9), datetime(2027, 3, 9, 10, 0, tzinfo=UTC)),  # GMT to 28 March
        (date(2027, 4, 13), datetime(2027, 4, 13, 9, 0, tzinfo=UTC)),  # BST
    ],
)
def test_ten_o_clock_in_london_is_stored_in_utc(key: date, starts_at: datetime) -> None:
    by_key = {o.key: o for o in ppp_meetings()}
    assert by_key[key].starts_at == starts_at
    assert by_key[key].starts_at.utcoffset() is not None


@pytest.mark.parametrize(
    ("key", "starts_at"),
    [
        (date(2026, 7, 14), datetime(2026, 7, 14, 9, 0, tzinfo=UTC)),  # summer: BST
        (date(2026, 10, 19), datetime(2026, 10, 19, 9, 0, tzinfo=UTC)),  # week before the change
        (date(2026, 10, 26), datetime(2026, 10, 26, 10, 0, tzinfo=UTC)),  # day after: GMT
        (date(2027, 1, 13), datetime(2027, 1, 13, 10, 0, tzinfo=UTC)),  # winter: GMT
        (date(2027, 3, 22), datetime(2027, 3, 22, 10, 0, tzinfo=UTC)),  # week before the change
        # Easter Monday, the day after the change, moves to Tuesday 30 March, in BST.
        (date(2027, 3, 29), datetime(2027, 3, 30, 9, 0, tzinfo=UTC)),
    ],
)
def test_local_time_follows_british_summer_time(key: date, starts_at: datetime) -> None:
    meetings = occurrences(
        "FREQ=WEEKLY;BYDAY=MO,TU,WE",
        starts_on=date(2026, 7, 1),
        start_time=TEN_AM,
        window_start=date(2026, 7, 1),
        window_end=date(2027, 4, 30),
        calendar=ENGLAND,
    )
    by_key = {o.key: o.starts_at for o in meetings}
    assert by_key[key] == starts_at


def test_starts_at_uses_the_given_time_zone() -> None:
    meetings = ppp_meetings(tz=ZoneInfo("UTC"), window_end=date(2026, 9, 30))
    assert meetings[0].starts_at == datetime(2026, 9, 8, 10, 0, tzinfo=UTC)


def test_the_last_monday_of_each_month_in_2026() -> None:
    assert list(last_mondays_2026("keep")) == [
        date(2026, 1, 26),
        date(2026, 2, 23),
        date(2026, 3, 30),
        date(2026, 4, 27),
        date(2026, 5, 25),  # spring bank holiday
        date(2026, 6, 29),
        date(2026, 7, 27),
        date(2026, 8, 31),  # summer bank holiday
        date(2026, 9, 28),
        date(2026, 10, 26),
        date(2026, 11, 30),
        date(2026, 12, 28),  # Boxing Day substitute
    ]


@pytest.mark.parametrize(
    ("on_non_working_day", "moved"),
    [
        (
            "next_working_day",
            {
                date(2026, 5, 25): date(2026, 5, 26),
                date(2026, 8, 31): date(2026, 9, 1),
                date(2026, 12, 28): date(2026, 12, 29),
            },
        ),
        (
            "previous_working_day",
            {
                date(2026, 5, 25): date(2026, 5, 22),
                date(2026, 8, 31): date(2026, 8, 28),
                date(2026, 12, 28): date(2026, 12, 24),  # over Christmas Day and a weekend
            },
        ),
        (
            "keep",
            {
                date(2026, 5, 25): date(2026, 5, 25),
                date(2026, 8, 31): date(2026, 8, 31),
                date(2026, 12, 28): date(2026, 12, 28),
            },
        ),
    ],
)
def test_a_meeting_on_a_bank_holiday_moves_by_the_rule_and_keeps_its_key(
    on_non_working_day: MeetingOnHoliday, moved: dict[date, date]
) -> None:
    days = last_mondays_2026(on_non_working_day)
    assert len(days) == 12
    for key, day in moved.items():
        assert days[key] == day
    # Meetings on working days stay put.
    assert days[date(2026, 6, 29)] == date(2026, 6, 29)


def test_a_meeting_on_a_bank_holiday_is_dropped_with_skip() -> None:
    days = last_mondays_2026("skip")
    assert len(days) == 9
    assert date(2026, 5, 25) not in days
    assert date(2026, 8, 31) not in days
    assert date(2026, 12, 28) not in days


def test_scottish_holidays_move_different_meetings() -> None:
    days = last_mondays_2026("next_working_day", SCOTLAND)
    assert days[date(2026, 8, 31)] == date(2026, 8, 31)  # not a holiday in Scotland
    assert days[date(2026, 11, 30)] == date(2026, 12, 1)  # St Andrew's Day


def test_a_closure_day_moves_a_meeting() -> None:
    closed = WorkingCalendar(closures=frozenset({date(2027, 1, 12)}))
    by_key = {o.key: o.day for o in ppp_meetings(calendar=closed)}
    assert by_key[date(2027, 1, 12)] == date(2027, 1, 13)


def test_a_cancelled_meeting_is_matched_by_its_rule_date_not_its_moved_date() -> None:
    days = last_mondays_2026("keep")
    assert date(2026, 8, 31) in days
    found = occurrences(
        LAST_MONDAY,
        starts_on=date(2026, 1, 1),
        start_time=TEN_AM,
        window_start=date(2026, 1, 1),
        window_end=date(2026, 12, 31),
        calendar=ENGLAND,
        excluded={date(2026, 8, 31)},
    )
    assert date(2026, 9, 1) not in [o.day for o in found]
    assert len(found) == 11


def test_a_meeting_moved_past_the_window_end_is_still_listed_under_its_key() -> None:
    found = occurrences(
        LAST_MONDAY,
        starts_on=date(2026, 1, 1),
        start_time=TEN_AM,
        window_start=date(2026, 12, 1),
        window_end=date(2026, 12, 28),
        calendar=ENGLAND,
    )
    assert found == [
        Occurrence(
            key=date(2026, 12, 28),
            day=date(2026, 12, 29),
            starts_at=datetime(2026, 12, 29, 10, 0, tzinfo=UTC),
        )
    ]


def test_count_limits_the_meetings_from_the_first_day() -> None:
    found = occurrences(
        "FREQ=MONTHLY;BYDAY=+2TU;COUNT=3",
        starts_on=date(2026, 9, 1),
        start_time=TEN_AM,
        window_start=date(2026, 10, 1),
        window_end=date(2027, 8, 31),
        calendar=ENGLAND,
    )
    # The September meeting counts towards COUNT although it is before the window.
    assert [o.key for o in found] == [date(2026, 10, 13), date(2026, 11, 10)]


def test_a_date_until_includes_a_meeting_later_that_day() -> None:
    found = occurrences(
        "FREQ=MONTHLY;BYDAY=+2TU;UNTIL=20270713",
        starts_on=date(2027, 5, 1),
        start_time=TEN_AM,
        window_start=date(2027, 5, 1),
        window_end=date(2027, 12, 31),
        calendar=ENGLAND,
    )
    assert [o.key for o in found] == [date(2027, 5, 11), date(2027, 6, 8), date(2027, 7, 13)]


def test_a_weekly_meeting_for_twelve_months_hits_the_limit_exactly() -> None:
    # Tuesdays from 1 September 2026 to 31 August 2027: 52 weeks later, so 53 of them.
    arguments: dict[str, object] = {
        "starts_on": date(2026, 9, 1),
        "start_time": TEN_AM,
        "window_start": date(2026, 9, 1),
        "window_end": date(2027, 8, 31),
        "calendar": ENGLAND,
    }
    assert len(occurrences("FREQ=WEEKLY;BYDAY=TU", limit=53, **arguments)) == 53  # type: ignore[arg-type]
    with pytest.raises(ScheduleError, match="more than 52 meetings"):
        occurrences("FREQ=WEEKLY;BYDAY=TU", limit=52, **arguments)  # type: ignore[arg-type]


def test_a_daily_rule_over_a_century_is_refused() -> None:
    with pytest.raises(ScheduleError, match="more than 400 meetings"):
        occurrences(
            "FREQ=DAILY",
            starts_on=date(2026, 1, 1),
            start_time=TEN_AM,
            window_start=date(2026, 1, 1),
            window_end=date(2126, 1, 1),
            calendar=ENGLAND,
        )


def test_a_meeting_time_with_a_time_zone_is_refused() -> None:
    with pytest.raises(ScheduleError, match="local"):
        ppp_meetings(start_time=time(10, 0, tzinfo=UTC))


def test_parse_rule_accepts_an_rrule_prefix() -> None:
    parsed = parse_rule("RRULE:" + PPP_RULE, datetime(2026, 9, 1, 10, 0))
    assert isinstance(parsed, rrule)
    assert parsed.after(datetime(2026, 9, 1)) == datetime(2026, 9, 8, 10, 0)


@pytest.mark.parametrize(
    "text",
    [
        PPP_RULE,
        "RRULE:" + PPP_RULE,
        "  rrule:freq=monthly;byday=+2tu;bymonth=1,2,3,4,5,6,7,9,10,11\n",
        "FREQ=MONTHLY; BYDAY=+2TU; BYMONTH=1,2,3,4,5,6,7,9,10,11",
    ],
)
def test_validate_rule_returns_the_normalised_rule(text: str) -> None:
    assert validate_rule(text) == PPP_RULE


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "needs a recurrence rule"),
        ("   \n", "needs a recurrence rule"),
        ("second Tuesday of the month", "not NAME=VALUE"),
        ("FREQ=FORTNIGHTLY", "Not a valid recurrence rule"),
        ("FREQ=MONTHLY;BYDAY=2XX", "Not a valid recurrence rule"),
        ("FREQ=MONTHLY;COLOUR=BLUE", "Not a valid recurrence rule"),
        ("BYDAY=TU", "needs a FREQ"),
        ("FREQ=HOURLY", "daily at most"),
        ("FREQ=MINUTELY;INTERVAL=30", "daily at most"),
        ("FREQ=SECONDLY", "daily at most"),
        ("FREQ=DAILY;BYHOUR=9,14", "BYHOUR"),
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL"),
        ("FREQ=MONTHLY;COUNT=3;UNTIL=20271231", "COUNT or UNTIL"),
        ("FREQ=MONTHLY;UNTIL=20271231T235959Z", "without Z"),
        ("DTSTART:20260901T100000\nRRULE:FREQ=MONTHLY", "DTSTART"),
        ("FREQ=MONTHLY;DTSTART=20260901", "DTSTART"),
        ("RRULE:FREQ=MONTHLY\nEXDATE:20261208", "EXDATE"),
        ("RRULE:FREQ=MONTHLY\nRDATE:20261208", "RDATE"),
        ("RRULE:FREQ=MONTHLY;BYDAY=+2TU\nRRULE:FREQ=MONTHLY;BYDAY=+4TU", "single recurrence"),
        ("RRULE:FREQ=MONTHLY RRULE:FREQ=WEEKLY", "single recurrence"),
        ("FREQ=MONTHLY;FREQ=WEEKLY", "FREQ twice"),
    ],
)
def test_a_rule_that_cannot_be_used_is_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        validate_rule(text)
    with pytest.raises(ScheduleError, match=message):
        parse_rule(text, datetime(2026, 9, 1, 10, 0))


def test_a_schedule_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        validate_rule("")


@pytest.mark.parametrize(
    ("day", "end"),
    [
        (date(2026, 9, 1), date(2027, 8, 31)),
        (date(2026, 1, 31), date(2027, 1, 30)),
        (date(2027, 3, 1), date(2028, 2, 29)),  # 2028 is a leap year
        (date(2028, 2, 29), date(2029, 2, 28)),  # no 29 February in 2029
    ],
)
def test_twelve_months_from_ends_the_day_before_the_anniversary(day: date, end: date) -> None:
    assert twelve_months_from(day) == end

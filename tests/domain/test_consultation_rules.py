"""Golden dates and checks for consultations: closing days, reminders, forms and links.

Expected dates were worked out by hand from a calendar (1 January 2027 is a Friday) and the
England bank holidays of the ``holidays`` package (the first test pins the ones relied on):
Christmas Day 2026 is a Friday, Boxing Day a Saturday, so Monday 28 December is the substitute
day; Good Friday 2027 is 26 March and Easter Monday 29 March. British Summer Time starts on the
last Sunday of March (29 March 2026, 28 March 2027) and ends on the last Sunday of October
(25 October 2026).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import holidays
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.authz.principal import Principal
from services.domain.calendar.working_days import Offset, WorkingCalendar
from services.domain.clock import LONDON, closing_day
from services.domain.consultations import audience, lifecycle, links, opening
from services.domain.consultations.closing import (
    DEFAULT_RULES,
    ClosingRule,
    closing_day_after,
    closing_day_before,
    end_of_day,
    months_before,
    reminder_due,
)
from services.domain.consultations.commands import Audience, External, NewConsultation, Question
from services.domain.consultations.opening import check_reminders
from services.domain.consultations.responses import check_answers
from services.domain.consultations.service import consultees_of
from services.domain.documents import service as documents
from services.domain.documents import versions
from services.domain.documents.commands import NewDocument
from services.domain.errors import Forbidden, Invalid, NotFound
from services.domain.models.consultations import Consultation, Consultee
from services.domain.tokens import Keyring
from tests.factories import World

ENGLAND = WorkingCalendar()
# Straight from the package, to check the calendar against something it does not compute.
ENGLISH_BANK_HOLIDAYS = frozenset(
    holidays.country_holidays("GB", subdiv="ENG", years=range(2025, 2029))
)
SECRET = Keyring("test-secret-key")


def test_the_bank_holidays_these_goldens_rely_on() -> None:
    found = ENGLISH_BANK_HOLIDAYS
    assert {
        date(2026, 8, 31),  # summer, a Monday
        date(2026, 12, 25),  # Christmas Day, a Friday
        date(2026, 12, 26),  # Boxing Day, a Saturday...
        date(2026, 12, 28),  # ...so Monday is the substitute day
        date(2027, 1, 1),  # a Friday
        date(2027, 3, 26),  # Good Friday
        date(2027, 3, 29),  # Easter Monday
    } <= set(found)
    # Working days the goldens land on.
    for day in (date(2026, 12, 24), date(2026, 12, 29), date(2026, 12, 31), date(2027, 3, 25)):
        assert day not in found
    assert date(2026, 12, 28).weekday() == 0
    assert date(2027, 2, 28).weekday() == 6


# --- end_of_day and closing_day --------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "closes_at_utc"),
    [
        # BST: London midnight is 23:00 UTC the same evening.
        (date(2026, 7, 10), datetime(2026, 7, 10, 23, 0, tzinfo=UTC)),
        # GMT: London midnight is midnight UTC.
        (date(2027, 1, 14), datetime(2027, 1, 15, 0, 0, tzinfo=UTC)),
        # Saturday before the clocks go forward: its end is still GMT.
        (date(2026, 3, 28), datetime(2026, 3, 29, 0, 0, tzinfo=UTC)),
        # The day the clocks go forward ends in BST.
        (date(2026, 3, 29), datetime(2026, 3, 29, 23, 0, tzinfo=UTC)),
        (date(2027, 3, 28), datetime(2027, 3, 28, 23, 0, tzinfo=UTC)),
        # Saturday before the clocks go back: its end is still BST.
        (date(2026, 10, 24), datetime(2026, 10, 24, 23, 0, tzinfo=UTC)),
        # The day the clocks go back ends in GMT.
        (date(2026, 10, 25), datetime(2026, 10, 26, 0, 0, tzinfo=UTC)),
        (date(2026, 12, 31), datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
    ],
)
def test_a_closing_day_ends_at_london_midnight(day: date, closes_at_utc: datetime) -> None:
    closes_at = end_of_day(day)
    assert closes_at.astimezone(UTC) == closes_at_utc
    assert closing_day(closes_at) == day
    # The database hands the moment back in UTC: it is still the same closing day.
    assert closing_day(closes_at_utc) == day


def _hours_between_ends(first: date, second: date) -> timedelta:
    # In UTC: two datetimes sharing the London zone would subtract by the wall clock.
    return end_of_day(second).astimezone(UTC) - end_of_day(first).astimezone(UTC)


def test_the_days_the_clocks_change_are_23_and_25_hours_long() -> None:
    assert _hours_between_ends(date(2026, 3, 28), date(2026, 3, 29)) == timedelta(hours=23)
    assert _hours_between_ends(date(2026, 10, 24), date(2026, 10, 25)) == timedelta(hours=25)
    assert _hours_between_ends(date(2026, 7, 10), date(2026, 7, 11)) == timedelta(hours=24)


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        # The last instant of a July day in London, and the first of the next.
        (datetime(2026, 7, 10, 22, 59, 59, tzinfo=UTC), date(2026, 7, 10)),
        (datetime(2026, 7, 10, 23, 0, tzinfo=UTC), date(2026, 7, 10)),
        (datetime(2026, 7, 10, 23, 0, 0, 1, tzinfo=UTC), date(2026, 7, 11)),
        # In January London is on UTC.
        (datetime(2027, 1, 14, 23, 30, tzinfo=UTC), date(2027, 1, 14)),
        (datetime(2027, 1, 15, 0, 0, tzinfo=UTC), date(2027, 1, 14)),
        (datetime(2027, 1, 15, 0, 0, 1, tzinfo=UTC), date(2027, 1, 15)),
        # An exact closing moment in the afternoon: due by the end of that day.
        (datetime(2026, 7, 10, 15, 0, tzinfo=LONDON), date(2026, 7, 10)),
        # 01:30 UTC on the night the clocks go back is 01:30 GMT (the second 01:30).
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), date(2026, 10, 25)),
        # 23:30 UTC the night before the clocks go back is 00:30 BST on the 25th.
        (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), date(2026, 10, 25)),
    ],
)
def test_closing_day_is_the_london_day_responses_are_due_by(moment: datetime, day: date) -> None:
    assert closing_day(moment) == day


# --- closing_day_after: counted on from the opening ------------------------------------------


def _after(opening_day: date, amount: int, unit: Any) -> date:
    return closing_day_after(opening_day, ClosingRule("opening", amount, unit), ENGLAND)


@pytest.mark.parametrize(
    ("opening_day", "amount", "expected"),
    [
        # Fri 18 Dec + 10 working days: 21-24 Dec, 29-31 Dec, 4-6 Jan (25, 28 Dec and 1 Jan off).
        (date(2026, 12, 18), 10, date(2027, 1, 6)),
        # Thu 24 Dec + 3 working days: 29, 30, 31 December.
        (date(2026, 12, 24), 3, date(2026, 12, 31)),
        (date(2026, 12, 24), 4, date(2027, 1, 4)),
        # Opening on Christmas Day (a bank holiday) itself does not count.
        (date(2026, 12, 25), 1, date(2026, 12, 29)),
        # Opening on the substitute Boxing Day: the next working day is the first counted.
        (date(2026, 12, 28), 1, date(2026, 12, 29)),
        # Across Easter 2027: Thu 25 March + 1 skips Good Friday to Easter Monday.
        (date(2027, 3, 25), 1, date(2027, 3, 30)),
    ],
)
def test_working_days_after_the_opening_skip_christmas_and_new_year(
    opening_day: date, amount: int, expected: date
) -> None:
    assert _after(opening_day, amount, "working_days") == expected


@pytest.mark.parametrize(
    ("opening_day", "amount", "expected"),
    [
        (date(2026, 12, 1), 7, date(2026, 12, 8)),  # a Tuesday: no move
        # 18 Dec + 10 = Mon 28 Dec, the substitute Boxing Day: moves later to Tuesday.
        (date(2026, 12, 18), 10, date(2026, 12, 29)),
        # 22 Dec + 3 = Christmas Day: past Boxing Day, the weekend and the substitute day.
        (date(2026, 12, 22), 3, date(2026, 12, 29)),
        # 25 Dec + 7 = New Year's Day (a Friday): on to Monday 4 January.
        (date(2026, 12, 25), 7, date(2027, 1, 4)),
        # A Saturday close moves to Monday.
        (date(2027, 1, 4), 5, date(2027, 1, 11)),
        # 19 March + 7 = Good Friday: past Easter to Tuesday 30 March.
        (date(2027, 3, 19), 7, date(2027, 3, 30)),
    ],
)
def test_calendar_days_after_the_opening_move_later_off_a_holiday(
    opening_day: date, amount: int, expected: date
) -> None:
    assert _after(opening_day, amount, "calendar_days") == expected


@pytest.mark.parametrize(
    ("opening_day", "amount", "expected"),
    [
        (date(2026, 12, 1), 2, date(2026, 12, 15)),
        (date(2026, 12, 14), 2, date(2026, 12, 29)),  # Mon 28 Dec is the substitute day
        (date(2026, 12, 11), 3, date(2027, 1, 4)),  # Fri 1 Jan is New Year's Day
        (date(2027, 3, 15), 2, date(2027, 3, 30)),  # Easter Monday
    ],
)
def test_weeks_after_the_opening_move_later_off_a_holiday(
    opening_day: date, amount: int, expected: date
) -> None:
    assert _after(opening_day, amount, "weeks") == expected


@pytest.mark.parametrize(
    ("opening_day", "amount", "expected"),
    [
        # Cafcass 4.6: three months; a Tuesday, no move.
        (date(2026, 9, 15), 3, date(2026, 12, 15)),
        # 30 November + 3 months = 28 February 2027 (no 30th), a Sunday: Monday 1 March.
        (date(2026, 11, 30), 3, date(2027, 3, 1)),
        (date(2026, 11, 28), 3, date(2027, 3, 1)),
        # Lands on Easter Monday 2027: Tuesday 30 March.
        (date(2026, 12, 29), 3, date(2027, 3, 30)),
        # Lands on Good Friday 2027: past the Easter weekend and Monday to Tuesday.
        (date(2026, 12, 26), 3, date(2027, 3, 30)),
        # Lands on the summer bank holiday 2026: Tuesday 1 September.
        (date(2026, 5, 31), 3, date(2026, 9, 1)),
        # Lands on the substitute Boxing Day 2026.
        (date(2026, 9, 28), 3, date(2026, 12, 29)),
        # 31 January + 1 month = 28 February 2027, a Sunday.
        (date(2027, 1, 31), 1, date(2027, 3, 1)),
    ],
)
def test_months_after_the_opening_move_later_off_a_holiday(
    opening_day: date, amount: int, expected: date
) -> None:
    assert _after(opening_day, amount, "months") == expected


def test_the_default_public_consultation_runs_three_months() -> None:
    # Cafcass 4.6: a full three-month consultation.
    rule = ClosingRule(**DEFAULT_RULES["public"])  # type: ignore[arg-type]
    assert closing_day_after(date(2026, 11, 30), rule, ENGLAND) == date(2027, 3, 1)


def test_the_default_internal_consultation_runs_ten_working_days() -> None:
    rule = ClosingRule(**DEFAULT_RULES["internal"])  # type: ignore[arg-type]
    assert closing_day_after(date(2026, 12, 18), rule, ENGLAND) == date(2027, 1, 6)


def test_closure_days_push_a_closing_day_later() -> None:
    # A council closed between Christmas and New Year: 18 Dec + 10 calendar days = 28 Dec
    # (bank holiday), 29-31 Dec closed, 1 Jan bank holiday, then the weekend.
    closed = WorkingCalendar(closures=frozenset(date(2026, 12, d) for d in (29, 30, 31)))
    rule = ClosingRule("opening", 10, "calendar_days")
    assert closing_day_after(date(2026, 12, 18), rule, closed) == date(2027, 1, 4)
    assert closing_day_after(date(2026, 12, 18), rule, ENGLAND) == date(2026, 12, 29)


@pytest.mark.parametrize("unit", ["calendar_days", "weeks"])
def test_a_consultation_counted_from_its_opening_is_never_shortened(unit: Any) -> None:
    step = 7 if unit == "weeks" else 1
    opening_day = date(2026, 1, 1)
    while opening_day < date(2028, 1, 1):
        for amount in (1, 2, 3, 7, 10, 14):
            closes = _after(opening_day, amount, unit)
            assert closes >= opening_day + timedelta(days=amount * step), (opening_day, amount)
            assert closes.weekday() < 5, (opening_day, amount, closes)
            assert closes not in ENGLISH_BANK_HOLIDAYS, (opening_day, amount, closes)
        opening_day += timedelta(days=1)


def test_a_months_consultation_is_never_shorter_than_the_calendar_months() -> None:
    opening_day = date(2026, 1, 1)
    while opening_day < date(2027, 1, 1):
        closes = _after(opening_day, 3, "months")
        # Never before the same day-of-month three months on (or the month's last day).
        assert (closes.year, closes.month) >= (
            opening_day.year + (opening_day.month + 2) // 12,
            (opening_day.month + 2) % 12 + 1,
        ), opening_day
        assert closes - opening_day >= timedelta(days=89), opening_day
        opening_day += timedelta(days=1)


# --- closing_day_before: counted back from the meeting ---------------------------------------

THREE_DAYS = Offset(3, "calendar_days")  # Birmingham: three days prior to the meeting.


@pytest.mark.parametrize(
    ("meeting_day", "expected"),
    [
        # Thu 7 Jan - 3 = Mon 4 Jan, a working day.
        (date(2027, 1, 7), date(2027, 1, 4)),
        # Thu 31 Dec - 3 = Mon 28 Dec, the substitute Boxing Day: back past Boxing Day and
        # Christmas Day to Thursday 24 December.
        (date(2026, 12, 31), date(2026, 12, 24)),
        # Mon 4 Jan - 3 = Fri 1 Jan (New Year's Day): Thursday 31 December.
        (date(2027, 1, 4), date(2026, 12, 31)),
        # Thu 1 Apr - 3 = Easter Monday: back past Good Friday to Thursday 25 March.
        (date(2027, 4, 1), date(2027, 3, 25)),
        # Tue 12 Jan - 3 = Saturday 9 Jan: Friday 8 January.
        (date(2027, 1, 12), date(2027, 1, 8)),
    ],
)
def test_responses_three_days_before_the_meeting_move_earlier_off_a_holiday(
    meeting_day: date, expected: date
) -> None:
    assert closing_day_before(meeting_day, THREE_DAYS, ENGLAND) == expected


def test_counted_back_in_weeks_and_working_days() -> None:
    # Mon 11 Jan - 2 weeks = Mon 28 Dec (bank holiday): Thursday 24 December.
    assert closing_day_before(date(2027, 1, 11), Offset(2, "weeks"), ENGLAND) == date(2026, 12, 24)
    # Wed 6 Jan - 3 working days: 5 Jan, 4 Jan, (1 Jan off) 31 Dec.
    assert closing_day_before(date(2027, 1, 6), Offset(3, "working_days"), ENGLAND) == date(
        2026, 12, 31
    )


@pytest.mark.parametrize(
    ("meeting_day", "months", "expected"),
    [
        (date(2027, 6, 15), 3, date(2027, 3, 15)),
        # 31 March - 1 month = 28 February 2027, a Sunday: Friday 26 February.
        (date(2027, 3, 31), 1, date(2027, 2, 26)),
        # 29 June - 3 months = Easter Monday: Thursday 25 March.
        (date(2027, 6, 29), 3, date(2027, 3, 25)),
        # 28 March 2027 - 3 months = Monday 28 December 2026: Thursday 24 December.
        (date(2027, 3, 28), 3, date(2026, 12, 24)),
    ],
)
def test_months_before_a_meeting_move_earlier_off_a_holiday(
    meeting_day: date, months: int, expected: date
) -> None:
    assert months_before(meeting_day, months, ENGLAND) == expected


def test_responses_counted_back_from_a_meeting_are_never_later_than_the_offset() -> None:
    meeting_day = date(2026, 1, 1)
    while meeting_day < date(2028, 1, 1):
        for amount in (1, 3, 7, 14):
            due = closing_day_before(meeting_day, Offset(amount, "calendar_days"), ENGLAND)
            assert due <= meeting_day - timedelta(days=amount), (meeting_day, amount)
            assert due.weekday() < 5 and due not in ENGLISH_BANK_HOLIDAYS, (meeting_day, due)
        meeting_day += timedelta(days=1)


# --- reminder_due ----------------------------------------------------------------------------

CLOSES = end_of_day(date(2027, 1, 20))  # 21 January 00:00 GMT
INVITED = CLOSES - timedelta(days=21)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (CLOSES - timedelta(days=8), None),  # before any threshold
        (CLOSES - timedelta(days=7), 7),  # the seven-day threshold is reached
        (CLOSES - timedelta(days=3), 7),
        (CLOSES - timedelta(days=2), 2),  # the nearer threshold only, not both
        (CLOSES - timedelta(days=1), 2),
        (CLOSES - timedelta(seconds=1), 2),
        (CLOSES, None),  # closed: nothing to remind about
        (CLOSES + timedelta(days=1), None),
    ],
)
def test_the_nearest_threshold_reached_is_the_reminder_due(
    now: datetime, expected: int | None
) -> None:
    assert reminder_due(CLOSES, INVITED, now, [7, 2]) == expected


def test_a_sweep_that_missed_a_threshold_sends_the_nearer_one_only() -> None:
    # Nobody ran the sweep between the 14- and 2-day thresholds: one reminder, the 2-day one.
    assert reminder_due(CLOSES, INVITED, CLOSES - timedelta(hours=30), [14, 7, 2]) == 2


def test_no_reminder_for_a_threshold_passed_before_the_invitation() -> None:
    invited = CLOSES - timedelta(days=3)
    # Invited three days before the close: no seven-day reminder...
    assert reminder_due(CLOSES, invited, invited + timedelta(hours=1), [7, 2]) is None
    assert reminder_due(CLOSES, invited, CLOSES - timedelta(days=2, hours=1), [7, 2]) is None
    # ...but the two-day one, which came after the invitation.
    assert reminder_due(CLOSES, invited, CLOSES - timedelta(days=2), [7, 2]) == 2
    # Invited at the very moment of a threshold: that threshold does not count.
    at_threshold = CLOSES - timedelta(days=2)
    assert reminder_due(CLOSES, at_threshold, at_threshold, [7, 2]) is None


def test_thresholds_may_come_unsorted_and_repeated() -> None:
    now = CLOSES - timedelta(days=3)
    assert reminder_due(CLOSES, INVITED, now, [2, 7, 2, 14, 7]) == 7
    assert reminder_due(CLOSES, INVITED, CLOSES - timedelta(days=1), (7, 2, 7, 2)) == 2
    assert reminder_due(CLOSES, INVITED, CLOSES - timedelta(days=10), [2, 7, 14, 14]) == 14
    assert reminder_due(CLOSES, INVITED, now, []) is None


# --- check_questions, check_reminders, check_answers -----------------------------------------


def check_questions(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The form as a request body gives it, each question built as the domain takes it."""
    return opening.check_questions([Question.of(question) for question in questions])


def _invalid(call: Any, *args: Any) -> Invalid:
    with pytest.raises(Invalid) as raised:
        call(*args)
    assert raised.value.detail
    return raised.value


def test_a_checked_form_is_normalised() -> None:
    checked = check_questions(
        [
            {"key": "agree", "text": "Do you agree?", "kind": "yes_no", "required": True},
            {"key": "why", "text": "Why?"},
            {
                "key": "area",
                "text": "Your area",
                "kind": "choice",
                "options": ["North", "South", "North"],
            },
        ]
    )
    assert checked == [
        {
            "key": "agree",
            "text": "Do you agree?",
            "kind": "yes_no",
            "options": [],
            "required": True,
        },
        {"key": "why", "text": "Why?", "kind": "text", "options": [], "required": False},
        {
            "key": "area",
            "text": "Your area",
            "kind": "choice",
            "options": ["North", "South"],
            "required": False,
        },
    ]


def test_a_question_key_is_used_once() -> None:
    error = _invalid(
        check_questions,
        [{"key": "why", "text": "Why?"}, {"key": "why", "text": "Why not?"}],
    )
    assert error.detail == "The question key 'why' is used twice."
    assert error.extra == {"field": "questions"}


def test_a_choice_needs_two_distinct_options() -> None:
    for options in ([], ["Yes"], ["Yes", "Yes"], None):
        error = _invalid(
            check_questions, [{"key": "pick", "text": "Pick", "kind": "choice", "options": options}]
        )
        assert error.detail == "The choice question 'pick' needs two options or more."


def test_only_a_choice_has_options() -> None:
    for kind in ("text", "yes_no"):
        error = _invalid(
            check_questions, [{"key": "q", "text": "Q", "kind": kind, "options": ["a", "b"]}]
        )
        assert error.detail == f"Only a choice question has options ('q' is {kind})."


def test_a_question_kind_is_known() -> None:
    error = _invalid(check_questions, [{"key": "q", "text": "Q", "kind": "scale"}])
    assert error.detail == "A question's kind is one of: text, yes_no, choice."


def test_reminder_lead_times_are_deduplicated_and_bounded() -> None:
    assert check_reminders([2, 7, 2, 14]) == [14, 7, 2]
    assert check_reminders([7] * 6) == [7]  # six copies of one lead time are one
    assert check_reminders([]) == []
    assert check_reminders([1, 365]) == [365, 1]
    for days in ([0], [366], [-1, 7], [1, 2, 3, 4, 5, 6]):
        error = _invalid(check_reminders, days)
        assert error.detail == "Give at most 5 reminder lead times, each 1 to 365 days."
        assert error.extra == {"field": "reminder_days"}


FORM = check_questions(
    [
        {"key": "agree", "text": "Do you agree?", "kind": "yes_no", "required": True},
        {"key": "area", "text": "Your area", "kind": "choice", "options": ["North", "South"]},
        {"key": "why", "text": "Why?"},
    ]
)


def test_answers_are_checked_against_the_form() -> None:
    assert check_answers(FORM, {"agree": False, "area": "South", "why": "Because."}) == {
        "agree": False,
        "area": "South",
        "why": "Because.",
    }
    # Optional questions left out or left blank are dropped.
    assert check_answers(FORM, {"agree": True, "why": ""}) == {"agree": True}
    assert check_answers([], {}) == {}


def test_a_required_question_is_answered() -> None:
    for answers in ({}, {"agree": None}, {"agree": ""}, {"area": "North"}):
        error = _invalid(check_answers, FORM, answers)
        assert error.detail == "Answer the question 'Do you agree?'."
        assert error.extra == {"field": "answers"}


def test_a_yes_no_answer_is_true_or_false() -> None:
    for value in ("yes", "true", 1, 0):
        error = _invalid(check_answers, FORM, {"agree": value})
        assert error.detail == "The answer to 'agree' is true or false."


def test_a_choice_answer_is_one_of_the_options() -> None:
    for value in ("East", "north", True):
        error = _invalid(check_answers, FORM, {"agree": True, "area": value})
        assert error.detail == "The answer to 'area' is one of: North, South."


def test_a_text_answer_is_text() -> None:
    for value in (True, 3, ["a"]):
        error = _invalid(check_answers, FORM, {"agree": True, "why": value})
        assert error.detail == "The answer to 'why' is text."


def test_unknown_question_keys_are_refused() -> None:
    error = _invalid(check_answers, FORM, {"agree": True, "zeta": "x", "alpha": "y"})
    assert error.detail == "No such question: alpha, zeta."
    assert error.extra == {"field": "answers"}


# --- links -----------------------------------------------------------------------------------

CONSULTEE = uuid.UUID("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")


def test_a_link_token_is_stable_and_bound_to_its_version_and_secret() -> None:
    token = links.link_token(SECRET, CONSULTEE, 1)
    assert token == links.link_token(SECRET, CONSULTEE, 1)
    assert token.startswith(f"{CONSULTEE.hex}.")
    assert token != links.link_token(SECRET, CONSULTEE, 2)
    assert token != links.link_token(Keyring("another-secret"), CONSULTEE, 1)
    other = uuid.UUID("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c")
    assert token.partition(".")[2] != links.link_token(SECRET, other, 1).partition(".")[2]
    # URL-safe: it goes in a path segment of the invitation link.
    assert all(c.isalnum() or c in "-_." for c in token)


@asynccontextmanager
async def _step(world: World) -> AsyncIterator[AsyncSession]:
    """One transaction, as one request would be."""
    async with world.sessionmaker() as session, session.begin():
        yield session


def _policy_officer(world: World) -> Principal:
    return Principal(
        organisation_id=world.a.id,
        person_id=world.a.policy_officer.person_id,
        roles=frozenset({"policy_officer"}),
        label="Policy Officer of alpha",
    )


async def _open_with_external(world: World) -> tuple[uuid.UUID, uuid.UUID]:
    """An open internal consultation with one external consultee: (consultation, consultee)."""
    po = _policy_officer(world)
    async with _step(world) as session:
        document = await documents.create_document(
            session,
            po,
            NewDocument.of(
                {
                    "reference": "CS-PO-031",
                    "title": "Short breaks",
                    "kind": "policy",
                    "service_area": "Children with disabilities",
                }
            ),
        )
        version = await versions.add_version(
            session,
            po,
            document,
            filename="short-breaks.txt",
            content=b"Short breaks for disabled children.",
            declared_media_type="text/plain",
            change_summary="first draft",
            issue=False,
            max_bytes=1024 * 1024,
        )
        command = NewConsultation(
            document_id=document.id,
            version_id=version.id,
            kind="internal",
            audience=Audience(
                external=[External(name="Partner agency", email="lead@partner.example")]
            ),
        )
        consultation = await opening.open_consultation(
            session, po, command, default_reminder_days=[7, 2]
        )
        assert consultation.status == "open"
        (consultee,) = await consultees_of(session, consultation)
        return consultation.id, consultee.id


async def _follow(world: World, token: str, grace: timedelta = timedelta(days=28)) -> Consultee:
    async with _step(world) as session:
        consultee, _ = await links.consultee_for_link(session, SECRET, token, grace)
        return consultee


async def test_a_current_link_opens_its_consultee(world: World) -> None:
    consultation_id, consultee_id = await _open_with_external(world)
    consultee = await _follow(world, links.link_token(SECRET, consultee_id, 1))
    assert consultee.id == consultee_id
    assert consultee.consultation_id == consultation_id


async def test_a_tampered_or_foreign_token_is_not_found(world: World) -> None:
    _, consultee_id = await _open_with_external(world)
    token = links.link_token(SECRET, consultee_id, 1)
    signature = token.partition(".")[2]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (
        tampered,
        links.link_token(Keyring("another-secret"), consultee_id, 1),
        f"{uuid.uuid4().hex}.{signature}",  # a signature moved onto another id
        links.link_token(SECRET, consultee_id, 2),  # a version not handed out yet
        "not-a-token",
        consultee_id.hex,
    ):
        with pytest.raises(NotFound):
            await _follow(world, bad)


async def test_a_revoked_link_is_forbidden_and_a_new_one_replaces_it(world: World) -> None:
    consultation_id, consultee_id = await _open_with_external(world)
    po = _policy_officer(world)
    first = links.link_token(SECRET, consultee_id, 1)
    async with _step(world) as session:
        consultation = await session.get(Consultation, consultation_id)
        consultee = await session.get(Consultee, consultee_id)
        assert consultation is not None and consultee is not None
        await audience.revoke_link(session, po, consultation, consultee)
    for token in (first, links.link_token(SECRET, consultee_id, 2)):
        with pytest.raises(Forbidden, match="withdrawn"):
            await _follow(world, token)
    async with _step(world) as session:
        consultation = await session.get(Consultation, consultation_id)
        consultee = await session.get(Consultee, consultee_id)
        assert consultation is not None and consultee is not None
        await audience.send_link(session, po, consultation, consultee)
    # Version 3 works; the old ones stay withdrawn.
    assert (await _follow(world, links.link_token(SECRET, consultee_id, 3))).id == consultee_id
    for version in (1, 2):
        with pytest.raises(Forbidden, match="withdrawn"):
            await _follow(world, links.link_token(SECRET, consultee_id, version))


async def test_a_link_expires_a_grace_period_after_the_close(world: World) -> None:
    consultation_id, consultee_id = await _open_with_external(world)
    async with _step(world) as session:
        consultation = await session.get(Consultation, consultation_id)
        assert consultation is not None
        await lifecycle.close_consultation(session, _policy_officer(world), consultation)
    token = links.link_token(SECRET, consultee_id, 1)
    # Within the grace period a closed consultation's link still opens (for late responses).
    assert (await _follow(world, token, grace=timedelta(days=28))).id == consultee_id
    with pytest.raises(Forbidden, match="expired"):
        await _follow(world, token, grace=timedelta(0))


def test_a_board_that_moves_deadlines_later_closes_its_consultations_on_its_published_day() -> None:
    """Meeting Thursday 31 Dec 2026, responses three days before: Monday 28 Dec is a bank
    holiday. A board whose rule is "later" publishes Tuesday 29 Dec; the consultation agrees."""
    from services.domain.consultations.closing import LONDON, closing_day_before, months_before

    calendar = WorkingCalendar()
    three_days = Offset(3, "calendar_days")
    assert closing_day_before(date(2026, 12, 31), three_days, calendar, "later") == date(
        2026, 12, 29
    )
    assert closing_day_before(date(2026, 12, 31), three_days, calendar) == date(2026, 12, 24)
    # One month before 28 Jan 2027 is the bank holiday of 28 Dec 2026.
    assert months_before(date(2027, 1, 28), 1, calendar, "later") == date(2026, 12, 29)
    assert months_before(date(2027, 1, 28), 1, calendar) == date(2026, 12, 24)
    assert LONDON.key == "Europe/London"


def test_a_reminder_is_due_at_the_same_moment_whatever_the_time_zone_it_is_given_in() -> None:
    """Seven days before a close on 29 March 2026 crosses the change to British Summer Time."""
    from services.domain.consultations.closing import LONDON, end_of_day

    closes = end_of_day(date(2026, 3, 29))
    invited = datetime(2026, 3, 1, 9, tzinfo=UTC)
    for now in (
        datetime(2026, 3, 22, 22, 30, tzinfo=UTC),
        datetime(2026, 3, 22, 23, 30, tzinfo=UTC),
    ):
        in_london = reminder_due(closes, invited, now, [7])
        in_utc = reminder_due(closes.astimezone(UTC), invited, now, [7])
        assert in_london == in_utc, now
    # Exactly seven days of 24 hours before the close.
    absolute = closes.astimezone(UTC)
    assert reminder_due(closes, invited, absolute - timedelta(days=7), [7]) == 7
    assert reminder_due(closes, invited, absolute - timedelta(days=7, seconds=1), [7]) is None
    assert closes.astimezone(LONDON).hour == 0

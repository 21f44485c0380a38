"""The target time to triage a request to the policy service: working days after it arrives
(Birmingham: requests go to the Policy Service; the organisation sets the target)."""

from __future__ import annotations

from datetime import date

import pytest

from services.domain.calendar.working_days import WorkingCalendar
from services.domain.policy_requests.targets import is_overdue, triage_due_on

ENGLAND = WorkingCalendar("ENG")


@pytest.mark.parametrize(
    ("received_on", "working_days", "due_on"),
    [
        # A Monday: two working weeks later, the day itself not counted.
        (date(2026, 3, 2), 10, date(2026, 3, 16)),
        # A Saturday counts from the Monday after.
        (date(2026, 3, 7), 1, date(2026, 3, 9)),
        # Over Christmas and New Year: 25, 26 December and 1 January are bank holidays.
        (date(2025, 12, 19), 10, date(2026, 1, 7)),
        # Over Easter 2026: Good Friday 3 April and Easter Monday 6 April.
        (date(2026, 4, 1), 3, date(2026, 4, 8)),
    ],
)
def test_a_request_is_due_for_triage_working_days_after_it_arrives(
    received_on: date, working_days: int, due_on: date
) -> None:
    assert triage_due_on(received_on, working_days, ENGLAND) == due_on


def test_a_closure_day_of_the_organisation_does_not_count() -> None:
    closed = WorkingCalendar("ENG", closures=frozenset({date(2026, 3, 3)}))
    assert triage_due_on(date(2026, 3, 2), 1, closed) == date(2026, 3, 4)


def test_a_request_is_overdue_only_after_its_triage_date() -> None:
    due = date(2026, 3, 16)
    assert not is_overdue(due, date(2026, 3, 16))
    assert is_overdue(due, date(2026, 3, 17))

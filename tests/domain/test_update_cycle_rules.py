"""The numbers of a Trix update cycle: the six-week deadline and the reminder thresholds."""

from __future__ import annotations

from datetime import date

import pytest

from services.domain.errors import Invalid
from services.domain.reviews.update_cycles import default_submission_deadline, reminder_due
from services.domain.reviews.update_plan import read_csv

DEADLINE = date(2026, 7, 31)
OPENED = date(2026, 6, 19)


def test_the_submission_deadline_is_six_weeks_after_the_opening() -> None:
    # NCT 3.4 a iii: a six-week period to review and approve or reject the amendments.
    assert default_submission_deadline(OPENED) == DEADLINE


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 7, 16), None),  # fifteen days before
        (date(2026, 7, 17), 14),
        (date(2026, 7, 27), 14),
        (date(2026, 7, 28), 3),
        (DEADLINE, 3),  # the deadline day still counts
        (date(2026, 8, 1), None),  # after it: the sweep closes the cycle instead
    ],
)
def test_the_nearest_threshold_reached_applies(today: date, expected: int | None) -> None:
    assert reminder_due(DEADLINE, OPENED, today, (14, 3)) == expected


def test_a_threshold_that_passed_before_the_cycle_opened_sends_nothing() -> None:
    opened_late = date(2026, 7, 20)  # eleven days before the deadline
    assert reminder_due(DEADLINE, opened_late, date(2026, 7, 20), (14, 3)) is None
    assert reminder_due(DEADLINE, opened_late, date(2026, 7, 28), (14, 3)) == 3


def test_a_csv_row_is_named_as_the_spreadsheet_numbers_it() -> None:
    with pytest.raises(Invalid) as error:
        read_csv(b"Chapter,Recommendation\nA,do\n\n,orphan\n")
    assert error.value.extra["row"] == 4
    assert error.value.extra["field"] == "chapter"


def test_a_tab_separated_excel_export_with_extra_columns_reads() -> None:
    content = "Ref\tNotes\tRecommendations\nCS-1\tignored\tCafé rules\n".encode("cp1252")
    items = read_csv(content)
    assert [(i.chapter, i.recommendation) for i in items] == [("CS-1", "Café rules")]

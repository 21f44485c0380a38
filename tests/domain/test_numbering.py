"""Golden tests for version numbering (Cafcass framework 4.11)."""

from __future__ import annotations

import pytest

from services.domain.documents.numbering import (
    format_number,
    is_issued,
    next_number,
    parse_number,
)


@pytest.mark.parametrize(
    ("latest", "issue", "expected"),
    [
        (None, False, (0, 1)),  # first draft
        ((0, 1), False, (0, 2)),
        ((0, 9), False, (0, 10)),  # 0.10 follows 0.9, not 1.0
        ((0, 3), True, (1, 0)),  # the issued version becomes 1.0
        (None, True, (1, 0)),  # an already-issued document moved in
        ((1, 0), False, (1, 1)),  # amendments after issue
        ((1, 2), True, (2, 0)),  # next issue
        ((2, 0), True, (3, 0)),  # reissued without drafts
    ],
)
def test_next_number_follows_the_cafcass_scheme(
    latest: tuple[int, int] | None, issue: bool, expected: tuple[int, int]
) -> None:
    assert next_number(latest, issue=issue) == expected


def test_only_whole_numbers_above_zero_are_issued() -> None:
    assert is_issued((1, 0)) and is_issued((2, 0))
    assert not is_issued((0, 1)) and not is_issued((1, 1))


def test_numbers_round_trip_as_text() -> None:
    assert format_number((1, 10)) == "1.10"
    assert parse_number("1.10") == (1, 10)
    assert parse_number("1") is None
    assert parse_number("v1.0") is None
    assert parse_number("1.0.0") is None

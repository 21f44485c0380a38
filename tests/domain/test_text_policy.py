"""Properties of the one text policy (services/domain/text.py) and of the exports' handling of
any text already stored: no control character gets out, no line is injected, no formula runs."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Annotated

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from pydantic import TypeAdapter, ValidationError

from services.domain.calendar.ics import CalendarEntry, render_calendar
from services.domain.consultations.report_formats import FORMULA_STARTS, safe_cell
from services.domain.text import STORED, TextPolicy, printable, refusal
from tests.hostile_text import LINE_BREAKS, NEVER, hostile, typed

REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@given(hostile(NEVER))
def test_no_field_takes_nul_surrogates_c0_c1_or_noncharacters(value: str) -> None:
    assert refusal(value, multiline=True) is not None
    assert refusal(value, multiline=False) is not None


@given(hostile(LINE_BREAKS))
def test_a_one_line_field_refuses_tabs_and_line_breaks_a_multi_line_one_takes_them(
    value: str,
) -> None:
    assert refusal(value, multiline=False) == "must be one line: no tabs or line breaks"
    assert refusal(value, multiline=True) is None


@given(typed)
def test_typed_text_is_always_accepted(value: str) -> None:
    assert refusal(value, multiline=False) is None


@settings(max_examples=200)
@given(
    st.builds(
        TextPolicy,
        max_length=st.integers(1, 300),
        min_length=st.just(0),
        multiline=st.booleans(),
        strip=st.booleans(),
    ),
    st.one_of(hostile(NEVER), st.text(min_size=301, max_size=400)),
)
def test_a_policy_refuses_hostile_or_over_long_text(policy: TextPolicy, value: str) -> None:
    adapter: TypeAdapter[str] = TypeAdapter(Annotated[str, policy])
    with pytest.raises(ValidationError):
        adapter.validate_python(value)


@given(hostile(["\x85", "\u2028", "\x0b", "\x1c"]))
def test_whitespace_controls_are_refused_before_stripping_could_hide_them(value: str) -> None:
    # str.strip() takes U+0085, U+2028, VT and FS for whitespace.
    adapter: TypeAdapter[str] = TypeAdapter(Annotated[str, TextPolicy(2000, strip=True)])
    with pytest.raises(ValidationError):
        adapter.validate_python(value)


@given(st.text())
def test_printable_leaves_no_refused_character(value: str) -> None:
    out = printable(value)
    assert REFUSED.search(out) is None
    assert refusal(printable(value, multiline=False), multiline=False) is None
    out.encode("utf-8")


@given(st.text())
def test_a_csv_cell_is_never_a_formula_and_reads_back_as_written(value: str) -> None:
    cell = safe_cell(value)
    assert not cell.startswith(FORMULA_STARTS)
    out = io.StringIO()
    csv.writer(out).writerow([cell, "next"])
    [row] = list(csv.reader(io.StringIO(out.getvalue().encode("utf-8").decode(), newline="")))
    assert row == [cell, "next"]


@given(st.text(), st.text(), st.text(), st.text())
# icalendar's own escaping read a typed backslash and N as a line break.
@example("\\N", "a\\Nb\\,", "\\n", "\\N;")
def test_a_calendar_feed_of_any_stored_text_is_valid_with_no_injected_line(
    summary: str, description: str, location: str, name: str
) -> None:
    entry = CalendarEntry(
        uid="meeting-1@policygov",
        summary=summary,
        description=description,
        location=location,
        starts_at=datetime(2026, 7, 14, 9, tzinfo=UTC),
    )
    ics = render_calendar(name, [entry], generated_at=datetime(2026, 7, 1, tzinfo=UTC))

    text = ics.decode("utf-8")
    lines = text.split("\r\n")
    assert "\n" not in text.replace("\r\n", "") and "\r" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert REFUSED.search(text) is None
    unfolded = [line for line in lines if line and not line.startswith(" ")]
    assert sum(line == "BEGIN:VEVENT" for line in unfolded) == 1
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    for field, written in (
        ("SUMMARY", summary),
        ("DESCRIPTION", description),
        ("LOCATION", location),
    ):
        if written or field == "SUMMARY":
            # Read back as written: only the characters refused in stored text are replaced.
            expected = printable(written).replace("\r\n", "\n").replace("\r", "\n")
            assert str(event[field]) == expected


def test_text_read_back_from_the_database_is_not_refused_but_what_comes_in_is() -> None:
    # A route's stage named before the policy, with a tab in it, must still be readable: every
    # sign-off on that route reads the definition back.
    adapter: TypeAdapter[str] = TypeAdapter(Annotated[str, TextPolicy(200, 1)])
    assert adapter.validate_python("Director\tapproval", context=STORED) == "Director\tapproval"
    with pytest.raises(ValidationError):
        adapter.validate_python("Director\tapproval")

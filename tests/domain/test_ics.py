"""The iCalendar feed, read back as a subscribing client would with icalendar's own parser."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar, Event

from services.domain.calendar.ics import CalendarEntry, render_calendar
from services.domain.clock import LONDON

GENERATED_AT = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
AWKWARD_TEXT = "Children\u2019s Services; SEND, Fostering\nRoom 2 \u2013 County Hall"


def meeting(**overrides: object) -> CalendarEntry:
    fields: dict[str, object] = {
        "uid": "meeting-1@policygov",
        "summary": "Policy review panel",
        "starts_at": datetime(2026, 7, 14, 10, 0, tzinfo=LONDON),
    }
    fields.update(overrides)
    return CalendarEntry(**fields)  # type: ignore[arg-type]


def deadline(**overrides: object) -> CalendarEntry:
    fields: dict[str, object] = {
        "uid": "deadline-1@policygov",
        "summary": "Safeguarding policy review due",
        "on_date": date(2026, 7, 31),
    }
    fields.update(overrides)
    return CalendarEntry(**fields)  # type: ignore[arg-type]


def render(*entries: CalendarEntry, name: str = "Governance") -> bytes:
    return render_calendar(name, entries, generated_at=GENERATED_AT)


def parse(ics: bytes) -> Calendar:
    return Calendar.from_ical(ics)


def events(ics: bytes) -> list[Event]:
    return [event for event in parse(ics).walk("VEVENT") if isinstance(event, Event)]


def only_event(ics: bytes) -> Event:
    (event,) = events(ics)
    return event


def content_lines(ics: bytes) -> list[bytes]:
    assert ics.endswith(b"\r\n")
    return ics[: -len(b"\r\n")].split(b"\r\n")


def test_the_feed_declares_itself_as_a_published_calendar_refreshed_hourly() -> None:
    name = "Governance \u2013 Children\u2019s Services"
    ics = render(meeting(), name=name)
    calendar = parse(ics)

    assert str(calendar["PRODID"]) == "-//policygov//governance calendar//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == name
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/London"
    # Checked on the wire: icalendar 6 parses REFRESH-INTERVAL back as bytes, 7 as a timedelta.
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in content_lines(ics)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"


def test_the_refresh_interval_is_written_as_an_ical_duration() -> None:
    ics = render_calendar("G", [], generated_at=GENERATED_AT, refresh=timedelta(minutes=30))
    lines = content_lines(ics)

    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT30M" in lines
    assert b"X-PUBLISHED-TTL:PT30M" in lines


def test_an_empty_feed_is_still_a_valid_calendar() -> None:
    calendar = parse(render())

    assert calendar.name == "VCALENDAR"
    assert events(render()) == []


def test_a_timed_event_in_british_summer_time_is_written_in_utc() -> None:
    ics = render(meeting(starts_at=datetime(2026, 7, 14, 10, 0, tzinfo=LONDON)))
    lines = content_lines(ics)

    assert b"DTSTART:20260714T090000Z" in lines
    # No ends_at: one hour by default.
    assert b"DTEND:20260714T100000Z" in lines
    assert b"BEGIN:VTIMEZONE" not in ics
    event = only_event(ics)
    assert event.decoded("DTSTART") == datetime(2026, 7, 14, 9, 0, tzinfo=UTC)
    assert event.decoded("DTSTAMP") == GENERATED_AT


def test_a_timed_event_in_winter_is_written_in_utc_with_its_given_end() -> None:
    ics = render(
        meeting(
            starts_at=datetime(2026, 1, 20, 14, 0, tzinfo=LONDON),
            ends_at=datetime(2026, 1, 20, 15, 30, tzinfo=LONDON),
        )
    )
    lines = content_lines(ics)

    assert b"DTSTART:20260120T140000Z" in lines
    assert b"DTEND:20260120T153000Z" in lines


def test_a_confirmed_meeting_carries_its_details() -> None:
    modified = datetime(2026, 7, 2, 9, 15, tzinfo=LONDON)
    event = only_event(
        render(
            meeting(
                description="Agenda: annual review",
                location="Board room",
                url="https://policygov.example/meetings/1",
                sequence=2,
                last_modified=modified,
            )
        )
    )

    assert str(event["UID"]) == "meeting-1@policygov"
    assert str(event["SUMMARY"]) == "Policy review panel"
    assert str(event["DESCRIPTION"]) == "Agenda: annual review"
    assert str(event["LOCATION"]) == "Board room"
    assert str(event["URL"]) == "https://policygov.example/meetings/1"
    assert event.decoded("SEQUENCE") == 2
    assert event.decoded("LAST-MODIFIED") == modified
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "TRANSP" not in event


def test_empty_optional_fields_are_left_out() -> None:
    event = only_event(render(meeting()))

    for prop in ("DESCRIPTION", "LOCATION", "URL", "LAST-MODIFIED"):
        assert prop not in event
    assert event.decoded("SEQUENCE") == 0


def test_a_deadline_is_an_all_day_event_that_does_not_block_the_diary() -> None:
    ics = render(deadline(on_date=date(2026, 7, 31)))
    lines = content_lines(ics)
    event = only_event(ics)

    assert b"DTSTART;VALUE=DATE:20260731" in lines
    assert b"DTEND;VALUE=DATE:20260801" in lines
    start = event.decoded("DTSTART")
    end = event.decoded("DTEND")
    assert type(start) is date
    assert type(end) is date
    assert start == date(2026, 7, 31)
    assert end == date(2026, 8, 1)
    assert str(event["TRANSP"]) == "TRANSPARENT"


def test_a_deadline_on_the_last_day_of_the_year_ends_on_new_years_day() -> None:
    event = only_event(render(deadline(on_date=date(2026, 12, 31))))

    assert event.decoded("DTEND") == date(2027, 1, 1)


def test_a_cancelled_meeting_stays_in_the_feed_marked_cancelled_with_its_sequence() -> None:
    event = only_event(render(meeting(is_cancelled=True, sequence=3)))

    assert str(event["UID"]) == "meeting-1@policygov"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("SEQUENCE") == 3


def test_punctuation_newlines_and_non_ascii_text_round_trip_exactly() -> None:
    ics = render(meeting(summary=AWKWARD_TEXT, description=AWKWARD_TEXT * 3, location=AWKWARD_TEXT))
    event = only_event(ics)

    assert str(event["SUMMARY"]) == AWKWARD_TEXT
    assert str(event["DESCRIPTION"]) == AWKWARD_TEXT * 3
    assert str(event["LOCATION"]) == AWKWARD_TEXT
    # Escaped on the wire: a raw comma, semicolon or newline would break the content line.
    assert b"Children\xe2\x80\x99s Services\\; SEND\\, Fostering\\nRoom 2" in ics


def test_lines_end_in_crlf_and_are_folded_at_75_octets() -> None:
    long_text = ("\u00e9\u2013\u2019 " + AWKWARD_TEXT + " ") * 12
    ics = render(meeting(description=long_text, location=long_text, summary=long_text))

    assert b"\n" not in ics.replace(b"\r\n", b"")
    assert b"\r" not in ics.replace(b"\r\n", b"")
    lines = content_lines(ics)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines), "long text should have been folded"
    for line in lines:
        line.decode("utf-8")  # folding never splits a multi-byte character
    assert str(only_event(ics)["DESCRIPTION"]) == long_text


def test_every_event_in_the_feed_has_its_own_uid() -> None:
    entries = [meeting(uid=f"meeting-{n}@policygov") for n in range(5)]
    entries += [deadline(uid=f"deadline-{n}@policygov") for n in range(5)]
    uids = [str(event["UID"]) for event in events(render(*entries))]

    assert uids == [entry.uid for entry in entries]
    assert len(set(uids)) == len(uids)


def test_two_entries_with_the_same_uid_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        render(meeting(), meeting(summary="Same uid, other meeting"))


def test_an_entry_needs_exactly_one_of_a_start_time_or_a_date() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        CalendarEntry(
            uid="x@policygov",
            summary="Both",
            starts_at=datetime(2026, 7, 14, 10, 0, tzinfo=LONDON),
            on_date=date(2026, 7, 14),
        )
    with pytest.raises(ValueError, match="exactly one"):
        CalendarEntry(uid="x@policygov", summary="Neither")


def test_a_timed_event_needs_timezone_aware_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        meeting(starts_at=datetime(2026, 7, 14, 10, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        meeting(ends_at=datetime(2026, 7, 14, 11, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        render_calendar("G", [], generated_at=datetime(2026, 7, 1, 12, 0))


def test_an_event_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before"):
        meeting(ends_at=datetime(2026, 7, 14, 9, 0, tzinfo=LONDON))


def test_an_all_day_entry_takes_a_date_and_no_end_time() -> None:
    with pytest.raises(ValueError, match="not a datetime"):
        deadline(on_date=datetime(2026, 7, 31, 9, 0, tzinfo=LONDON))
    with pytest.raises(ValueError, match="ends_at"):
        deadline(ends_at=datetime(2026, 7, 31, 9, 0, tzinfo=LONDON))

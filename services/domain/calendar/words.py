"""Days and months in words, for dates shown to people (emails, printable reports).

Spelled out here so that the server's locale cannot change the language of a date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.domain.clock import LONDON

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def london_time(value: datetime) -> datetime:
    # The database stores every moment in UTC; a moment without an offset is taken as UTC.
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(LONDON)


def long_date(value: str | date | datetime) -> str:
    """'2026-12-08' -> 'Tuesday 8 December 2026'; a moment is shown as its London date."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    day = london_time(value).date() if isinstance(value, datetime) else value
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def long_datetime(value: str | datetime) -> str:
    """'2026-12-08T10:00:00+00:00' -> 'Tuesday 8 December 2026, 10:00', the London time."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = london_time(value)
    return f"{long_date(local.date())}, {local:%H:%M}"

"""The one clock: times are stored as timezone-aware UTC; the dates people see (issue dates,
review dates, deadlines) are Europe/London dates. Part of the kernel: imports nothing from the
domain."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    return datetime.now(UTC)


def london_today() -> date:
    """Today, as people in England count days."""
    return utcnow().astimezone(LONDON).date()


def london_day(moment: datetime) -> date:
    """The London date of a stored moment."""
    return moment.astimezone(LONDON).date()

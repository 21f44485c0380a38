"""The one clock: times are stored as timezone-aware UTC; the dates people see (issue dates,
review dates, deadlines) are Europe/London dates. Part of the kernel: imports nothing from the
domain."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
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


def closing_day(moment: datetime) -> date:
    """The London day by the end of which something closing at ``moment`` is due: a
    consultation closes at midnight at the end of its last day."""
    return (moment.astimezone(LONDON) - timedelta(microseconds=1)).date()

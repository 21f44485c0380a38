"""The digest's periods: which week or month a digest sent on a day covers, and its key.

Birmingham 11: "the weekly email communication" (weekly, the organisation's weekday). Dorset
5.2: "The details of approved documents will be communicated each month by the Chair via the
Quality Assurance Newsletter" (monthly: sent on the first of the organisation's weekday in a
month, covering the calendar month before). Pure functions with golden tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from services.domain.clock import LONDON

FREQUENCIES = ("weekly", "monthly", "off")


@dataclass(frozen=True)
class Period:
    """London days ``starts_on`` to ``ends_on`` (both included), sent on ``sent_on``."""

    frequency: str
    starts_on: date
    ends_on: date
    sent_on: date

    @property
    def key(self) -> str:
        """Names the period in a digest's dedupe key: one digest per person and period."""
        if self.frequency == "monthly":
            return f"monthly:{self.starts_on:%Y-%m}"
        return f"weekly:{self.starts_on.isoformat()}"

    @property
    def start(self) -> datetime:
        """The first moment of the period (London midnight), for stored UTC moments."""
        return datetime.combine(self.starts_on, time(), LONDON)

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.ends_on + timedelta(days=1), time(), LONDON)


def _first_weekday(year: int, month: int, weekday: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7)


def latest_period(frequency: str, weekday: int, today: date) -> Period | None:
    """The latest period whose digest is due by ``today`` (None when the digest is off).

    Weekly: sent on the last ``weekday`` on or before today, covering the seven days before
    it. Monthly: sent on the first ``weekday`` of this month once it has come (else of last
    month), covering the calendar month before the one it is sent in.
    """
    if frequency == "weekly":
        sent_on = today - timedelta(days=(today.weekday() - weekday) % 7)
        return Period("weekly", sent_on - timedelta(days=7), sent_on - timedelta(days=1), sent_on)
    if frequency == "monthly":
        sent_on = _first_weekday(today.year, today.month, weekday)
        if sent_on > today:
            previous = today.replace(day=1) - timedelta(days=1)
            sent_on = _first_weekday(previous.year, previous.month, weekday)
        ends_on = sent_on.replace(day=1) - timedelta(days=1)
        return Period("monthly", ends_on.replace(day=1), ends_on, sent_on)
    return None


def current_period(frequency: str, weekday: int, today: date) -> Period | None:
    """The period that holds today, whose digest is still to come (the preview's default)."""
    latest = latest_period(frequency, weekday, today)
    if latest is None:
        return None
    if frequency == "weekly":
        return Period(
            "weekly", latest.sent_on, latest.sent_on + timedelta(days=6),
            latest.sent_on + timedelta(days=7),
        )  # fmt: skip
    starts_on = today.replace(day=1)
    following = (starts_on + timedelta(days=32)).replace(day=1)
    return Period(
        "monthly", starts_on, following - timedelta(days=1),
        _first_weekday(following.year, following.month, weekday),
    )  # fmt: skip

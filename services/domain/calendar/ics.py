"""iCalendar (RFC 5545) feeds that Outlook, Google Calendar and Apple Calendar can subscribe to.

A feed is a whole VCALENDAR published with METHOD:PUBLISH; subscribed clients fetch it again on
their own schedule (REFRESH-INTERVAL is the RFC 7986 hint, X-PUBLISHED-TTL the one Outlook reads)
and reconcile their copy with it event by event, matched on UID.

Timed events are written in UTC (``20260714T090000Z``). A UTC time needs no VTIMEZONE component,
which is where clients disagree most (Outlook in particular is strict about the rules it reads);
every client converts a UTC time into the zone of the person looking at it, so a meeting at
10:00 in London in summer shows as 10:00 BST to a reader in the UK and at the right local time
to anyone else. X-WR-TIMEZONE only tells clients which zone the calendar is "about".

All-day entries (deadlines) are DATE values with an exclusive DTEND on the next day and
TRANSP:TRANSPARENT, so that a deadline shows on its day without marking the diary as busy.

Cancelled meetings stay in the feed with STATUS:CANCELLED (and a bumped SEQUENCE) rather than
disappearing from it. A client that sees an event vanish from a subscription does not reliably
delete its copy; one that sees the same UID marked cancelled removes it or shows it struck
through, so nobody turns up to a meeting that no longer happens.

Escaping of text (commas, semicolons, backslashes, newlines) and folding of long lines (CRLF,
at most 75 octets, never splitting a UTF-8 character) are left to the ``icalendar`` library;
control characters, which it writes as they are, are replaced first (services/domain/text.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event, vDuration, vText

from services.domain.text import printable

PRODID = "-//policygov//governance calendar//EN"
CALENDAR_TIMEZONE = "Europe/London"
DEFAULT_EVENT_LENGTH = timedelta(hours=1)


def _require_aware(value: datetime, field: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{field} must be timezone-aware, got {value.isoformat()}")


class Text(vText):
    """RFC 5545 TEXT, escaped here: icalendar's own escaping reads a typed backslash and "N" as
    an escaped line break, so a title "Item \\N" would show a line break in the calendar."""

    def to_ical(self) -> bytes:
        escaped = str(self).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
        lines = escaped.replace("\r\n", "\n").replace("\r", "\n")
        return lines.replace("\n", "\\n").encode()


@dataclass(frozen=True)
class CalendarEntry:
    """One event in a feed: either timed (``starts_at``) or all-day (``on_date``).

    ``uid`` must stay the same for the life of the event (e.g. ``meeting-<uuid>@policygov``);
    ``sequence`` is bumped whenever the event moves or is cancelled, so that clients replace
    their copy rather than keep the old one.
    """

    uid: str
    summary: str
    description: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    on_date: date | None = None
    location: str = ""
    url: str | None = None
    is_cancelled: bool = False
    sequence: int = 0
    last_modified: datetime | None = None

    def __post_init__(self) -> None:
        if not self.uid.strip():
            raise ValueError("uid must not be empty")
        if (self.starts_at is None) == (self.on_date is None):
            raise ValueError("give exactly one of starts_at (a timed event) or on_date (all day)")
        if self.on_date is not None:
            if isinstance(self.on_date, datetime):
                raise ValueError("on_date must be a date, not a datetime; use starts_at")
            if self.ends_at is not None:
                raise ValueError("ends_at applies to timed events only, not to on_date")
        if self.starts_at is not None:
            _require_aware(self.starts_at, "starts_at")
            if self.ends_at is not None:
                _require_aware(self.ends_at, "ends_at")
                if self.ends_at < self.starts_at:
                    raise ValueError("ends_at must not be before starts_at")
        if self.last_modified is not None:
            _require_aware(self.last_modified, "last_modified")
        if self.sequence < 0:
            raise ValueError("sequence must not be negative")

    @property
    def is_all_day(self) -> bool:
        """True for an all-day entry (a deadline), False for a timed event."""
        return self.on_date is not None


def _event(entry: CalendarEntry, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp)
    if entry.on_date is not None:
        # A date (not a datetime) is written as DTSTART;VALUE=DATE; DTEND is exclusive.
        event.add("dtstart", entry.on_date)
        event.add("dtend", entry.on_date + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    else:
        assert entry.starts_at is not None  # guaranteed by CalendarEntry.__post_init__
        starts_at = entry.starts_at.astimezone(UTC)
        ends_at = (
            entry.ends_at.astimezone(UTC)
            if entry.ends_at is not None
            else starts_at + DEFAULT_EVENT_LENGTH
        )
        event.add("dtstart", starts_at)
        event.add("dtend", ends_at)
    # RFC 5545 TEXT holds no control character; icalendar escapes line breaks, not those.
    event.add("summary", Text(printable(entry.summary)))
    if entry.description:
        event.add("description", Text(printable(entry.description)))
    if entry.location:
        event.add("location", Text(printable(entry.location)))
    if entry.url:
        event.add("url", entry.url)
    event.add("sequence", entry.sequence)
    if entry.last_modified is not None:
        event.add("last-modified", entry.last_modified.astimezone(UTC))
    event.add("status", "CANCELLED" if entry.is_cancelled else "CONFIRMED")
    return event


def render_calendar(
    name: str,
    entries: Iterable[CalendarEntry],
    *,
    generated_at: datetime,
    refresh: timedelta = timedelta(hours=1),
) -> bytes:
    """Render ``entries`` as one iCalendar feed named ``name``, as UTF-8 bytes with CRLF lines.

    ``generated_at`` (timezone-aware) is written as every event's DTSTAMP; ``refresh`` is how
    often subscribed clients are asked to fetch the feed again. Entries keep their order.
    Raises ValueError when two entries share a UID, since clients would merge them into one.
    """
    _require_aware(generated_at, "generated_at")
    if refresh <= timedelta(0):
        raise ValueError("refresh must be positive")
    stamp = generated_at.astimezone(UTC)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # Typed explicitly: icalendar 7 writes an X- property's str value raw (no escaping), and
    # both X-PUBLISHED-TTL and, in icalendar 6, REFRESH-INTERVAL would otherwise be written as
    # Python's str(timedelta) ("1:00:00") instead of an iCalendar duration ("PT1H").
    calendar.add("x-wr-calname", Text(printable(name)))
    calendar.add("x-wr-timezone", vText(CALENDAR_TIMEZONE))
    calendar.add("refresh-interval", vDuration(refresh), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(refresh))

    seen: set[str] = set()
    for entry in entries:
        if entry.uid in seen:
            raise ValueError(f"duplicate calendar entry uid: {entry.uid}")
        seen.add(entry.uid)
        calendar.add_component(_event(entry, stamp))
    return calendar.to_ical()

"""Reading a statutory source's Atom feed (RFC 4287): its entries, newest first as published.

GOV.UK publishes an Atom feed of the changes to each page of guidance (``.../guidance.atom``).
Parsed with defusedxml (no DTD, no entity expansion: a "billion laughs" feed is refused, not
expanded) in a child process within the heavy-work bounds (services/domain/heavy_work.py);
only the first ``max_entries`` entries are read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from services.domain.errors import DomainError
from services.domain.text import printable

ATOM = "{http://www.w3.org/2005/Atom}"
# Column lengths: an entry id or link longer is not one we keep.
ID_MAX, LINK_MAX, TITLE_MAX, SUMMARY_MAX = 2000, 2000, 300, 2000


class FeedUnavailable(DomainError):
    """The source's feed could not be read: unreachable, refused, too large, or not Atom."""

    status, title, slug = 502, "Feed unavailable", "feed-unavailable"


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed: its id (what makes it once), title, link, when, and summary."""

    entry_id: str
    title: str
    link: str | None
    updated: datetime | None
    summary: str


def _text(element: Element | None, limit: int) -> str:
    if element is None:
        return ""
    words = " ".join("".join(element.itertext()).split())
    return printable(words)[:limit]


def _moment(entry: Element) -> datetime | None:
    for name in ("updated", "published"):
        text = _text(entry.find(ATOM + name), 64)
        if not text:
            continue
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            continue
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def _link(entry: Element) -> str | None:
    for link in entry.findall(ATOM + "link"):
        href = (link.get("href") or "").strip()
        if link.get("rel", "alternate") == "alternate" and href.startswith(("https://", "http://")):
            return href if len(href) <= LINK_MAX else None
    return None


def parse_atom(data: bytes, max_entries: int) -> list[FeedEntry]:
    """The feed's entries with an id, at most ``max_entries``; FeedUnavailable if it is not a
    well-formed Atom feed."""
    try:
        root = fromstring(data)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise FeedUnavailable(f"The feed is not well-formed XML ({type(exc).__name__}).") from None
    if root.tag != ATOM + "feed":
        raise FeedUnavailable("The feed is not an Atom feed (its root is not <feed>).")
    entries: list[FeedEntry] = []
    for entry in root.iter(ATOM + "entry"):
        if len(entries) >= max_entries:
            break
        entry_id = _text(entry.find(ATOM + "id"), ID_MAX + 1)
        if not entry_id or len(entry_id) > ID_MAX:
            continue  # an entry with no usable id cannot be recorded once
        entries.append(
            FeedEntry(
                entry_id=entry_id,
                title=_text(entry.find(ATOM + "title"), TITLE_MAX) or "(untitled)",
                link=_link(entry),
                updated=_moment(entry),
                summary=_text(entry.find(ATOM + "summary"), SUMMARY_MAX)
                or _text(entry.find(ATOM + "content"), SUMMARY_MAX),
            )
        )
    return entries

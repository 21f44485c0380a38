"""The organisation's news as an Atom feed (RFC 4287): what was issued, changed or retired,
newest first, for intranet pages and Tri.x news to show.

Birmingham 11: "updates will be communicated via the 'news' section of Trix". Feed readers and
intranet widgets cannot send an API key, so the feed's address carries a token, as the
calendar feeds' do: an HMAC of the organisation id and its news feed version under the
service's secret. Rotating the feed (bumping the version) revokes every address handed out.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.audit import changes as audit_changes
from services.domain.authz import launch as authz
from services.domain.authz.principal import Principal
from services.domain.errors import NotFound
from services.domain.launch.announcements import latest_announcements
from services.domain.models.launch import Announcement, Change
from services.domain.models.organisations import Organisation
from services.domain.text import printable
from services.domain.tokens import Keyring

ATOM = "http://www.w3.org/2005/Atom"
# What one fetch of the feed holds at most: the newest entries.
FEED_ENTRIES = 50
HEADINGS = {Change.ISSUED: "Issued", Change.CHANGED: "Changed", Change.RETIRED: "Retired"}


def _message(org: Organisation) -> str:
    return f"news-feed:{org.id}:{org.news_feed_version}"


def feed_token(keyring: Keyring, org: Organisation) -> str:
    """The token that unlocks the organisation's news feed until it is rotated."""
    return keyring.sign(_message(org))


async def organisation_for_feed(
    session: AsyncSession, keyring: Keyring, organisation_id: uuid.UUID, token: str
) -> Organisation:
    """The organisation whose feed the token opens; NotFound for a wrong, stale or foreign one."""
    org = await session.get(Organisation, organisation_id)
    if org is None or not keyring.verify(_message(org), token):
        raise NotFound("No such news feed.")
    return org


async def rotate_feed(session: AsyncSession, principal: Principal) -> Organisation:
    """Revoke every news feed address handed out so far (the policy team)."""
    authz.check_manage_news(principal)
    org = await session.get(Organisation, principal.organisation_id, with_for_update=True)
    assert org is not None
    org.news_feed_version += 1
    await session.flush()
    await audit_changes.record_change(
        session,
        principal,
        org,
        "organisation.news_feed_rotated",
        after={"news_feed_version": org.news_feed_version},
    )
    return org


async def feed_entries(
    session: AsyncSession, org: Organisation, service_areas: Sequence[str], kinds: Sequence[str]
) -> list[Announcement]:
    """The newest entries the feed shows, by the filters given."""
    return await latest_announcements(
        session, org.id, service_areas=service_areas, kinds=kinds, limit=FEED_ENTRIES
    )


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _text(parent: ET.Element, tag: str, value: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    # Stored text made XML-safe: a control character would make the whole feed unreadable.
    text = printable(value, multiline=tag in ("summary", "content"))
    # An XML reader turns a bare CR into LF (XML 1.0 2.11): say what it will read.
    element.text = text.replace("\r\n", "\n").replace("\r", "\n")
    return element


def entry_title(a: Announcement) -> str:
    number = f" (version {a.number})" if a.number and a.change != Change.RETIRED else ""
    return f"{HEADINGS[Change(a.change)]}: {a.reference} {a.title}{number}"


def render_feed(
    org: Organisation,
    entries: Sequence[Announcement],
    *,
    self_url: str,
    frontend_base_url: str,
) -> bytes:
    """The Atom document: the feed's id, title, updated and author, and for each entry its
    id, title, updated, link, categories and summary (RFC 4287 4.1.1, 4.1.2)."""
    ET.register_namespace("", ATOM)
    base = frontend_base_url.rstrip("/")
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", f"urn:uuid:{org.id}")
    _text(feed, "title", f"{org.name}: policies and procedures issued, changed and retired")
    updated = max((a.happened_at for a in entries), default=org.created_at)
    _text(feed, "updated", _time(updated))
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", org.name)
    ET.SubElement(
        feed, f"{{{ATOM}}}link", {"rel": "self", "href": printable(self_url, multiline=False)}
    )
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "href": f"{base}/documents"})
    _text(feed, "generator", "policygov")
    for a in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", f"urn:uuid:{a.id}")
        _text(entry, "title", entry_title(a))
        _text(entry, "updated", _time(a.happened_at))
        _text(entry, "published", _time(a.happened_at))
        href = f"{base}/documents/{a.document_id}"
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "href": href})
        ET.SubElement(
            entry,
            f"{{{ATOM}}}category",
            {"term": str(a.change), "label": HEADINGS[Change(a.change)]},
        )
        ET.SubElement(entry, f"{{{ATOM}}}category", {"term": printable(a.kind, multiline=False)})
        if a.service_area:
            ET.SubElement(
                entry, f"{{{ATOM}}}category", {"term": printable(a.service_area, multiline=False)}
            )
        _text(entry, "summary", a.summary or entry_title(a), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def last_modified(org: Organisation, entries: Sequence[Announcement]) -> datetime:
    """When what the feed says last changed: its newest entry, else the organisation's start."""
    return max((a.happened_at for a in entries), default=org.created_at)

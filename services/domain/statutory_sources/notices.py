"""Who is told about a change to a statutory source: each owner and RO once, with their documents.

A new Working Together touches dozens of procedures; an officer who is RO of twelve of them gets
one email listing the twelve (what the change did to each: a review opened, the change added to
the review already under way, or nothing because it is being amended or not in force), never
twelve emails.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.models.statutory_sources import (
    StatutorySource,
    StatutorySourceChange,
    StatutorySourceImpact,
)
from services.domain.notices.notice import Handler, Notice
from services.domain.notices.recipients import active_people_by_id
from services.domain.organisations.words import words_for

# Documents listed in one email; the rest are counted (the impact report lists them all).
LISTED = 50


async def still_applies(session: AsyncSession, kind: str, context: dict[str, Any]) -> bool:
    """The change is still recorded (a source with changes is never deleted, but its
    organisation may be)."""
    change = await session.get(StatutorySourceChange, uuid.UUID(context["change_id"]))
    return change is not None


def _entry(impact: StatutorySourceImpact, roles: list[str]) -> dict[str, Any]:
    return {
        "document_id": str(impact.document_id),
        "reference": impact.reference,
        "title": impact.title,
        "outcome": str(impact.outcome),
        "roles": roles,
    }


async def _changed(session: AsyncSession, event: events.StatutorySourceChanged) -> list[Notice]:
    change = await session.get(StatutorySourceChange, event.change_id)
    source = await session.get(StatutorySource, event.source_id)
    if change is None or source is None:
        return []
    impacts = (
        await session.execute(
            select(StatutorySourceImpact)
            .where(StatutorySourceImpact.change_id == change.id)
            .order_by(StatutorySourceImpact.reference)
        )
    ).scalars()
    words = await words_for(session, event.organisation_id)
    mine: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for impact in impacts:
        roles: dict[uuid.UUID, list[str]] = {}
        for role, person_id in (
            ("owner", impact.owner_id),
            ("responsible_officer", impact.responsible_officer_id),
        ):
            if person_id is not None:
                roles.setdefault(person_id, []).append(words.title_of(role))
        for person_id, titles in roles.items():
            mine.setdefault(person_id, []).append(_entry(impact, titles))
    people = await active_people_by_id(session, event.organisation_id, mine)
    common = {
        "change_id": str(change.id),
        "source_title": source.title,
        "summary": change.summary,
        "effective_on": change.effective_on.isoformat() if change.effective_on else None,
    }
    notices = []
    for person_id, entries in mine.items():
        person = people.get(person_id)
        if person is None:
            continue  # left: the impact report still names them
        context = {
            **common,
            "entries": entries[:LISTED],
            "more": max(0, len(entries) - LISTED),
            "reviews_opened": sum(1 for e in entries if e["outcome"] == "review_opened"),
        }
        notices.append(Notice("statutory_source.changed", person, context))
    return notices


# The events whose notices this module decides (notifications/handlers.py).
HANDLERS: dict[type, Handler] = {
    events.StatutorySourceChanged: _changed,
}

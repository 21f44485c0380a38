"""A document's engagement sessions on its timeline (LBBD 4 co-production workshops, NCT 4.1
review sessions): each planned, held (with who came and what was agreed) or cancelled."""

from __future__ import annotations

import uuid

from services.domain.models.engagement_sessions import EngagementStatus
from services.domain.timeline.builder import Builder, day, plural, quote

KINDS = {
    "workshop": "Workshop",
    "co_production": "Co-production session",
    "review_session": "Review session",
    "other": "Session",
}


def engagement_entries(b: Builder) -> None:
    for s in b.rows.engagement_sessions:
        refs: dict[str, uuid.UUID | None] = {
            "engagement_session_id": s.id,
            "version_id": s.version_id,
        }
        what = f"{KINDS[s.kind]} {quote(s.title, 120)}"
        on = f" on version {b.number(s.version_id)}" if s.version_id else ""
        details = {"kind": str(s.kind), "title": s.title, "held_on": s.held_on.isoformat()}
        # Recorded as held when it was first written down: nothing was planned.
        if s.held_at != s.created_at:
            b.add(
                s.created_at,
                "engagement_session.planned",
                f"{what}{on} planned for {day(s.held_on)}",
                s.id,
                refs=refs,
                details=details,
            )
        if s.status == EngagementStatus.HELD:
            summary = (
                f"{what}{on} held on {day(s.held_on)} with {plural(len(s.attendees), 'attendee')}, "
                f"{plural(len(s.actions), 'action')} agreed: {quote(s.notes)}"
            )
            b.add(
                s.held_at,
                "engagement_session.held",
                summary,
                s.id,
                actor_id=s.recorded_by_id,
                refs=refs,
                details={
                    **details,
                    "facilitator": b.name(s.facilitator_id),
                    "attendees": len(s.attendees),
                    "actions": len(s.actions),
                },
            )
        elif s.status == EngagementStatus.CANCELLED:
            b.add(
                s.cancelled_at,
                "engagement_session.cancelled",
                f"{what} of {day(s.held_on)} cancelled",
                s.id,
                refs=refs,
                details=details,
            )

"""A document's dis-applications on its timeline (Cafcass 6.1): each request, its decision, and
how it ended (withdrawn, revoked early, expired)."""

from __future__ import annotations

import uuid

from services.domain.models.dis_applications import DisApplicationStatus
from services.domain.timeline.builder import Builder, day, quote

ENDS = {
    DisApplicationStatus.WITHDRAWN: "withdrawn",
    DisApplicationStatus.REVOKED: "revoked",
    DisApplicationStatus.EXPIRED: "expired",
}


def dis_application_entries(b: Builder) -> None:
    for d in b.rows.dis_applications:
        refs: dict[str, uuid.UUID | None] = {"dis_application_id": d.id}
        span = f"from {day(d.starts_on)} to {day(d.ends_on)}"
        who = b.name(d.requested_by_id) or "Someone"
        summary = (
            f"{who} asked to dis-apply {quote(d.section, 120)} for {d.applies_to} {span}: "
            f"{quote(d.reasons)}"
        )
        b.add(
            d.created_at,
            "dis_application.requested",
            summary,
            d.id,
            actor_id=d.requested_by_id,
            refs=refs,
            details={
                "section": d.section,
                "applies_to": d.applies_to,
                "starts_on": d.starts_on.isoformat(),
                "ends_on": d.ends_on.isoformat(),
                "issued_version": d.issued_version,
                "discussed_with": b.name(d.discussed_with_id),
            },
        )
        if d.decided_at is not None:
            approved = d.status != DisApplicationStatus.REFUSED
            verb = "approved" if approved else "refused"
            b.add(
                d.decided_at,
                "dis_application.decided",
                f"Dis-application for {d.applies_to} {verb}: {quote(d.decision_note)}",
                d.id,
                actor_id=d.decided_by_id,
                refs=refs,
                details={"outcome": verb, "note": d.decision_note},
            )
        end = ENDS.get(d.status)
        if end is not None and d.ended_at is not None:
            b.add(
                d.ended_at,
                f"dis_application.{end}",
                f"Dis-application for {d.applies_to} {end}: {quote(d.end_reason)}",
                d.id,
                actor_id=d.ended_by_id,
                refs=refs,
                details={"reason": d.end_reason},
            )

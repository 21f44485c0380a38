"""A document's review extensions on its timeline: each request to move its review date, the
decision (the date it moved to, or the refusal), and a request withdrawn or lapsed."""

from __future__ import annotations

import uuid

from services.domain.models.review_extensions import ReviewExtensionStatus
from services.domain.timeline.builder import Builder, day, quote

ENDS = {ReviewExtensionStatus.WITHDRAWN: "withdrawn", ReviewExtensionStatus.LAPSED: "lapsed"}


def review_extension_entries(b: Builder) -> None:
    for e in b.rows.review_extensions:
        refs: dict[str, uuid.UUID | None] = {"review_extension_id": e.id}
        who = b.name(e.requested_by_id) or "Someone"
        again = f" (extension {e.sequence} of this review, first due {day(e.original_due)})"
        summary = (
            f"{who} asked to move the review from {day(e.current_due)} to "
            f"{day(e.requested_due)}{again if e.sequence > 1 else ''}: {quote(e.reasons)}"
        )
        b.add(
            e.created_at,
            "review_extension.requested",
            summary,
            e.id,
            actor_id=e.requested_by_id,
            refs=refs,
            details={
                "current_due": e.current_due.isoformat(),
                "requested_due": e.requested_due.isoformat(),
                "original_due": e.original_due.isoformat(),
                "sequence": e.sequence,
            },
        )
        if e.decided_at is not None:
            agreed = e.status == ReviewExtensionStatus.AGREED
            words = (
                f"agreed: the review is due on {day(e.agreed_due)}"
                if agreed and e.agreed_due is not None
                else f"refused: the review stays due on {day(e.current_due)}"
            )
            b.add(
                e.decided_at,
                "review_extension.decided",
                f"Review extension {words}; {quote(e.decision_note)}",
                e.id,
                actor_id=e.decided_by_id,
                refs=refs,
                details={
                    "outcome": "agreed" if agreed else "refused",
                    "agreed_due": e.agreed_due.isoformat() if e.agreed_due else None,
                    "note": e.decision_note,
                },
            )
        end = ENDS.get(e.status)
        if end is not None and e.ended_at is not None:
            b.add(
                e.ended_at,
                f"review_extension.{end}",
                f"Review extension request {end}: {quote(e.end_reason)}",
                e.id,
                actor_id=e.ended_by_id,
                actor_label="the service" if e.ended_by_id is None else None,
                refs=refs,
                details={"reason": e.end_reason},
            )

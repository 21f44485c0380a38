"""A document's asks to read and acknowledge on its timeline: who asked how many to confirm
which version by when, when the owner was told who had not, and how each ask ended (with the
counts as they stand)."""

from __future__ import annotations

import uuid

from services.domain.models.acknowledgements import AcknowledgementReason
from services.domain.timeline.builder import Builder, day, quote


def acknowledgement_entries(b: Builder) -> None:
    for request, asked, confirmed in b.rows.acknowledgement_requests:
        refs: dict[str, uuid.UUID | None] = {
            "acknowledgement_request_id": request.id,
            "version_id": request.version_id,
        }
        who = b.name(request.asked_by_id)
        if request.reason == AcknowledgementReason.ISSUED:
            opening = f"The issue of version {request.version_number} asked"
        else:
            opening = f"{who or 'The policy team'} asked"
        summary = (
            f"{opening} {asked} {'person' if asked == 1 else 'people'} to read and "
            f"acknowledge version "
            f"{request.version_number} by {day(request.due_on)}; {confirmed} have confirmed"
        )
        if request.message:
            summary += f": {quote(request.message)}"
        counts = {"asked": asked, "confirmed": confirmed}
        b.add(
            request.created_at,
            "acknowledgement.requested",
            summary,
            request.id,
            actor_id=request.asked_by_id,
            refs=refs,
            details={
                "version": request.version_number,
                "due_on": request.due_on.isoformat(),
                "reason": request.reason.value,
                **counts,
            },
        )
        b.add(
            request.escalated_at,
            "acknowledgement.escalated",
            f"The owner was told who had not confirmed version {request.version_number} "
            f"by {day(request.due_on)}",
            request.id,
            refs=refs,
            details=counts,
        )
        if request.ended_at is not None:
            b.add(
                request.ended_at,
                f"acknowledgement.{request.status.value}",
                f"The ask to read version {request.version_number} was {request.status.value}: "
                f"{quote(request.end_reason)}",
                request.id,
                actor_id=request.ended_by_id,
                refs=refs,
                details={**counts, "reason": request.end_reason},
            )

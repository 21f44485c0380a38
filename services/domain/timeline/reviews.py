"""Timeline entries for a document's reviews and Trix update cycles, and its FOI exports.

Each step of a review comes from its audit record: the review row keeps only its latest state,
so a statement of no change that the RSM refused and the RO made again would otherwise leave
no trace (NCT 3.4: the RO's statement, the RSM's confirmation; amendments through sign-off).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from services.domain.models.audit import AuditRecord
from services.domain.models.reviews import Review, UpdateCycleItemStatus
from services.domain.timeline.builder import Builder, day, plural, quote

KIND_WORDS = {
    "scheduled": "Scheduled review",
    "unscheduled": "Unscheduled review",
    "update_cycle": "Review for a Trix update cycle",
}
# NCT 3.2: what can prompt an unscheduled review.
TRIGGER_WORDS = {
    "case_audit_recommendation": "a case audit recommendation",
    "practice_or_structure_change": "a change in practice or structure",
    "legislation_or_guidance_change": "change in legislation or statutory guidance",
    "confirmed_gap": "a confirmed gap",
    "safeguarding_practice_review": "a safeguarding practice review",
    "inspection_advice": "inspection advice",
    # Cascade reviews: a document it is linked to was amended and issued.
    "parent_changed": "a change to a document it is linked to",
    "other": "other",
}
ITEM_OUTCOME_WORDS = {
    UpdateCycleItemStatus.ACCEPTED: "accepted",
    UpdateCycleItemStatus.REJECTED: "rejected",
    UpdateCycleItemStatus.AMENDED: "amended",
}


def _day_of(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return day(date.fromisoformat(value))
    except ValueError:
        return None


class _Reviews:
    def __init__(self, b: Builder) -> None:
        self.b = b

    def actor(self, record: AuditRecord) -> str:
        return self.b.name(record.actor_person_id) or record.actor_label

    def add(self, record: AuditRecord, entry_type: str, summary: str, **details: Any) -> None:
        after = record.after or {}
        self.b.add(
            record.occurred_at,
            entry_type,
            summary,
            record.id,
            actor_id=record.actor_person_id,
            actor_label=record.actor_label,
            refs={
                "review_id": record.entity_id,
                "audit_record_id": record.id,
                "version_id": _uuid(after.get("amended_version_id"))
                if entry_type == "review.amended"
                else None,
            },
            details={"audit_seq": record.seq, **details},
        )

    def record(self, record: AuditRecord) -> None:
        after = record.after or {}
        review = self.b.rows.reviews.get(record.entity_id)
        if review is None:
            return
        who = self.actor(record)
        if record.action == "review.started":
            self.started(record, review, who)
        elif record.action == "review.no_change_stated":
            statement = str(after.get("no_change_statement") or "")
            self.add(
                record,
                "review.no_change_stated",
                f'{who} stated that no change is needed: "{quote(statement)}"',
                statement=statement,
            )
        elif record.action == "review.no_change_refused":
            reasons = str(after.get("reasons") or "")
            self.add(
                record,
                "review.no_change_refused",
                f"{who} refused the statement of no change: {quote(reasons)}",
                reasons=reasons,
            )
        elif record.action == "review.amended":
            number = self.b.number(_uuid(after.get("amended_version_id")))
            self.add(
                record,
                "review.amended",
                f"{who} recorded that the review leads to amendments: draft {number} goes "
                "through sign-off",
                outcome="amended",
            )
        elif record.action == "review.completed":
            self.completed(record, who)
        elif record.action == "review.cancelled":
            reason = str(after.get("reason") or "")
            self.add(
                record,
                "review.cancelled",
                f"Review cancelled by {who}: {quote(reason)}",
                reason=reason,
            )

    def started(self, record: AuditRecord, review: Review, who: str) -> None:
        after = record.after or {}
        summary = f"{KIND_WORDS.get(review.kind, review.kind)} started by {who}"
        if review.trigger:
            summary += f": {TRIGGER_WORDS.get(review.trigger, review.trigger)}"
            if review.trigger_detail:
                summary += f" ({quote(review.trigger_detail)})"
        asked = self.b.name(review.requested_by_id)
        if asked:
            summary += f"; asked for by {asked}"
        due = _day_of(after.get("due_on"))
        if due and review.kind == "scheduled":
            summary += f"; it was due on {due}"
        self.add(
            record,
            "review.started",
            summary,
            kind=review.kind,
            trigger=review.trigger,
            trigger_detail=review.trigger_detail,
            due_on=after.get("due_on"),
        )

    def completed(self, record: AuditRecord, who: str) -> None:
        after = record.after or {}
        outcome = after.get("outcome")
        due = _day_of(after.get("next_review_due"))
        if outcome == "no_change":
            summary = f"{who} confirmed that no change is needed: the review is complete"
        else:
            summary = "The review is complete: the amended version was issued"
        if due:
            summary += f"; next review due on {due}"
        self.add(
            record,
            "review.completed",
            summary,
            outcome=outcome,
            last_reviewed_on=after.get("last_reviewed_on"),
            next_review_due=after.get("next_review_due"),
        )

    def linked(self) -> None:
        """Documents added to this document's reviews, and reviews this one was added to."""
        document_id = self.b.rows.document_id
        for row, review, reviewed, added in self.b.rows.review_documents:
            refs: dict[str, uuid.UUID | None] = {
                "review_id": review.id,
                "review_document_id": row.id,
            }
            if review.document_id == document_id:
                summary = (
                    f"{added.reference} {quote(added.title, 80)} added to the review, as it may "
                    f"need the same change: {quote(row.reason)}"
                )
                refs["document_id"] = added.id
            else:
                summary = (
                    f"Added to the review of {reviewed.reference} {quote(reviewed.title, 80)}, "
                    f"as it may need the same change: {quote(row.reason)}"
                )
                refs["document_id"] = reviewed.id
            self.b.add(
                row.added_at,
                "review.document_added",
                summary,
                row.id,
                actor_id=row.added_by_id,
                refs=refs,
                details={"reason": row.reason},
            )

    def update_items(self) -> None:
        """NCT 3.4 a: each Update Plan item for the document, its outcome or its carrying over."""
        for item, cycle in self.b.rows.update_items:
            refs: dict[str, uuid.UUID | None] = {
                "update_cycle_id": cycle.id,
                "update_cycle_item_id": item.id,
            }
            where = (
                f'Trix update cycle "{quote(cycle.name, 80)}" (amendments due by '
                f"{day(cycle.submission_deadline)})"
            )
            assignee = self.b.name(item.assigned_to_id)
            summary = f'Update Plan item in {where}: "{quote(item.recommendation)}"'
            summary += f"; assigned to {assignee}" if assignee else "; not assigned yet"
            if item.carried_from_item_id is not None:
                summary += "; carried over from an earlier cycle"
            self.b.add(
                item.created_at,
                "update_cycle_item.assigned",
                summary,
                item.id,
                actor_id=cycle.created_by_id,
                refs={**refs, "assigned_to_id": item.assigned_to_id},
                details={
                    "chapter": item.chapter,
                    "recommendation": item.recommendation,
                    "submission_deadline": cycle.submission_deadline.isoformat(),
                },
            )
            if item.status in ITEM_OUTCOME_WORDS and item.decided_at is not None:
                decider = self.b.name(item.decided_by_id) or "The policy team"
                summary = (
                    f"{decider} recorded the Update Plan item as {ITEM_OUTCOME_WORDS[item.status]}"
                )
                if item.outcome_note:
                    summary += f": {quote(item.outcome_note)}"
                self.b.add(
                    item.decided_at,
                    "update_cycle_item.decided",
                    summary,
                    item.id,
                    actor_id=item.decided_by_id,
                    refs=refs,
                    details={"status": item.status, "outcome_note": item.outcome_note},
                )
            elif item.status == UpdateCycleItemStatus.CARRIED_OVER:
                # NCT 3.4 a iii: a missed deadline waits for the next update.
                self.b.add(
                    cycle.closed_at,
                    "update_cycle_item.carried_over",
                    f"Update Plan item not done by the deadline of {where}: carried over to "
                    "the next cycle",
                    item.id,
                    refs=refs,
                    details={"status": item.status},
                )

    def exports(self, record: AuditRecord) -> None:
        after = record.after or {}
        files = after.get("files")
        summary = (
            f"Paper trail exported for a Freedom of Information request by {self.actor(record)}"
        )
        if isinstance(files, int):
            summary += f" ({plural(files, 'file')})"
        self.b.add(
            record.occurred_at,
            "paper_trail.exported",
            summary,
            record.id,
            actor_id=record.actor_person_id,
            actor_label=record.actor_label,
            refs={"audit_record_id": record.id},
            details={
                "audit_seq": record.seq,
                "sha256": after.get("sha256"),
                "audit_chain_intact": after.get("audit_chain_intact"),
            },
        )


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def review_entries(b: Builder) -> None:
    """Every step of the document's reviews, the documents they touch, and Update Plan items."""
    reviews = _Reviews(b)
    for record in b.rows.trail_records:
        if record.entity_type == "review":
            reviews.record(record)
        elif record.action == "document.paper_trail_exported":
            reviews.exports(record)
    reviews.linked()
    reviews.update_items()

"""Timeline entries for the emails sent about a document: who was told what, when, and whether
it reached them. For the policy team only (recipients' addresses and delivery errors)."""

from __future__ import annotations

from typing import Any

from services.domain.models.notifications import Notification, NotificationStatus
from services.domain.organisations.words import joined
from services.domain.timeline.builder import Builder, plural, quote

# What each kind of email told its recipient. Kinds not listed are described by their name.
WHAT = {
    "document.assigned": "named on the document",
    "document.published": "version published",
    "publication.queued": "Trix upload or removal queued",
    "review.due_soon": "review due soon",
    "review.overdue": "review overdue",
    "review.escalated": "overdue review escalated",
    "review.no_change_to_confirm": "statement of no change to confirm",
    "review.no_change_confirmed": "no change confirmed at review",
    "sign_off.decision_needed": "sign-off decision needed",
    "sign_off.decided": "sign-off decision recorded",
    "sign_off.withdrawn": "sign-off withdrawn",
    "delegation.created": "sign-off delegated",
    "legal_review.requested": "legal review requested",
    "legal_review.answered": "legal review answered",
    "proposal.decided": "proposal decided",
    "consultation.invited": "invitation to respond to the consultation",
    "consultation.reminder": "reminder to respond to the consultation",
    "consultation.response_received": "receipt for their consultation response",
    "consultation.closed": "consultation closed",
    "consultation.cancelled": "consultation cancelled",
    "consultation.summary": "summary of the consultation's responses",
    "meeting.moved": "meeting moved",
    "meeting.cancelled": "meeting cancelled",
    "meeting.papers_circulated": "agenda and papers",
    "meeting.minutes_issued": "minutes issued",
    "agenda_item.deferred": "agenda item deferred to a later meeting",
    "update_cycle.opened": "Update Plan items assigned",
    "update_cycle.reminder": "Update Plan deadline reminder",
    "update_cycle.closed": "update cycle closed",
}
STATE_WORDS = {
    NotificationStatus.PENDING: "not sent yet",
    NotificationStatus.SENDING: "being sent",
    NotificationStatus.SENT: "sent",
    NotificationStatus.FAILED: "could not be sent",
    NotificationStatus.CANCELLED: "not sent: it no longer applied",
}


def what_was_told(notification: Notification) -> str:
    """The email's message in a few words, with its detail where the context gives one."""
    context: dict[str, Any] = notification.context or {}
    words = WHAT.get(notification.kind, notification.kind.replace(".", " ").replace("_", " "))
    detail = {
        # One email names every role the person was given (older ones had one "role").
        "document.assigned": joined(context.get("roles") or []) or context.get("role"),
        "document.published": context.get("version") and f"version {context['version']}",
        "sign_off.decision_needed": context.get("stage_name"),
        "sign_off.decided": context.get("outcome_words"),
        "consultation.invited": context.get("consultation_title"),
    }.get(notification.kind)
    return f"{words} ({quote(str(detail), 80)})" if detail else words


def notification_entries(b: Builder) -> None:
    """One entry per email, at the moment it was sent (else when it was queued)."""
    for notification in b.rows.notifications:
        context = notification.context or {}
        name = b.name(notification.recipient_person_id) or context.get("recipient_name")
        whom = f"{name} <{notification.recipient_email}>" if name else notification.recipient_email
        state = STATE_WORDS.get(notification.status, notification.status)
        summary = f"Email to {whom}: {what_was_told(notification)}; {state}"
        if (
            notification.status in (NotificationStatus.PENDING, NotificationStatus.FAILED)
            and notification.last_error
        ):
            summary += (
                f" after {plural(notification.attempts, 'attempt')}: "
                f"{quote(notification.last_error, 120)}"
            )
        b.add(
            notification.sent_at or notification.created_at,
            "notification.email",
            summary,
            notification.id,
            refs={
                "notification_id": notification.id,
                "recipient_person_id": notification.recipient_person_id,
                "event_id": notification.event_id,
            },
            details={
                "kind": notification.kind,
                "recipient_name": name,
                "recipient_email": notification.recipient_email,
                "status": notification.status,
                "attempts": notification.attempts,
                "last_error": notification.last_error,
                "queued_at": notification.created_at.isoformat(),
                "sent_at": notification.sent_at.isoformat() if notification.sent_at else None,
            },
        )

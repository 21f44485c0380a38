"""The numbers of a monitoring action: when it is overdue, when its owner is reminded, when the
document's owner is told it is late; and the bounds that keep one action's record readable."""

from __future__ import annotations

from datetime import date

from services.domain.errors import Invalid
from services.domain.models.monitoring import MonitoringAction, MonitoringActionStatus

# Reminders to the action's owner, in days before its due date: a week to plan, a day to finish.
REMINDER_DAYS = (7, 1)
# Cafcass 7.4: delays are identified and "referred to the Policy Sponsor": the document's owner
# is told once, the first day an action is overdue.
ESCALATE_AFTER_DAYS = 1
# An action is due within two years: Cafcass 8.1 and Dorset 8.1 review documents yearly or on
# an agreed schedule, and the review takes up what monitoring found.
MAX_DAYS_AHEAD = 730
# Bounds: per document, and evidence entries per action.
MAX_ACTIONS_PER_DOCUMENT = 200
MAX_EVIDENCE_PER_ACTION = 50


def check_due_on(due_on: date, today: date) -> None:
    """Invalid unless due today or later, within two years."""
    if due_on < today:
        raise Invalid("A monitoring action is due today or later.", field="due_on")
    if (due_on - today).days > MAX_DAYS_AHEAD:
        raise Invalid(
            f"A monitoring action is due within {MAX_DAYS_AHEAD} days: the next review picks "
            "up what is still open.",
            field="due_on",
        )


def is_overdue(action: MonitoringAction, today: date) -> bool:
    """Still open after its due date."""
    return action.status == MonitoringActionStatus.OPEN and action.due_on < today


def reminder_due(due_on: date, today: date) -> int | None:
    """The threshold (days before the due date) whose reminder is due today: the nearest one
    reached, so a sweep that missed a day still sends it once; None before the first and after
    the due date."""
    days_left = (due_on - today).days
    if days_left < 0:
        return None
    reached = [days for days in REMINDER_DAYS if days >= days_left]
    return min(reached) if reached else None


def escalation_due(due_on: date, today: date) -> bool:
    """The document's owner is told once the action is ``ESCALATE_AFTER_DAYS`` late."""
    return (today - due_on).days >= ESCALATE_AFTER_DAYS

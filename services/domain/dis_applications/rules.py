"""The numbers of a dis-application: how long it may last, when it is in force, when its
requester and the document's owner are reminded that it ends."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from dateutil.relativedelta import relativedelta

from services.domain.errors import Invalid
from services.domain.models.dis_applications import DisApplication, DisApplicationStatus

# Cafcass 8.1: every policy is reviewed annually, so a variation from it lasts at most a year;
# whoever still needs it then asks again, against the reviewed policy.
MAX_MONTHS = 12


def latest_end(starts_on: date) -> date:
    """The last day a dis-application starting on ``starts_on`` may run to."""
    return starts_on + relativedelta(months=MAX_MONTHS)


def check_dates(starts_on: date, ends_on: date, today: date) -> None:
    """Invalid unless it starts today or later, ends on or after its start, within a year."""
    # Cafcass 6.1: discussed "before acting": a dis-application is not granted backwards.
    if starts_on < today:
        raise Invalid("A dis-application starts today or later.", field="starts_on")
    if ends_on < starts_on:
        raise Invalid("The end date is on or after the start date.", field="ends_on")
    if ends_on > latest_end(starts_on):
        raise Invalid(
            f"A dis-application lasts at most {MAX_MONTHS} months (Cafcass 8.1: policies are "
            f"reviewed annually): end it by {latest_end(starts_on).isoformat()}.",
            field="ends_on",
        )


def is_in_force(dis_application: DisApplication, today: date) -> bool:
    """Approved, and today is between its start and end dates (both included)."""
    return (
        dis_application.status == DisApplicationStatus.APPROVED
        and dis_application.starts_on <= today <= dis_application.ends_on
    )


def reminder_due(ends_on: date, today: date, reminder_days: Sequence[int]) -> int | None:
    """The threshold (days before the end date) whose reminder is due today: the nearest one
    reached, so a sweep that missed a day still sends it once; None before the first and
    after the end date."""
    days_left = (ends_on - today).days
    if days_left < 0:
        return None
    reached = [days for days in reminder_days if days >= days_left]
    return min(reached) if reached else None

"""The numbers of a review extension: which review period a request belongs to, how far its
date may go, how many a period may have. Pure functions; the organisation sets the limits.

A review period runs from one issue or review to the next. Its first extension moves the date
it was due (``original_due``); a later one moves the date the last agreed one set, and counts
on: the limits hold for the period as a whole, so two short extensions cannot do what one long
one may not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from services.domain.errors import Conflict, Invalid
from services.domain.models.documents import NO_LONGER_IN_FORCE, Document
from services.domain.models.review_extensions import ReviewExtension, ReviewExtensionStatus


@dataclass(frozen=True)
class Limits:
    max_months: int
    max_extensions: int


@dataclass(frozen=True)
class Period:
    """The review period a new request belongs to: the date it was first due, and which
    extension of the period the request would be (1 for the first)."""

    original_due: date
    sequence: int


def is_on(extension: ReviewExtension, document: Document, due: date) -> bool:
    """Whether ``document`` still stands where ``extension`` found it, with ``due`` as its review
    date: in force, the same issue and last review (a review or an issue begins a new period)."""
    return (
        document.status not in NO_LONGER_IN_FORCE
        and document.next_review_due == due
        and document.issued_version == extension.issued_version
        and document.last_reviewed_on == extension.last_reviewed_on
    )


def is_current(extension: ReviewExtension, document: Document) -> bool:
    """A pending request is current while the date it asks to move is still the document's."""
    return extension.status == ReviewExtensionStatus.PENDING and is_on(
        extension, document, extension.current_due
    )


def stands(extension: ReviewExtension, document: Document) -> bool:
    """An agreed extension stands while the date it set is still the document's review date in
    the same review period (the tracker shows the document as extended)."""
    return (
        extension.status == ReviewExtensionStatus.AGREED
        and extension.agreed_due is not None
        and is_on(extension, document, extension.agreed_due)
    )


def period_of(current_due: date, standing: ReviewExtension | None) -> Period:
    """The period of a request to move ``current_due``, given the agreed extension that set it
    (None when the date is the one the review-date rule gave)."""
    if standing is None:
        return Period(current_due, 1)
    return Period(standing.original_due, standing.sequence + 1)


def latest_allowed(original_due: date, limits: Limits) -> date:
    """The latest review date a period first due on ``original_due`` may be moved to (a month
    past the end of a shorter month lands on its last day)."""
    return original_due + relativedelta(months=limits.max_months)


def check_within(limits: Limits, period: Period, requested_due: date) -> None:
    """409 when the period has had every extension allowed; 422 when the date asked for is
    later than the limit. Both name the limit (``limit``) in the problem."""
    if period.sequence > limits.max_extensions:
        if limits.max_extensions == 0:
            detail = "This organisation agrees no review extensions (max_extensions is 0)."
        else:
            detail = (
                f"This review has been extended {period.sequence - 1} time(s), the most the "
                f"organisation allows in one review period (max_extensions is "
                f"{limits.max_extensions}): complete the review, or ask the policy team."
            )
        raise Conflict(detail, limit="max_extensions")
    latest = latest_allowed(period.original_due, limits)
    if requested_due > latest:
        raise Invalid(
            f"A review may be put back at most {limits.max_months} month(s) past the date it "
            f"was first due ({period.original_due.isoformat()}; max_months is "
            f"{limits.max_months}): ask for {latest.isoformat()} or earlier.",
            field="requested_due",
            limit="max_months",
        )

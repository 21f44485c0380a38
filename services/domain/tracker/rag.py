"""RAG: the tracker's red, amber and green, for a board that would rather look than read.

On a London day ``today``, for a tracked document (in force, with a review date ``due``):

- **red**: overdue, ``today`` after ``due`` (escalated or not, under review or not);
- **amber**: not overdue, and either due within the reminder window (``due`` at most the
  largest POLICYGOV_REVIEW_REMINDER_DAYS, 30, days away, the due date itself included) or
  under review (a review started: ``status`` is ``under_review``);
- **green**: the rest: due after the window and no review open.

Each is a condition on the due date (an index range) and the status, so the tracker filters by
it and the counts per service area are one aggregate query.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, and_, case, literal_column, or_

from services.domain.documents.review_dates import ReviewRules
from services.domain.models.documents import Document, DocumentStatus

Rag = Literal["green", "amber", "red"]
RAGS: tuple[Rag, ...] = ("green", "amber", "red")
# A literal, not a bind parameter: compared inside the aggregate.
_UNDER_REVIEW: ColumnElement[str] = literal_column(f"'{DocumentStatus.UNDER_REVIEW.value}'")


def rag_of(due: date, today: date, rules: ReviewRules, status: DocumentStatus) -> Rag:
    """The RAG status on ``today`` of a tracked document due on ``due``."""
    if today > due:
        return "red"
    if (due - today).days <= rules.due_soon_days or status == DocumentStatus.UNDER_REVIEW:
        return "amber"
    return "green"


def rag_condition(rag: Rag, today: date, rules: ReviewRules) -> ColumnElement[bool]:
    """The tracked documents that have ``rag`` on ``today``."""
    due = Document.next_review_due
    soon = today + timedelta(days=rules.due_soon_days)
    under_review = Document.status == _UNDER_REVIEW
    if rag == "red":
        return due < today
    if rag == "amber":
        return and_(due >= today, or_(due <= soon, under_review))
    return and_(due > soon, Document.status != _UNDER_REVIEW)


def rag_expression(today: date, rules: ReviewRules) -> ColumnElement[str]:
    return case(
        (rag_condition("red", today, rules), literal_column("'red'")),
        (rag_condition("amber", today, rules), literal_column("'amber'")),
        else_=literal_column("'green'"),
    )

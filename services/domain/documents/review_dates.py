"""The next review date: one rule, used by the issue of a signed-off draft, the confirmation of
a review with no change, the registration of an issued version, the tracker import and every
change that puts a document in force. Nothing else computes a review date.

The interval is the first of: the one agreed on submission (the sign-off), the one agreed for
the document, the route's, the kind's, and the organisation's default (12 months unless set).
The review is due that many months after the day it is counted from (the issue, the review).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.clock import utcnow
from services.domain.db import in_chunks
from services.domain.governance.definition import RouteDefinition
from services.domain.governance.service import default_route
from services.domain.models.documents import IN_FORCE, Document, DocumentKind, DocumentVersion
from services.domain.models.organisations import DEFAULT_REVIEW_INTERVAL_MONTHS, Organisation
from services.domain.settings import Settings


@dataclass(frozen=True)
class Intervals:
    """Every interval (in months) that may set a document's review schedule, by who set it."""

    # A year unless the organisation sets its own (Cafcass 8.1: annual review).
    organisation: int = DEFAULT_REVIEW_INTERVAL_MONTHS
    kind: int | None = None
    route: int | None = None
    # Dorset 8.1: agreed when first approved or at a later review, and kept until agreed again.
    document: int | None = None
    # LBBD stage 11: the schedule agreed when this draft was submitted for sign-off.
    submitted: int | None = None


def review_interval(intervals: Intervals) -> int:
    """Months between reviews: agreed on submission, else agreed for the document, else the
    route's, else the kind's, else the organisation's default."""
    for months in (intervals.submitted, intervals.document, intervals.route, intervals.kind):
        if months:
            return months
    return intervals.organisation


def review_due(counted_from: date, intervals: Intervals) -> date:
    """The next review: the interval after ``counted_from`` (the issue or the last review).

    A month past the end of a shorter month lands on its last day (31 August + 6 months is
    28 February).
    """
    return counted_from + relativedelta(months=review_interval(intervals))


# --- how a review date stands -----------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRules:
    """When a review date is due soon and when an overdue review escalates: the review
    reminders and the tracker read the same rules (POLICYGOV_REVIEW_REMINDER_DAYS and
    POLICYGOV_REVIEW_ESCALATION_MONTHS)."""

    # Days before the due date that each remind; the largest is when it turns due soon.
    reminder_days: tuple[int, ...] = (30, 7)
    # Dorset: escalate to the Head of QA two months after the due date.
    escalation_months: int = 2

    @property
    def due_soon_days(self) -> int:
        return max(self.reminder_days, default=0)

    @classmethod
    def from_settings(cls, settings: Settings) -> ReviewRules:
        return cls(
            reminder_days=tuple(settings.review_reminder_days),
            escalation_months=settings.review_escalation_months,
        )


def is_escalated(due: date, today: date, rules: ReviewRules) -> bool:
    """An overdue review escalates ``escalation_months`` after its due date (a month past the
    end of a shorter month lands on its last day)."""
    return today >= due + relativedelta(months=rules.escalation_months)


# --- reading the intervals of a document -----------------------------------------------------


async def intervals_of(
    session: AsyncSession,
    document: Document,
    *,
    route: RouteDefinition | None = None,
    submitted: int | None = None,
) -> Intervals:
    """The intervals that apply to ``document``: ``route`` is the definition its sign-off
    follows; without one, the route its next sign-off would follow by default."""
    if route is not None:
        route_months = route.review_interval_months
    else:
        found = await default_route(session, document)
        # Only the interval is read: the rest of the definition is the sign-off's business.
        route_months = found[1].definition.get("review_interval_months") if found else None
    kind = await session.scalar(
        select(DocumentKind.default_review_interval_months).where(
            DocumentKind.organisation_id == document.organisation_id,
            DocumentKind.key == document.kind,
        )
    )
    organisation = await session.scalar(
        select(Organisation.default_review_interval_months).where(
            Organisation.id == document.organisation_id
        )
    )
    return Intervals(
        organisation=organisation or DEFAULT_REVIEW_INTERVAL_MONTHS,
        kind=kind,
        route=route_months,
        document=document.review_interval_months,
        submitted=submitted,
    )


async def ensure_review_due(session: AsyncSession, document: Document, today: date) -> bool:
    """Give a document in force that has no review date one, by the rule: counted from its
    current issue or last review, whichever is later, else from ``today`` (the day it is put in
    force in the register). True if a date was set."""
    return bool(await ensure_reviews_due(session, [document], today))


async def ensure_reviews_due(
    session: AsyncSession, documents: Sequence[Document], today: date
) -> list[Document]:
    """``ensure_review_due`` for each of ``documents`` (of one organisation), in a few
    statements however many there are: the ones given a date."""
    due = [d for d in documents if d.status in IN_FORCE and d.next_review_due is None]
    if not due:
        return []
    issued = await _issued_on(session, [d.id for d in due])
    # What sets the interval besides the document itself: its kind and category (the route).
    shared: dict[tuple[str, str | None], Intervals] = {}
    for document in due:
        key = (document.kind, document.category)
        if key not in shared:
            shared[key] = await intervals_of(session, document)
        intervals = replace(shared[key], document=document.review_interval_months)
        known = [d for d in (issued.get(document.id), document.last_reviewed_on) if d is not None]
        counted_from = max(known) if known else today
        document.next_review_due = review_due(counted_from, intervals)
        document.updated_at = utcnow()
    return due


async def _issued_on(
    session: AsyncSession, document_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, date]:
    """Each document's current issue date (its latest whole version's), where it has one."""
    found: dict[uuid.UUID, date] = {}
    for chunk in in_chunks(document_ids):
        rows = await session.execute(
            select(DocumentVersion.document_id, func.max(DocumentVersion.issued_on))
            .where(
                DocumentVersion.document_id.in_(chunk),
                DocumentVersion.minor == 0,
                DocumentVersion.issued_on.is_not(None),
            )
            .group_by(DocumentVersion.document_id)
        )
        found.update({document_id: on for document_id, on in rows if on is not None})
    return found

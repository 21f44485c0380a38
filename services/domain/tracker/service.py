"""The review tracker: every document in force with a review date, and how that date stands.

A document's tracker status comes from its ``next_review_due`` and today (a London date), with
the rules the review notices use (``documents.review_dates.ReviewRules``): due soon from the
largest reminder threshold (30 days by default) up to and including the due date, overdue the
day after, escalated once the escalation period has passed (Dorset: two months).
Retired and superseded documents, and documents with no review date, are not tracked.

Every status is a range of due dates for a given day, so filtering by status, paging in due
date order and counting per status are index range conditions on ``next_review_due``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Literal

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, Select, and_, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.domain.authz.principal import Principal
from services.domain.db import plan_for_these_values
from services.domain.documents import register_fields
from services.domain.documents.orphans import orphaned_condition
from services.domain.documents.review_dates import ReviewRules, is_escalated
from services.domain.documents.search import DocumentFilters
from services.domain.documents.search import filter_conditions as visible_conditions
from services.domain.governance.ladders import Ladder, ladder_of, rungs_reached
from services.domain.models.documents import NO_LONGER_IN_FORCE, Document
from services.domain.models.organisations import Organisation
from services.domain.models.people import Person
from services.domain.pagination import after_row
from services.domain.review_extensions import standing as extensions
from services.domain.tracker.rag import Rag, rag_condition, rag_of

TrackerStatus = Literal["on_track", "due_soon", "overdue", "escalated"]
TRACKER_STATUSES: tuple[TrackerStatus, ...] = ("on_track", "due_soon", "overdue", "escalated")


def review_status(due: date, today: date, rules: ReviewRules) -> TrackerStatus:
    """The tracker status on ``today`` of a review due on ``due``."""
    if is_escalated(due, today, rules):
        return "escalated"
    if today > due:
        return "overdue"
    if (due - today).days <= rules.due_soon_days:
        return "due_soon"
    return "on_track"


def days_until_due(due: date, today: date) -> int:
    """Days from today to the due date; negative once it has passed."""
    return (due - today).days


def escalated_through(today: date, escalation_months: int) -> date:
    """The latest due date that counts as escalated on ``today``.

    Adding months clamps to the end of a month (31 December + 2 months is 28 February), so
    several due dates can reach the threshold on one day: step forward over them.
    """
    last = today - relativedelta(months=escalation_months)
    while last + timedelta(days=1) + relativedelta(months=escalation_months) <= today:
        last += timedelta(days=1)
    return last


@dataclass(frozen=True)
class DueRange:
    """Due dates ``first``..``last`` inclusive; None is open-ended."""

    first: date | None
    last: date | None


def status_ranges(today: date, rules: ReviewRules) -> dict[TrackerStatus, DueRange]:
    """For each status, the due dates that have it on ``today``."""
    escalated = escalated_through(today, rules.escalation_months)
    soon = today + timedelta(days=rules.due_soon_days)
    overdue_last = today - timedelta(days=1)
    after_escalated = escalated + timedelta(days=1)
    return {
        "escalated": DueRange(None, escalated),
        "overdue": DueRange(after_escalated, overdue_last),
        "due_soon": DueRange(max(today, after_escalated), soon),
        "on_track": DueRange(max(soon + timedelta(days=1), after_escalated), None),
    }


def _in_range(column: Any, due: DueRange) -> list[ColumnElement[bool]]:
    conditions = []
    if due.first is not None:
        conditions.append(column >= due.first)
    if due.last is not None:
        conditions.append(column <= due.last)
    return conditions


def tracked_conditions() -> list[ColumnElement[bool]]:
    """Documents in force with a review date: the ones the tracker shows."""
    # Literal values, not bind parameters, so the condition matches a partial index's predicate
    # in a generic plan too.
    not_reviewed: list[ColumnElement[str]] = [
        literal_column(f"'{status}'") for status in NO_LONGER_IN_FORCE
    ]
    return [Document.next_review_due.is_not(None), Document.status.not_in(not_reviewed)]


@dataclass(frozen=True)
class TrackerFilters:
    status: TrackerStatus | None = None
    due_from: date | None = None
    due_to: date | None = None
    owner_id: uuid.UUID | None = None
    responsible_officer_id: uuid.UUID | None = None
    service_area: str | None = None
    kind: str | None = None
    # Dorset, Forms: documents with forms, aligned with the version in force or not.
    forms_aligned: bool | None = None
    # Review extensions: documents whose date an agreed extension set (or not), and documents
    # with a request waiting for a decision.
    extended: bool | None = None
    extension_pending: bool | None = None
    rag: Rag | None = None
    # Issue 20: documents whose owner or named RO has left (or with no owner at all).
    orphaned: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class TrackerRow:
    document: Document
    owner_name: str | None
    responsible_officer_name: str | None
    status: TrackerStatus
    days_until_due: int
    governing_reference: str | None = None
    forms_aligned: bool | None = None
    extension: extensions.ExtensionState = field(default_factory=extensions.ExtensionState)
    rag: Rag = "green"
    # How many rungs of the organisation's escalation ladder the review has reached (0: none).
    escalation_rung: int = 0
    # The roles nobody active holds: "owner" (none, or gone), "responsible_officer" (gone).
    vacant_roles: tuple[str, ...] = ()

    @property
    def is_orphaned(self) -> bool:
        return bool(self.vacant_roles)


def _conditions(
    principal: Principal, filters: TrackerFilters, today: date, rules: ReviewRules
) -> list[ColumnElement[bool]]:
    # The documents the caller may list in the register, with its filters' meaning.
    register = DocumentFilters(
        kind=filters.kind,
        owner_id=filters.owner_id,
        responsible_officer_id=filters.responsible_officer_id,
        service_area=filters.service_area,
    )
    conditions = [*visible_conditions(principal, register), *tracked_conditions()]
    if filters.status is not None:
        ranges = status_ranges(today, rules)
        conditions += _in_range(Document.next_review_due, ranges[filters.status])
    conditions += _in_range(Document.next_review_due, DueRange(filters.due_from, filters.due_to))
    if filters.forms_aligned is not None:
        conditions.append(register_fields.forms_aligned_condition(filters.forms_aligned))
    if filters.extended is not None:
        extended = extensions.extended_condition()
        conditions.append(extended if filters.extended else ~extended)
    if filters.extension_pending is not None:
        pending = extensions.pending_condition()
        conditions.append(pending if filters.extension_pending else ~pending)
    if filters.rag is not None:
        conditions.append(rag_condition(filters.rag, today, rules))
    if filters.orphaned is not None:
        conditions.append(orphaned_condition(filters.orphaned))
    return conditions


async def escalation_ladder(
    session: AsyncSession, organisation_id: uuid.UUID, rules: ReviewRules
) -> Ladder:
    """The organisation's escalation ladder (the default when none is set)."""
    stored = await session.scalar(
        select(Organisation.escalation_ladder).where(Organisation.id == organisation_id)
    )
    return ladder_of(stored, rules.escalation_months)


def _vacant(
    owner_active: bool | None, officer_id: object, officer_active: bool | None
) -> tuple[str, ...]:
    """The roles nobody active holds (``documents/orphans.py`` says the same in SQL)."""
    vacant: tuple[str, ...] = () if owner_active else ("owner",)
    if officer_id is not None and not officer_active:
        vacant += ("responsible_officer",)
    return vacant


# Made once: building two aliases of Person took a sixth of every tracker request's CPU.
_OWNER = aliased(Person, name="owner")
_OFFICER = aliased(Person, name="officer")


def _tracked_query(
    conditions: list[ColumnElement[bool]],
) -> Select[Document, str, str, str | None, bool | None, bool, bool]:
    """Tracked documents with their people's names and whether they are active, the governing
    reference and whether the forms are aligned, by due date then reference."""
    owner, officer = _OWNER, _OFFICER
    return (
        select(
            Document,
            owner.name,
            officer.name,
            register_fields.governing_reference(),
            register_fields.forms_aligned(),
            owner.is_active,
            officer.is_active,
        )
        .outerjoin(owner, owner.id == Document.owner_id)
        .outerjoin(officer, officer.id == Document.responsible_officer_id)
        .where(*conditions)
        .order_by(Document.next_review_due, Document.reference)
    )


async def list_tracked(
    session: AsyncSession,
    principal: Principal,
    filters: TrackerFilters,
    *,
    today: date,
    rules: ReviewRules,
    after: Sequence[Any] | None,
    limit: int,
) -> tuple[list[TrackerRow], list[Any] | None]:
    """One page of tracked documents by due date then reference, and the position after it:
    each with its status, RAG and the rungs of the escalation ladder its review has reached."""
    await plan_for_these_values(session)
    ladder = await escalation_ladder(session, principal.organisation_id, rules)
    conditions = _conditions(principal, filters, today, rules)
    if after:
        # References are unique in an organisation: (due date, reference) orders totally.
        conditions.append(after_row(Document.next_review_due, Document.reference, after))
    query = _tracked_query(conditions).limit(limit + 1)
    rows = []
    for document, owner_name, officer_name, governing, aligned, owner_on, officer_on in (
        await session.execute(query)
    ).all():
        due = document.next_review_due
        assert due is not None  # only tracked documents are read
        rows.append(
            TrackerRow(
                document=document,
                owner_name=owner_name,
                responsible_officer_name=officer_name,
                status=review_status(due, today, rules),
                days_until_due=days_until_due(due, today),
                governing_reference=governing,
                forms_aligned=aligned,
                rag=rag_of(due, today, rules, document.status),
                escalation_rung=rungs_reached(ladder, due, today),
                vacant_roles=_vacant(owner_on, document.responsible_officer_id, officer_on),
            )
        )
    states = await extensions.states_of(session, [row.document for row in rows])
    rows = [
        replace(row, extension=states[row.document.id]) if row.document.id in states else row
        for row in rows
    ]
    if len(rows) > limit:
        last = rows[limit - 1].document
        return rows[:limit], [last.next_review_due.isoformat(), last.reference]  # type: ignore[union-attr]
    return rows, None


@dataclass(frozen=True)
class StatusCounts:
    total: int
    counts: dict[TrackerStatus, int]

    @property
    def percentages(self) -> dict[TrackerStatus, float]:
        """Per cent of the total per status, to one decimal place (0 when nothing is tracked)."""
        return {
            status: round(100 * count / self.total, 1) if self.total else 0.0
            for status, count in self.counts.items()
        }


@dataclass(frozen=True)
class TrackerSummary:
    organisation: StatusCounts
    service_areas: list[tuple[str | None, StatusCounts]]


async def summarise(
    session: AsyncSession, principal: Principal, *, today: date, rules: ReviewRules
) -> TrackerSummary:
    """Counts per status for the organisation and per service area, in one aggregate query."""
    ranges = status_ranges(today, rules)
    due = Document.next_review_due
    counts = [
        func.count().filter(and_(*_in_range(due, ranges[status]))).label(status)
        for status in TRACKER_STATUSES
    ]
    # ROLLUP gives a row per service area and one for the whole organisation; grouping() tells
    # the organisation's row from the service area NULL (documents without one).
    is_total = func.grouping(Document.service_area).label("is_total")
    query = (
        select(Document.service_area, is_total, func.count().label("total"), *counts)
        .where(*visible_conditions(principal, DocumentFilters()), *tracked_conditions())
        .group_by(func.rollup(Document.service_area))
        .order_by(is_total, Document.service_area.nulls_last())
    )
    organisation = StatusCounts(0, dict.fromkeys(TRACKER_STATUSES, 0))
    areas: list[tuple[str | None, StatusCounts]] = []
    for row in (await session.execute(query)).mappings():
        found = StatusCounts(row["total"], {status: row[status] for status in TRACKER_STATUSES})
        if row["is_total"]:
            organisation = found
        else:
            areas.append((row["service_area"], found))
    return TrackerSummary(organisation, areas)

"""The review tracker and a person's review-deadline calendar feed."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from services.domain.tracker.rag import Rag
from services.domain.tracker.service import TrackerStatus


class TrackerRow(BaseModel):
    document_id: uuid.UUID
    reference: str
    title: str
    kind: str
    service_area: str | None
    owner_id: uuid.UUID | None = Field(description="The RSM / policy sponsor.")
    owner_name: str | None
    responsible_officer_id: uuid.UUID | None = Field(description="The RO named on the document.")
    responsible_officer_name: str | None
    acting_responsible_officer_id: uuid.UUID | None = Field(
        description="The RO, or the owner standing in when none is named (NCT)."
    )
    next_review_due: date
    last_reviewed_on: date | None
    status: TrackerStatus = Field(
        description="on_track; due_soon (from the largest reminder threshold up to the due "
        "date); overdue (past the due date); escalated (overdue by the escalation period)."
    )
    days_until_due: int = Field(description="Negative once the due date has passed.")
    rag: Rag = Field(
        description="red: overdue; amber: due within the reminder window (the due date "
        "included) or under review; green: on track."
    )
    escalation_rung: int = Field(
        description="How many rungs of the organisation's escalation ladder the review has "
        "reached (0: none; GET /v1/escalation-ladder)."
    )
    trix_url: str | None
    approved_by: str | None = Field(description="Who approved the version in force (Dorset 4.5).")
    approved_on: date | None
    governing_reference: str | None = Field(
        description="The document that governs this one (a `governs` link); the first by "
        "reference when several do."
    )
    forms_aligned_on: date | None = Field(
        description="The day the PPP Group confirmed its forms are aligned."
    )
    forms_aligned: bool | None = Field(
        description="Its forms are aligned with the version in force: confirmed on or after "
        "approved_on; null for a document without forms (Dorset, Forms)."
    )
    is_extended: bool = Field(
        False,
        description="The review date was moved by an agreed review extension, in this review "
        "period (a review or an issue since ends it).",
    )
    original_review_due: date | None = Field(
        None, description="When extended: the date the review was due before any extension."
    )
    times_extended: int = Field(0, description="Extensions agreed in this review period.")
    pending_extension_id: uuid.UUID | None = Field(
        None, description="A request to move the review date waiting for a decision."
    )
    orphaned: bool = Field(
        description="Nobody active owns it: no owner, or its owner or named responsible "
        "officer is no longer active (issue 20; reassign with POST /v1/people/{id}/reassignments)."
    )
    vacant_roles: list[Literal["owner", "responsible_officer"]] = Field(
        description="The roles nobody active holds."
    )


class TrackerPage(BaseModel):
    today: date = Field(description="The London date the statuses are worked out for.")
    items: list[TrackerRow]
    next_cursor: str | None = None


class StatusNumbers(BaseModel):
    on_track: int
    due_soon: int
    overdue: int
    escalated: int


class StatusPercentages(BaseModel):
    on_track: float
    due_soon: float
    overdue: float
    escalated: float


class StatusCounts(BaseModel):
    total: int
    counts: StatusNumbers
    percentages: StatusPercentages = Field(description="Per cent of the total, one decimal.")


class ServiceAreaCounts(StatusCounts):
    service_area: str | None = Field(description="null: documents without a service area.")


class TrackerSummary(BaseModel):
    today: date
    organisation: StatusCounts
    service_areas: list[ServiceAreaCounts]


class PersonCalendarFeed(BaseModel):
    url: str = Field(
        description="Subscribe to this address in Outlook (Add calendar > From internet). "
        "Anyone with it can read the person's review deadlines: rotate the feed to revoke it."
    )


class RagNumbers(BaseModel):
    red: int = Field(description="Overdue.")
    amber: int = Field(description="Due within the reminder window, or under review.")
    green: int = Field(description="On track.")


class AreaRag(RagNumbers):
    service_area: str | None = Field(description="null: documents without a service area.")
    total: int


class RagSummary(BaseModel):
    today: date = Field(description="The London date the RAG statuses are worked out for.")
    organisation: RagNumbers
    service_areas: list[AreaRag]


class WeekRag(BaseModel):
    week_starting: date = Field(description="The week's Monday (London).")
    taken_on: date = Field(description="The day the counts are for.")
    totals: RagNumbers
    service_areas: list[AreaRag]


class Trend(BaseModel):
    today: date
    weeks: list[WeekRag] = Field(description="Oldest first; weeks without a snapshot left out.")

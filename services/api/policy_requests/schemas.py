"""Shapes of requests to the policy service and their triage."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.types import IsoDate, LongText, text_field

RequestKind = Literal["new_document", "change"]
RequestUrgency = Literal["routine", "urgent"]
RequestStatus = Literal["open", "accepted", "declined", "withdrawn"]
AcceptedAs = Literal["proposal", "review"]
Trigger = Literal[
    "case_audit_recommendation",
    "practice_or_structure_change",
    "legislation_or_guidance_change",
    "confirmed_gap",
    "safeguarding_practice_review",
    "inspection_advice",
    "other",
]
Title = Annotated[str, text_field(300, 1)]
Details = Annotated[str, text_field(20000, 1, multiline=True)]
Reasons = Annotated[str, text_field(5000, 1, multiline=True)]
ServiceArea = Annotated[str, text_field(200)]


class PolicyRequestCreate(BaseModel):
    """Ask the policy service for a new document, or a change to one of the organisation's."""

    model_config = ConfigDict(extra="forbid")

    kind: RequestKind = Field(
        description="`new_document`, or `change` to the document named in `document_id`."
    )
    title: Title = Field(description="What is asked for, in a line.")
    details: Details = Field(description="What is needed and why: the reasons for the request.")
    document_id: uuid.UUID | None = Field(
        None, description="The document to change (for `change` only; of your organisation)."
    )
    service_area: ServiceArea | None = Field(
        None, description="The service area the document is for (e.g. Fostering)."
    )
    urgency: RequestUrgency = Field("routine", description="`urgent` is shown on the queue.")
    wanted_by: IsoDate | None = Field(None, description="When it is needed by, if it is.")


class PolicyRequestAcceptance(BaseModel):
    """Accept an open request into a proposal (a business case, approved to proceed by a
    board) or into an unscheduled review of the document a change is asked of."""

    model_config = ConfigDict(extra="forbid")

    into: AcceptedAs
    note: LongText = Field("", description="A note to the requester.")
    trigger: Trigger | None = Field(
        None, description="A review: what prompted it (NCT 3.2); `other` unless given."
    )
    sponsor_id: uuid.UUID | None = Field(
        None, description="A proposal: its sponsor, if known (of your organisation)."
    )
    lead_officer_id: uuid.UUID | None = Field(
        None,
        description="A proposal: its lead officer, e.g. the responsible person within the "
        "service area who agrees first drafts (Birmingham).",
    )


class PolicyRequestDecline(BaseModel):
    """Decline an open request: the reasons are required and go to the requester."""

    model_config = ConfigDict(extra="forbid")

    reasons: Reasons


class PolicyRequest(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: RequestKind
    document_id: uuid.UUID | None
    title: str
    details: str
    service_area: str | None
    urgency: RequestUrgency
    wanted_by: date | None
    requested_by_id: uuid.UUID
    status: RequestStatus
    triage_due_on: date = Field(
        description="The London date the policy team triages it by: the organisation's "
        "target (`request_triage_working_days`) in working days after it arrived."
    )
    is_overdue: bool = Field(False, description="Still open after its triage date (London time).")
    triaged_by_id: uuid.UUID | None
    triaged_at: datetime | None
    decision_note: str = Field(description="Declined: the reasons; accepted: a note, if any.")
    accepted_as: AcceptedAs | None
    proposal_id: uuid.UUID | None = Field(description="The proposal it was accepted into.")
    review_id: uuid.UUID | None = Field(description="The review it was accepted into.")
    withdrawn_at: datetime | None
    created_at: datetime
    updated_at: datetime


class PolicyRequestPage(BaseModel):
    items: list[PolicyRequest]
    next_cursor: str | None

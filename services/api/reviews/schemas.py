"""Shapes of reviews, their outcomes and the documents a review's change may touch."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.monitoring.schemas import ReviewFindings
from services.api.types import LongText, text_field

ReviewKind = Literal["scheduled", "unscheduled", "update_cycle"]
ReviewStatus = Literal["in_progress", "awaiting_confirmation", "completed", "cancelled"]
ReviewOutcome = Literal["no_change", "amended"]
Trigger = Literal[
    "case_audit_recommendation",
    "practice_or_structure_change",
    "legislation_or_guidance_change",
    "confirmed_gap",
    "safeguarding_practice_review",
    "inspection_advice",
    "parent_changed",
    "other",
]
Required = Annotated[str, text_field(5000, 1, multiline=True)]
Reason = Annotated[str, text_field(300)]


class ReviewCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document_id: uuid.UUID
    kind: ReviewKind
    trigger: Trigger | None = Field(
        None, description="What prompted an unscheduled review (NCT 3.4(c)); only for those."
    )
    trigger_detail: LongText = ""
    requested_by_id: uuid.UUID | None = Field(
        None, description="Who asked for it; told when it ends with no change."
    )


class NoChangeStatement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    statement: Required = Field(
        description="e.g. 'The procedure has been reviewed and no changes are required.'"
    )


class NoChangeRefusal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reasons: Required


class Amended(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version_id: uuid.UUID = Field(description="The amended draft, uploaded since the review began.")


class ReviewCancellation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Required


class CascadeOrigin(BaseModel):
    """An amended parent's issue that opened the review, or was noted on it."""

    flag_id: uuid.UUID
    parent_document_id: uuid.UUID
    parent_reference: str
    parent_title: str
    parent_version: str = Field(description="The version issued, e.g. '2.0'.")
    previous_version: str = Field(description="The version it replaced, e.g. '1.0'.")
    diff_path: str = Field(description="What changed in the parent: the API path of the diff.")
    link_kind: Literal["governs", "implements", "form_for"]
    status: Literal["open", "review_opened", "attached", "dismissed"]


class Review(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    document_id: uuid.UUID
    kind: ReviewKind
    trigger: Trigger | None
    trigger_detail: str
    requested_by_id: uuid.UUID | None
    status: ReviewStatus
    outcome: ReviewOutcome | None
    due_on: date | None = Field(description="The document's review date when the review began.")
    previous_status: str
    started_by_id: uuid.UUID | None
    no_change_statement: str
    statement_by_id: uuid.UUID | None
    confirmed_by_id: uuid.UUID | None
    confirmed_at: datetime | None
    amended_version_id: uuid.UUID | None
    update_cycle_item_id: uuid.UUID | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    monitoring: ReviewFindings | None = Field(
        None,
        description="What implementation monitoring found (Cafcass 7.4, 8.1): open, overdue "
        "and done actions, uptake, dis-applications, open requests, the last report to a "
        "board. On the review that is opened and when one review is read; not in lists. Open "
        "actions are carried into the review and never block completing it.",
    )
    cascades: list[CascadeOrigin] | None = Field(
        None,
        description="Cascade reviews: the amended parents' issues that opened this review "
        "(`review_opened`) or were noted on it because it was already open (`attached`), "
        "each with the versions and the diff. When one review is read; not in lists.",
    )


class ReviewPage(BaseModel):
    items: list[Review]
    next_cursor: str | None


class ImpactedDocument(BaseModel):
    document_id: uuid.UUID
    reference: str
    title: str
    status: str
    reasons: list[str]


class ReviewDocumentAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document_id: uuid.UUID
    reason: Reason = Field("", description="Why; empty takes the impact list's reasons.")


class ReviewDocumentsAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: list[ReviewDocumentAdd] = Field(min_length=1, max_length=200)


class ReviewDocument(BaseModel):
    id: uuid.UUID
    document_id: uuid.UUID
    reference: str
    title: str
    reason: str
    added_by_id: uuid.UUID | None
    added_at: datetime

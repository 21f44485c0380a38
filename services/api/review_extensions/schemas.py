"""Review extensions: the request, the decision, the withdrawal, the list and the limits."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from services.api.types import IsoDate, text_field

ReviewExtensionStatus = Literal["pending", "agreed", "refused", "withdrawn", "lapsed"]
Reasons = Annotated[str, text_field(4000, 1, multiline=True)]


class ReviewExtensionCreate(BaseModel):
    """Ask to move the document's review date (its responsible officer, or its owner standing
    in when none is named)."""

    model_config = ConfigDict(extra="forbid")

    requested_due: IsoDate = Field(
        description="The new review date: after the current one and after today, and within "
        "the organisation's limit (`max_months` past the date this review was first due)."
    )
    reasons: Reasons = Field(description="Why the review needs more time (kept on the record).")


class ReviewExtensionAgree(BaseModel):
    """Agree, with a note: to the date asked for, or an earlier one (`agreed_due`)."""

    model_config = ConfigDict(extra="forbid")

    note: Reasons = Field(description="Why: the decider's reasons, kept on the record.")
    agreed_due: IsoDate | None = Field(
        None,
        description="An earlier date than the one asked for, after the current review date; "
        "left out, the date asked for.",
    )


class ReviewExtensionRefuse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Reasons = Field(description="Why not: kept on the record and sent to the requester.")


class ReviewExtensionWithdraw(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reasons


class ReviewExtension(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    document_id: uuid.UUID
    reference: str = Field(description="The document's reference.")
    title: str = Field(description="The document's title.")
    requested_by_id: uuid.UUID
    current_due: date = Field(description="The review date when it was asked.")
    requested_due: date
    original_due: date = Field(
        description="The date this review period was first due, before any extension."
    )
    sequence: int = Field(description="Which extension of the review period it is (1: first).")
    reasons: str
    status: ReviewExtensionStatus
    is_current: bool = Field(
        description="Pending and the document's review date is still the one it asks to move "
        "(false once a review, an issue or a change moved it: it can only be refused or "
        "withdrawn, and lapses when the next request is made)."
    )
    decided_by_id: uuid.UUID | None
    decided_at: datetime | None
    decision_note: str
    agreed_due: date | None = Field(description="The new review date, once agreed.")
    ended_by_id: uuid.UUID | None = Field(description="Null when it lapsed.")
    ended_at: datetime | None
    end_reason: str
    created_at: datetime


class ReviewExtensionPage(BaseModel):
    items: list[ReviewExtension]
    next_cursor: str | None


class ReviewExtensionLimits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_months: StrictInt = Field(
        ge=1,
        le=24,
        description="How far past the date a review period was first due its review may be put "
        "back, in all, in calendar months (3 unless set).",
    )
    max_extensions: StrictInt = Field(
        ge=0,
        le=6,
        description="How many extensions one review period may have (1 unless set; 0: none are "
        "agreed).",
    )

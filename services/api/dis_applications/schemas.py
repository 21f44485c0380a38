"""Dis-applications (Cafcass 6.1): the request, the decision, an end, the register."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from services.api.types import IsoDate, text_field

DisApplicationStatus = Literal[
    "requested", "approved", "refused", "withdrawn", "revoked", "expired"
]
Section = Annotated[str, text_field(500, 1)]
AppliesTo = Annotated[str, text_field(200, 1)]
Long = Annotated[str, text_field(10000, 1, multiline=True)]


class DisApplicationCreate(BaseModel):
    """Ask for part of a document in force not to be applied to a team or area (Cafcass 6.1:
    "Whenever a member of staff thinks that a policy should not be applied, s/he should
    discuss this with his/her line manager before acting")."""

    model_config = ConfigDict(extra="forbid")

    section: Section = Field(
        description="Which part: its section reference and/or words ('4.2 Home visits within "
        "10 working days')."
    )
    applies_to: AppliesTo = Field(description="For whom: a team or service area.")
    reasons: Long = Field(description="Why the circumstances are exceptional.")
    risks: Long = Field(description="What could go wrong while the part is not applied.")
    mitigation: Long = Field(description="How those risks are kept down meanwhile.")
    starts_on: IsoDate = Field(description="The first day (today or later).")
    ends_on: IsoDate = Field(
        description="The last day: on or after the start, and at most 12 months after it "
        "(Cafcass 8.1: policies are reviewed annually)."
    )
    discussed_with_id: uuid.UUID | None = Field(
        None,
        description="The line manager (a contract manager for the self-employed) it was "
        "discussed with before asking.",
    )


class DisApplicationDecision(BaseModel):
    """The decider's answer, with a note. To approve is to agree "that the circumstances are
    exceptional and that variation is justified" (Cafcass 6.1): both must be confirmed."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["approved", "refused"]
    note: Long = Field(description="Why: the decider's reasons, kept on the record.")
    circumstances_exceptional: StrictBool = Field(
        False, description="The decider agrees the circumstances are exceptional."
    )
    variation_justified: StrictBool = Field(
        False, description="The decider agrees the variation is justified."
    )


class DisApplicationEnd(BaseModel):
    """Why it ends (a withdrawal before the decision, or a revocation after approval)."""

    model_config = ConfigDict(extra="forbid")

    reason: Long


class DisApplication(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    document_id: uuid.UUID
    issued_version: str | None = Field(
        description="The issued version in force when it was asked for."
    )
    section: str
    applies_to: str
    reasons: str
    risks: str
    mitigation: str
    starts_on: date
    ends_on: date
    requested_by_id: uuid.UUID
    discussed_with_id: uuid.UUID | None
    status: DisApplicationStatus
    is_in_force: bool = Field(description="Approved, and today is between its start and end.")
    decided_by_id: uuid.UUID | None
    decided_at: datetime | None
    decision_note: str
    ended_by_id: uuid.UUID | None = Field(description="Null when it expired.")
    ended_at: datetime | None
    end_reason: str
    created_at: datetime


class DisApplicationPage(BaseModel):
    items: list[DisApplication]
    next_cursor: str | None


class DocumentDisApplications(BaseModel):
    document_id: uuid.UUID
    reference: str
    title: str
    in_force: list[DisApplication] = Field(description="Those in force today.")
    items: list[DisApplication] = Field(description="All of them, soonest end first.")

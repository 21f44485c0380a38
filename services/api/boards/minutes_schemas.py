"""Minutes over HTTP: attendance and quorum, decisions, actions, and the reports from them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)

from services.api.boards.meeting_schemas import Meeting
from services.api.boards.schemas import MemberRole
from services.api.types import IsoDate, LongText, text_field

AttendanceStatus = Literal["present", "apologies", "delegate_attended", "absent"]
Outcome = Literal[
    "approved", "approved_with_conditions", "deferred", "rejected", "noted", "referred"
]
Method = Literal["consensus", "vote", "chair", "referral"]
ActionStatus = Literal["open", "done"]
Condition = Annotated[str, text_field(2000, 1, multiline=True)]
Votes = Annotated[StrictInt, Field(ge=0, le=1000)]


class AttendanceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: uuid.UUID
    status: AttendanceStatus
    delegate_id: uuid.UUID | None = Field(
        None, description="Who came instead; default the member's standing delegate."
    )


class AttendanceSheet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    attendance: Annotated[list[AttendanceEntry], Field(max_length=500)]
    chaired_by_id: uuid.UUID | None = Field(
        None,
        description="Who chaired, when neither the chair nor a vice-chair was present "
        "(Dorset 4.1); default the chair, else a vice-chair present.",
    )

    @field_validator("attendance")
    @classmethod
    def _once_each(cls, value: list[AttendanceEntry]) -> list[AttendanceEntry]:
        if len({e.person_id for e in value}) != len(value):
            raise ValueError("list each person once")
        return value


class AttendanceRow(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    person_id: uuid.UUID
    status: AttendanceStatus
    delegate_id: uuid.UUID | None
    role: MemberRole
    seat: str | None
    recorded_at: datetime
    escalated_at: datetime | None


class SeatCheck(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seat: str
    minimum: int
    attending: int
    is_met: StrictBool


class Quorum(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    is_quorate: StrictBool
    attending: int
    required: int | None
    seats: list[SeatCheck]
    chaired_by_id: uuid.UUID | None
    problems: list[str]


class MeetingAttendance(BaseModel):
    meeting_id: uuid.UUID
    attendance: list[AttendanceRow]
    quorum: Quorum | None
    escalated_person_ids: list[uuid.UUID] = Field(
        [],
        description="Members reported by this recording for missing two or more meetings in "
        "a row without a delegate.",
    )


class MeetingDecisionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agenda_item_id: uuid.UUID
    outcome: Outcome
    method: Method = "consensus"
    text: LongText = ""
    conditions: Annotated[list[Condition], Field(max_length=50)] = []
    votes_for: Votes | None = None
    votes_against: Votes | None = None
    abstentions: Votes | None = None
    decided_by_id: uuid.UUID | None = Field(
        None, description="Who took the decision; default the person who chaired."
    )
    supersedes_id: uuid.UUID | None = Field(
        None, description="The decision this one corrects; decisions are never edited."
    )
    see_again: StrictBool = Field(
        False,
        description="With conditions on a sign-off referred to this board: the board will "
        "check the amended draft itself, instead of the approver who referred it (NCT 3.4).",
    )


class MeetingDecision(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    meeting_id: uuid.UUID
    agenda_item_id: uuid.UUID
    outcome: Outcome
    method: Method
    text: str
    conditions: list[str]
    votes_for: int | None
    votes_against: int | None
    abstentions: int | None
    decided_by_id: uuid.UUID | None
    recorded_by_id: uuid.UUID | None
    recorded_by_label: str
    recorded_at: datetime
    supersedes_id: uuid.UUID | None
    see_again: StrictBool
    is_current: StrictBool = True


class ActionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Annotated[str, text_field(5000, 1, multiline=True)]
    owner_id: uuid.UUID
    due_on: IsoDate
    agenda_item_id: uuid.UUID | None = None


class ActionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: Annotated[str, text_field(5000, 1, multiline=True)] | None = None
    owner_id: uuid.UUID | None = None
    due_on: IsoDate | None = None
    status: ActionStatus | None = None

    @model_validator(mode="after")
    def _not_null(self) -> ActionUpdate:
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class Action(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    meeting_id: uuid.UUID
    agenda_item_id: uuid.UUID | None
    description: str
    owner_id: uuid.UUID
    due_on: date
    status: ActionStatus
    completed_at: datetime | None
    created_at: datetime


class Minutes(BaseModel):
    meeting: Meeting
    attendance: list[AttendanceRow]
    quorum: Quorum | None
    decisions: list[MeetingDecision]
    actions: list[Action]


class ApprovedDocument(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    document_id: uuid.UUID
    reference: str
    title: str
    kind: str
    service_area: str | None
    version: str | None
    is_new: StrictBool
    outcome: Outcome
    conditions: list[str]
    owner_title: str = Field(
        description="What the organisation calls a document's owner (its words)."
    )
    owner_name: str | None


class ExceptionItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    agenda_item_id: uuid.UUID
    title: str
    outcome: Outcome | None
    note: str


class MeetingReport(BaseModel):
    meeting: Meeting
    approved: list[ApprovedDocument]
    exceptions: list[ExceptionItem]
    decisions: int
    open_actions: int
    is_quorate: StrictBool | None


class AnnualReport(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    board_id: uuid.UUID
    financial_year: str
    starts_on: date
    ends_on: date
    meetings_held: int
    meetings_cancelled: int
    meetings_without_quorum: int
    items_by_ask: dict[str, int]
    decisions_by_outcome: dict[str, int]
    documents_approved: int
    reviews_approved: int
    late_items: int
    attendance_rate: float | None
    open_actions: int
    overdue_actions: int
    documents_overdue_for_review: int
    approved: list[ApprovedDocument]

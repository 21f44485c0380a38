"""Consultations over HTTP: opening one, its consultees, responses and the author's analysis."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    model_validator,
)

from services.api.types import IsoDate, IsoDateTime, Name, ShortText, Tag, text_field

Kind = Literal["internal", "pre_meeting", "public"]
Status = Literal["scheduled", "open", "closed", "cancelled"]
Position = Literal["support", "support_with_comments", "object", "no_view"]
RecordedPosition = Literal[
    "support", "support_with_comments", "object", "no_view", "deemed_agreement"
]
Handling = Literal["accepted", "partly_accepted", "not_accepted", "no_change_needed"]
QuestionKind = Literal["text", "yes_no", "choice"]
Title = Annotated[str, text_field(300, 1)]
Letter = Annotated[str, text_field(20000, multiline=True)]
Comments = Annotated[str, text_field(20000, multiline=True)]
Key = Annotated[str, text_field(60, strip=False, pattern=r"^[a-z][a-z0-9_]{0,59}$")]
Answer = Annotated[str, text_field(5000, multiline=True)] | bool
ReminderDays = Annotated[list[Annotated[int, Field(ge=1, le=365)]], Field(max_length=5)]


class ConsultationQuestion(BaseModel):
    """A question of the response form (Cafcass 4.7: questions that make it possible to
    analyse the responses)."""

    model_config = ConfigDict(extra="forbid")

    key: Key
    text: Title
    kind: QuestionKind = "text"
    options: list[Annotated[str, text_field(200, 1, strip=False)]] = Field(
        default_factory=list, max_length=20, description="The choices of a `choice` question."
    )
    required: StrictBool = False


class ExternalConsultee(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    email: EmailStr
    represents: ShortText = Field("", description="The body they speak for, if any.")


class Audience(BaseModel):
    model_config = ConfigDict(extra="forbid")

    people: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    boards: list[uuid.UUID] = Field(
        default_factory=list, max_length=20, description="Expanded to their members when it opens."
    )
    external: list[ExternalConsultee] = Field(
        default_factory=list,
        max_length=500,
        description="People without an account: they respond through a signed link by email.",
    )


class ClosingRule(BaseModel):
    """A closing day counted back from the meeting or on from the opening, in the
    organisation's working days where the unit says so; it always lands on a working day."""

    model_config = ConfigDict(extra="forbid")

    relative_to: Literal["meeting", "opening"]
    amount: int | None = Field(
        None,
        ge=1,
        le=400,
        description="None with `meeting`: the board's rule for consultation responses.",
    )
    unit: Literal["working_days", "calendar_days", "weeks", "months"] | None = None

    @model_validator(mode="after")
    def _together(self) -> ClosingRule:
        if (self.amount is None) != (self.unit is None):
            raise ValueError("give amount and unit together")
        if self.amount is None and self.relative_to == "opening":
            raise ValueError("a rule relative to the opening needs amount and unit")
        return self


class ConsultationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document_id: uuid.UUID
    version_id: uuid.UUID = Field(description="The draft consulted on.")
    kind: Kind
    title: Title | None = Field(None, description="Default: the document's reference and title.")
    description: Letter = Field("", description="The covering letter: why, what is asked, how.")
    audience: Audience
    questions: list[ConsultationQuestion] = Field(default_factory=list, max_length=50)
    meeting_id: uuid.UUID | None = Field(
        None, description="The deciding meeting of a pre-meeting circulation."
    )
    opens_at: IsoDateTime | None = Field(
        None,
        description="A later opening. Default: now, or for a meeting the board's rule for when "
        "consultation opens (Birmingham: two weeks before).",
    )
    closes_at: IsoDateTime | None = Field(None, description="An exact closing moment.")
    closes_on: IsoDate | None = Field(
        None, description="A closing working day: responses are due by the end of it (London)."
    )
    closing_rule: ClosingRule | None = Field(
        None,
        description="Default by kind: internal 10 working days, public 3 months (Cafcass 4.6), "
        "pre_meeting the board's rule for consultation responses.",
    )
    deemed_agreement: StrictBool | None = Field(
        None,
        description="No response by the deadline counts as agreement (Birmingham). Default: "
        "what the document's governance route says.",
    )
    reminder_days: ReminderDays | None = Field(
        None, description="Days before the close when those who have not responded are reminded."
    )


class ConsultationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Letter | None = None
    questions: list[ConsultationQuestion] | None = Field(
        None, max_length=50, description="Before it opens."
    )
    closes_at: IsoDateTime | None = None
    closes_on: IsoDate | None = None
    reminder_days: ReminderDays | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> ConsultationUpdate:
        for name in ("title", "description", "questions", "reminder_days"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class ConsultationCancellation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Title


class QuestionOut(BaseModel):
    key: str
    text: str
    kind: QuestionKind
    options: list[str]
    required: StrictBool


class Consultation(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    kind: Kind
    title: str
    description: str
    status: Status
    meeting_id: uuid.UUID | None
    opens_at: datetime
    closes_at: datetime
    closes_on: date = Field(description="The London day by the end of which responses are due.")
    closing_rule: dict[str, Any] | None
    deemed_agreement: StrictBool
    reminder_days: list[int]
    board_ids: list[uuid.UUID]
    questions: list[QuestionOut]
    opened_by_id: uuid.UUID | None
    opened_at: datetime | None
    closed_at: datetime | None
    closed_by_id: uuid.UUID | None
    cancel_reason: str
    created_at: datetime
    updated_at: datetime


class ConsultationPage(BaseModel):
    items: list[Consultation]
    next_cursor: str | None


class Consultee(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: Literal["person", "external"]
    person_id: uuid.UUID | None
    name: str
    email: str
    represents: str
    via_board_id: uuid.UUID | None
    added_at: datetime
    invited_at: datetime | None
    link_version: int
    link_revoked_at: datetime | None
    has_responded: StrictBool = False


class ResponseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    position: Position
    comments: Comments = ""
    answers: dict[Key, Answer | None] = Field(default_factory=dict, max_length=50)


class RecordedResponse(ResponseBody):
    """A response that came by email or post, typed in by the author."""

    consultee_id: uuid.UUID


class Analysis(BaseModel):
    model_config = ConfigDict(extra="forbid")

    themes: list[Tag] | None = Field(None, max_length=20)
    handling: Handling | None = None
    handling_note: Comments | None = None
    addressed_in_version_id: uuid.UUID | None = Field(
        None, description="The later draft in which the comment was handled."
    )


class ConsultationResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    consultation_id: uuid.UUID
    consultee_id: uuid.UUID
    consultee_name: str
    position: RecordedPosition = Field(
        description="`deemed_agreement`: no response by the deadline (Birmingham), never chosen."
    )
    is_deemed_agreement: StrictBool
    comments: str
    answers: dict[str, Any]
    submitted_at: datetime
    is_late: StrictBool = Field(description="Received after the consultation closed.")
    amendments: int
    recorded_by_id: uuid.UUID | None
    themes: list[str]
    handling: Handling | None
    handling_note: str
    addressed_in_version_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class LinkView(BaseModel):
    """What an external consultee's link shows: this consultation and their own response."""

    consultation_id: uuid.UUID
    title: str
    description: str
    status: Status
    document_reference: str
    document_title: str
    version: str
    opens_at: datetime
    closes_at: datetime
    closes_on: date
    deemed_agreement: StrictBool
    questions: list[QuestionOut]
    consultee_name: str
    draft_path: str
    response: ConsultationResponse | None

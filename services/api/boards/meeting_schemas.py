"""Meetings over HTTP: the calendar, moving and cancelling, and the forward plan's items."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator

from services.api.boards.schemas import Location, SectionName
from services.api.types import IsoDate, IsoDateTime, LongText, text_field

Ask = Literal["decision", "review_approval", "information", "new_proposal"]
MeetingStatus = Literal["scheduled", "held", "cancelled"]
ItemStatus = Literal["planned", "decided", "withdrawn"]
Title = Annotated[str, text_field(300, 1)]
Reason = Annotated[str, text_field(1000, 1, multiline=True)]


class Generate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_on: IsoDate | None = Field(None, description="First day; default today (London).")
    months: Annotated[StrictInt, Field(ge=1, le=24)] = 12


class Deadlines(BaseModel):
    agenda: date | None
    papers: date | None
    consultation_opens: date | None
    consultation_responses: date | None


class Meeting(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    board_id: uuid.UUID
    board_name: str
    day: date = Field(description="The meeting's date in London.")
    starts_at: datetime
    ends_at: datetime
    location: str
    status: MeetingStatus
    occurrence_key: date | None = Field(
        description="The date the schedule gave; null for a meeting arranged ad hoc."
    )
    moved_from: datetime | None
    cancellation_reason: str | None
    papers_circulated_at: datetime | None
    chaired_by_id: uuid.UUID | None
    minutes_issued_at: datetime | None
    notes: str
    deadlines: Deadlines
    item_count: int
    created_at: datetime
    updated_at: datetime


class MeetingPage(BaseModel):
    items: list[Meeting]
    next_cursor: str | None


class MeetingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    board_id: uuid.UUID
    starts_at: IsoDateTime
    ends_at: IsoDateTime | None = None
    location: Location | None = None
    notes: LongText = ""


class MeetingUpdate(BaseModel):
    """Moving a meeting (a new `starts_at`) tells everyone with an item on it."""

    model_config = ConfigDict(extra="forbid")

    starts_at: IsoDateTime | None = None
    ends_at: IsoDateTime | None = None
    location: Location | None = None
    notes: LongText | None = None

    @model_validator(mode="after")
    def _not_null(self) -> MeetingUpdate:
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class MeetingCancellation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class CancelledMeeting(BaseModel):
    meeting: Meeting
    items_moved_to_meeting_id: uuid.UUID | None = Field(
        description="Where the meeting's planned items went: the board's next meeting."
    )


class Circulation(BaseModel):
    meeting: Meeting
    is_late: StrictBool = Field(description="Circulated after the board's papers deadline.")


class AgendaItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    board_id: uuid.UUID
    meeting_id: uuid.UUID | None = Field(
        None, description="The meeting asked for; default the board's next meeting."
    )
    document_id: uuid.UUID | None = None
    version_id: uuid.UUID | None = Field(
        None, description="The version put to the board; default the document's latest."
    )
    title: Title | None = Field(None, description="Default: the document's title.")
    ask: Ask
    section: SectionName | None = Field(None, description="Default: from what is asked.")
    presenter_id: uuid.UUID | None = None
    notes: LongText = ""
    accept_late: StrictBool = Field(
        False,
        description="The chair (or a vice-chair, or the policy team) takes the item at the "
        "meeting asked for although its agenda deadline has passed.",
    )


class AgendaItemUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    meeting_id: uuid.UUID | None = None
    version_id: uuid.UUID | None = None
    title: Title | None = None
    ask: Ask | None = None
    section: SectionName | None = None
    position: Annotated[StrictInt, Field(ge=0, le=10000)] | None = None
    presenter_id: uuid.UUID | None = None
    notes: LongText | None = None

    @model_validator(mode="after")
    def _not_null(self) -> AgendaItemUpdate:
        for name in ("meeting_id", "title", "ask", "section", "position", "notes"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class AgendaItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    board_id: uuid.UUID
    meeting_id: uuid.UUID
    requested_meeting_id: uuid.UUID
    document_id: uuid.UUID | None
    version_id: uuid.UUID | None
    title: str
    ask: Ask
    section: str
    position: int
    notes: str
    presenter_id: uuid.UUID | None
    submitted_by_id: uuid.UUID | None
    submitted_at: datetime
    is_late: StrictBool = Field(
        description="Submitted after the agenda deadline of the meeting asked."
    )
    late_accepted_by_id: uuid.UUID | None
    status: ItemStatus
    paper_url: str | None = None


class AgendaItemPage(BaseModel):
    items: list[AgendaItem]
    next_cursor: str | None


class AgendaSection(BaseModel):
    section: str
    items: list[AgendaItem]


class Agenda(BaseModel):
    meeting: Meeting
    sections: list[AgendaSection]


class ForwardPlanMeeting(BaseModel):
    meeting: Meeting
    items: list[AgendaItem]


class ForwardPlan(BaseModel):
    board_id: uuid.UUID
    meetings: list[ForwardPlanMeeting]

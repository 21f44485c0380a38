from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from services.api.types import IsoDate, IsoDateTime, LongText, Name, text_field
from services.domain.calendar.schedules import ScheduleError, validate_rule

MemberRole = Literal["chair", "vice_chair", "member"]
Ask = Literal["decision", "review_approval", "information", "new_proposal"]
MeetingStatus = Literal["scheduled", "held", "cancelled"]
ItemStatus = Literal["planned", "decided", "withdrawn"]
AttendanceStatus = Literal["present", "apologies", "delegate_attended", "absent"]
Outcome = Literal[
    "approved", "approved_with_conditions", "deferred", "rejected", "noted", "referred"
]
Method = Literal["consensus", "vote", "chair", "referral"]
ActionStatus = Literal["open", "done"]
Unit = Literal["working_days", "calendar_days", "weeks"]
NonWorkingDayRule = Literal["earlier", "later"]
HolidayMeetingRule = Literal["keep", "skip", "next_working_day", "previous_working_day"]

Label = Annotated[str, text_field(100, 1)]
SectionName = Annotated[str, text_field(80, 1, strip=False, pattern=r"^[a-z][a-z0-9_]*$")]
Title = Annotated[str, text_field(300, 1)]
Location = Annotated[str, text_field(300, strip=False)]
Reason = Annotated[str, text_field(1000, 1, multiline=True)]
Condition = Annotated[str, text_field(2000, 1, multiline=True)]
Votes = Annotated[StrictInt, Field(ge=0, le=1000)]


def _hh_mm(value: object) -> object:
    # A wall-clock time in London: "10:00". JSON Schema's "time" format needs an offset,
    # which a local time has not, so the schema says HH:MM instead.
    if isinstance(value, str) and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError("must be a time of day as HH:MM, e.g. 10:00")
    if not isinstance(value, str | time):
        raise ValueError("must be a time of day as HH:MM, e.g. 10:00")
    return value


LocalTime = Annotated[
    time,
    BeforeValidator(_hh_mm),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
            "description": "Local time in London, HH:MM.",
            "examples": ["10:00"],
        }
    ),
]


def _rule(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return validate_rule(value)
    except ScheduleError as exc:
        raise ValueError(str(exc)) from None


ScheduleRule = Annotated[
    str,
    text_field(500, 1, strip=False),
    AfterValidator(_rule),
    Field(
        description="An RFC 5545 recurrence rule, at most daily. Dorset PPP Group (second "
        "Tuesday, not August or December): "
        "`FREQ=MONTHLY;BYDAY=+2TU;BYMONTH=1,2,3,4,5,6,7,9,10,11`.",
        examples=["FREQ=MONTHLY;BYDAY=+2TU;BYMONTH=1,2,3,4,5,6,7,9,10,11"],
    ),
]


class Offset(BaseModel):
    """A deadline before a meeting: 10 working days, 3 calendar days, 2 weeks."""

    model_config = ConfigDict(extra="forbid")

    amount: Annotated[StrictInt, Field(ge=0, le=366)]
    unit: Unit


class DeadlineRules(BaseModel):
    """Deadlines counted back from each meeting (null: the board has no such deadline)."""

    model_config = ConfigDict(extra="forbid")

    agenda: Offset | None = Field(
        None, description="Agenda items and drafts due (Dorset: 10 working days before)."
    )
    papers: Offset | None = Field(
        None, description="Agenda and papers circulated by (Dorset: 3 working days before)."
    )
    consultation_opens: Offset | None = Field(
        None, description="Pre-meeting consultation opens (Birmingham: two weeks before)."
    )
    consultation_responses: Offset | None = Field(
        None, description="Consultation responses due (Birmingham: three days before)."
    )


class SeatRule(BaseModel):
    """A kind of seat with its own attendance rule (Dorset 7.2: two Heads of Service)."""

    model_config = ConfigDict(extra="forbid")

    seat: Label
    minimum: Annotated[StrictInt, Field(ge=0, le=100)] = 0
    delegates_count: StrictBool = Field(
        False, description="Whether a delegate in this seat counts towards the minimum."
    )
    exempt_from_escalation: StrictBool = Field(
        False,
        description="Members in this seat are not escalated for missing meetings (Dorset 7.3).",
    )


Sections = Annotated[list[SectionName], Field(min_length=1, max_length=20)]
SeatRules = Annotated[list[SeatRule], Field(max_length=30)]


class BoardSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: LongText = ""
    escalation_person_id: uuid.UUID | None = Field(
        None,
        description="Who is told when a member misses two meetings in a row without a "
        "delegate (Dorset: the Head of QA). Defaults to the organisation's escalation contact.",
    )
    quorum: Annotated[StrictInt, Field(ge=1, le=500)] | None = None
    seat_rules: SeatRules = []
    deadline_rules: DeadlineRules = DeadlineRules()
    non_working_day_rule: NonWorkingDayRule = Field(
        "earlier",
        description="Where a deadline in calendar days or weeks that lands on a weekend or "
        "bank holiday moves: to the working day before, or the one after.",
    )
    agenda_sections: Sections | None = Field(
        None,
        description="The standard agenda, in order. Default (Dorset): progress_report, "
        "new_proposals_and_drafts, reviews_of_existing_documents, horizon_scanning.",
    )
    schedule_rule: ScheduleRule | None = None
    schedule_starts_on: IsoDate | None = None
    # Given as the client would send it, so the documented default matches its own pattern.
    meeting_start_time: LocalTime = Field("10:00", validate_default=True)
    meeting_duration_minutes: Annotated[StrictInt, Field(ge=5, le=1440)] = 120
    default_location: Location = ""
    meetings_on_bank_holidays: HolidayMeetingRule = Field(
        "next_working_day",
        description="What happens to a scheduled meeting that falls on a bank holiday.",
    )


class MemberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: uuid.UUID
    role: MemberRole = "member"
    seat: Label | None = Field(None, description="One of the board's seat rules, if any.")
    delegate_id: uuid.UUID | None = Field(None, description="The member's standing delegate.")


class MemberUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: MemberRole = "member"
    seat: Label | None = None
    delegate_id: uuid.UUID | None = None


class BoardCreate(BoardSettings):
    name: Name
    members: Annotated[list[MemberCreate], Field(max_length=200)] = []


class BoardUpdate(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    purpose: LongText | None = None
    escalation_person_id: uuid.UUID | None = None
    quorum: Annotated[StrictInt, Field(ge=1, le=500)] | None = None
    seat_rules: SeatRules | None = None
    deadline_rules: DeadlineRules | None = None
    non_working_day_rule: NonWorkingDayRule | None = None
    agenda_sections: Sections | None = None
    schedule_rule: ScheduleRule | None = None
    schedule_starts_on: IsoDate | None = None
    meeting_start_time: LocalTime | None = None
    meeting_duration_minutes: Annotated[StrictInt, Field(ge=5, le=1440)] | None = None
    default_location: Location | None = None
    meetings_on_bank_holidays: HolidayMeetingRule | None = None
    is_active: StrictBool | None = None

    @model_validator(mode="after")
    def _required_not_null(self) -> BoardUpdate:
        for name in (
            "name",
            "purpose",
            "seat_rules",
            "deadline_rules",
            "non_working_day_rule",
            "agenda_sections",
            "meeting_start_time",
            "meeting_duration_minutes",
            "default_location",
            "meetings_on_bank_holidays",
            "is_active",
        ):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class Member(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    person_id: uuid.UUID
    role: MemberRole
    seat: str | None
    delegate_id: uuid.UUID | None
    missed_in_a_row: int = Field(
        0,
        description="Meetings missed in a row without a delegate, up to the last held one; "
        "two or more is flagged for escalation (Dorset 7.3).",
    )
    is_flagged_for_escalation: StrictBool = False


class Board(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    purpose: str
    escalation_person_id: uuid.UUID | None
    quorum: int | None
    seat_rules: list[SeatRule]
    deadline_rules: DeadlineRules
    non_working_day_rule: NonWorkingDayRule
    agenda_sections: list[str]
    schedule_rule: str | None
    schedule_starts_on: date | None
    meeting_start_time: LocalTime
    meeting_duration_minutes: int
    default_location: str
    meetings_on_bank_holidays: HolidayMeetingRule
    is_active: StrictBool
    members: list[Member] = []
    created_at: datetime
    updated_at: datetime


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


class BoardCalendarFeed(BaseModel):
    url: str = Field(
        description="Subscribe to this address in Outlook (Add calendar > From internet). "
        "Anyone with it can read the board's calendar: rotate the feed to revoke it."
    )


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_unset=True)

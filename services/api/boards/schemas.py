"""Boards over HTTP: their settings, seats, members and calendar feed (the meetings in
``meeting_schemas``, attendance, minutes and reports in ``minutes_schemas``)."""

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
    model_validator,
)

from services.api.types import IsoDate, LongText, Name, text_field
from services.domain.calendar.schedules import ScheduleError, validate_rule

MemberRole = Literal["chair", "vice_chair", "member"]
Unit = Literal["working_days", "calendar_days", "weeks"]
NonWorkingDayRule = Literal["earlier", "later"]
HolidayMeetingRule = Literal["keep", "skip", "next_working_day", "previous_working_day"]
Label = Annotated[str, text_field(100, 1)]
SectionName = Annotated[str, text_field(80, 1, strip=False, pattern=r"^[a-z][a-z0-9_]*$")]
Location = Annotated[str, text_field(300, strip=False)]


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


class BoardCalendarFeed(BaseModel):
    url: str = Field(
        description="Subscribe to this address in Outlook (Add calendar > From internet). "
        "Anyone with it can read the board's calendar: rotate the feed to revoke it."
    )


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_unset=True)

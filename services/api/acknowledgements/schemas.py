"""Read and acknowledge: a document's audience, asks and their people, confirming (signed in
or by link), compliance, and board members reading a meeting's papers (Dorset 7.4)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from services.api.types import IsoDate, text_field

TeamName = Annotated[str, text_field(200, 1)]
Message = Annotated[str, text_field(2000, multiline=True)]
Reason = Annotated[str, text_field(2000, 1, multiline=True)]
RequestStatus = Literal["open", "superseded", "cancelled"]
Status = Literal["pending", "confirmed", "cancelled"]
GroupBy = Literal["service_area", "job_title", "board"]
LIST_MAX = 200


class AcknowledgementAudienceBody(BaseModel):
    """Who is asked: any of these (people, the members of boards, everyone active in service
    areas or with job titles, whatever the case of their names)."""

    model_config = ConfigDict(extra="forbid")

    person_ids: list[uuid.UUID] = Field(default_factory=list, max_length=LIST_MAX)
    board_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    service_areas: list[TeamName] = Field(default_factory=list, max_length=LIST_MAX)
    job_titles: list[TeamName] = Field(default_factory=list, max_length=LIST_MAX)


class AcknowledgementAudienceSetting(AcknowledgementAudienceBody):
    """A document's standing audience, asked by itself at each issue of a new whole version."""

    due_working_days: int | None = Field(
        None,
        ge=1,
        le=60,
        description="Working days to confirm; null: the organisation's "
        "`acknowledgement_due_working_days`.",
    )
    ask_on_minor: StrictBool = Field(
        False,
        description="Ask again at minor versions too (the policy team says so in advance); "
        "otherwise only a new whole version asks by itself.",
    )


class AcknowledgementAudience(AcknowledgementAudienceSetting):
    document_id: uuid.UUID
    is_set: bool = Field(description="False when the document sets no audience (all empty).")
    updated_at: datetime | None


class AcknowledgementRequestCreate(BaseModel):
    """Ask people to read and acknowledge the version in force (the policy team): for a minor
    version, a new audience, or again."""

    model_config = ConfigDict(extra="forbid")

    version_id: uuid.UUID | None = Field(
        None, description="The version in force (the default); any other is refused."
    )
    audience: AcknowledgementAudienceBody | None = Field(
        None, description="Whom to ask; null: the document's standing audience."
    )
    due_on: IsoDate | None = Field(
        None,
        description="The date to confirm by (after today, within a year); null: the "
        "document's (else the organisation's) working days from today.",
    )
    message: Message = Field("", description="A note shown in the email: what changed.")


class AcknowledgementRequestCancel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class AcknowledgementCounts(BaseModel):
    asked: int
    confirmed: int
    pending: int
    overdue: int = Field(description="Pending with the due date passed.")
    percent: float | None = Field(description="Confirmed of asked, one decimal; null if none.")


class AcknowledgementRequest(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    version_number: str
    reason: Literal["issued", "asked"] = Field(
        description="`issued`: the issue of a whole version asked by itself; `asked`: the "
        "policy team asked."
    )
    status: RequestStatus
    audience: dict[str, list[str]]
    due_on: date
    message: str
    asked_by_id: uuid.UUID | None
    escalated_at: datetime | None = Field(description="When the owner was told who had not.")
    ended_at: datetime | None
    ended_by_id: uuid.UUID | None
    end_reason: str
    created_at: datetime
    counts: AcknowledgementCounts


class AcknowledgementRequestPage(BaseModel):
    items: list[AcknowledgementRequest]
    next_cursor: str | None


class PersonAcknowledgement(BaseModel):
    id: uuid.UUID
    person_id: uuid.UUID
    name: str
    email: str
    service_area: str | None = Field(description="As they were when asked.")
    job_title: str | None = Field(description="As they were when asked.")
    status: Status
    acknowledged_at: datetime | None
    via: Literal["api", "link"] | None
    reminders_sent: list[int] = Field(description="The reminder steps sent (working days).")
    escalated_at: datetime | None = Field(description="When their name went to the owner.")
    is_overdue: bool


class PersonAcknowledgementPage(BaseModel):
    items: list[PersonAcknowledgement]
    next_cursor: str | None


class AcknowledgementTeamTally(AcknowledgementCounts):
    team: str = Field(description="The team's name; `(none)` for people with none.")


class AcknowledgementCompliance(BaseModel):
    group_by: GroupBy
    request_id: uuid.UUID | None
    document_id: uuid.UUID | None
    total: AcknowledgementCounts
    teams: list[AcknowledgementTeamTally] = Field(description="Largest first.")


class AcknowledgementUptake(AcknowledgementCounts):
    """The uptake of the version in force (implementation monitoring)."""

    document_id: uuid.UUID
    version: str | None
    request_id: uuid.UUID | None
    due_on: date | None


class MyAcknowledgement(BaseModel):
    """One thing the caller is asked to read and acknowledge."""

    id: uuid.UUID
    request_id: uuid.UUID
    document_id: uuid.UUID
    reference: str
    title: str
    version: str
    due_on: date
    message: str
    status: Status
    acknowledged_at: datetime | None
    is_open: bool = Field(description="Still asked: a confirmation can be recorded.")


class MyAcknowledgementPage(BaseModel):
    items: list[MyAcknowledgement]
    next_cursor: str | None


class AcknowledgementLinkView(MyAcknowledgement):
    """What a person's emailed link opens (no account): their acknowledgement and the
    document it is of."""

    person_name: str
    document_path: str = Field(description="Where the version in force is read.")


class PapersReadOut(BaseModel):
    meeting_id: uuid.UUID
    person_id: uuid.UUID
    read_at: datetime


class PapersReadMember(BaseModel):
    person_id: uuid.UUID
    name: str
    role: str
    read_at: datetime | None
    delegate_id: uuid.UUID | None
    delegate_read_at: datetime | None
    has_read: bool = Field(description="The member, or their delegate, has read the papers.")


class MeetingPapersReadList(BaseModel):
    meeting_id: uuid.UUID
    starts_at: datetime
    papers_circulated_at: datetime | None
    read: int
    not_read: int
    members: list[PapersReadMember] = Field(description="Chair first, then by name.")

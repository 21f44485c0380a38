"""The consultation report over HTTP (mirrors ``services.domain.consultations.report``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.types import IsoDate, LongText

ReportKind = Literal["internal", "pre_meeting", "public"]
ReportStatus = Literal["scheduled", "open", "closed", "cancelled"]
ReportPosition = Literal["support", "support_with_comments", "object", "no_view"]
ReportHandling = Literal["accepted", "partly_accepted", "not_accepted", "no_change_needed"]


class _FromDomain(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ReportDocumentPerson(_FromDomain):
    role: Literal["owner", "responsible_officer", "author"]
    title: str = Field(description="The role as the organisation calls it (its words).")
    name: str


class ReportQuestion(_FromDomain):
    key: str
    text: str
    kind: Literal["text", "yes_no", "choice"]
    options: list[str]
    required: bool


class ReportAnswer(_FromDomain):
    key: str
    question: str = Field(description="The question's text.")
    value: str | bool


class ReportConsultee(_FromDomain):
    consultee_id: uuid.UUID
    kind: Literal["person", "external"]
    name: str
    email: str
    represents: str = Field(description="The body an external consultee speaks for.")
    via_board: str | None = Field(description="The board through which a person was asked.")


class ReportResponse(_FromDomain):
    response_id: uuid.UUID
    consultee: ReportConsultee
    position: ReportPosition
    comments: str
    answers: list[ReportAnswer] = Field(description="In the order of the response form.")
    submitted_at: datetime
    is_late: bool = Field(description="Received after the consultation closed.")
    amendments: int
    recorded_by: str | None = Field(
        description="Who typed it in on the consultee's behalf (a response by email or post)."
    )
    themes: list[str]
    handling: ReportHandling | None
    handling_note: str
    addressed_in_version: str | None = Field(
        description="The number of the later draft in which the comment was handled."
    )


class ReportDeemed(_FromDomain):
    """No response by the deadline, taken as agreement (Birmingham): not a response."""

    response_id: uuid.UUID
    consultee: ReportConsultee
    deemed_at: datetime


class ReportCounts(_FromDomain):
    consultees: int
    responded: int = Field(description="Real responses, late ones included.")
    late: int
    deemed: int = Field(description="Deemed agreement: no response by the deadline.")
    not_responded: int
    awaiting_handling: int = Field(
        description="Responses with comments whose handling is not recorded yet."
    )


class PositionCounts(_FromDomain):
    support: int
    support_with_comments: int
    object: int
    no_view: int
    deemed_agreement: int


class HandlingCounts(_FromDomain):
    accepted: int
    partly_accepted: int
    not_accepted: int
    no_change_needed: int


class ReportTheme(_FromDomain):
    theme: str
    responses: int
    by_position: dict[str, int] = Field(description="Positions of the responses raising it.")


class ReportQuestionAnalysis(_FromDomain):
    key: str
    text: str
    kind: Literal["text", "yes_no", "choice"]
    answered: int
    not_answered: int
    counts: dict[str, int] = Field(
        description="Per option of a choice question, `yes`/`no` of a yes-no question; "
        "empty for a text question."
    )


class ConsultationReport(_FromDomain):
    """Cafcass 4.7: the positions, the key themes and a record of every response received."""

    consultation_id: uuid.UUID
    title: str
    kind: ReportKind
    status: ReportStatus
    document_id: uuid.UUID
    document_reference: str
    document_title: str
    version_id: uuid.UUID
    version_number: str = Field(description="The draft consulted on.")
    document_people: list[ReportDocumentPerson] = Field(
        description="The document's owner, responsible officer and author, as named."
    )
    opened_at: datetime | None
    closes_at: datetime
    closes_on: date = Field(description="The London day by the end of which responses are due.")
    closed_at: datetime | None
    deemed_agreement: bool = Field(description="Silence by the deadline counts as agreement.")
    questions: list[ReportQuestion]
    counts: ReportCounts
    by_position: PositionCounts
    by_handling: HandlingCounts
    themes: list[ReportTheme] = Field(description="Most frequent first.")
    question_analysis: list[ReportQuestionAnalysis]
    responses: list[ReportResponse] = Field(description="Responses received, oldest first.")
    deemed: list[ReportDeemed]
    non_responders: list[ReportConsultee]
    generated_at: datetime


class ReportAgreementCreate(BaseModel):
    """Cafcass 4.7: the report agreed by the Policy Sponsor at CMT."""

    model_config = ConfigDict(extra="forbid")

    board_id: uuid.UUID = Field(description="The board it was agreed at (Cafcass: CMT).")
    meeting_id: uuid.UUID | None = Field(
        default=None, description="The meeting of that board, when it was at one (held)."
    )
    agreed_by_id: uuid.UUID | None = Field(
        default=None,
        description="Who agreed it; default: the document's owner (the Policy Sponsor).",
    )
    agreed_on: IsoDate | None = Field(
        default=None, description="Default: the meeting's day, else today; never in the future."
    )
    note: LongText = ""


class ReportAgreement(_FromDomain):
    id: uuid.UUID
    consultation_id: uuid.UUID
    agreed_by_id: uuid.UUID
    board_id: uuid.UUID
    meeting_id: uuid.UUID | None
    agreed_on: date
    note: str
    recorded_by_id: uuid.UUID | None
    recorded_at: datetime

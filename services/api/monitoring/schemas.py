"""Implementation monitoring (Cafcass 7.4, Dorset xi): actions, evidence, reports, tabling."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.types import IsoDate, text_field

MonitoringActionStatus = Literal["open", "done", "cancelled"]
Title = Annotated[str, text_field(300, 1)]
Description = Annotated[str, text_field(5000, multiline=True)]
Long = Annotated[str, text_field(5000, 1, multiline=True)]
Url = Annotated[str, text_field(2000, pattern=r"^https?://\S+$")]


class MonitoringActionCreate(BaseModel):
    """Something to do or check to know whether the document is followed (Cafcass 7.4: "monitor
    the rate of policy implementation [...] and identify any potential delays or issues";
    Dorset 1.1: "identify any practice changes required [...] ensuring our casework recording
    systems support any policy and guidance changes")."""

    model_config = ConfigDict(extra="forbid")

    title: Title = Field(description="e.g. 'Audit ten case files for the new risk assessment'.")
    description: Description = ""
    owner_id: uuid.UUID = Field(description="Who does it: an active person of the organisation.")
    due_on: IsoDate = Field(description="By when: today or later, within two years.")


class MonitoringActionUpdate(BaseModel):
    """An open action changed; a new owner or date emails the owner again."""

    model_config = ConfigDict(extra="forbid")

    # Send only what changes: null is refused (none of these may be emptied).
    title: Title = None  # type: ignore[assignment]
    description: Description = None  # type: ignore[assignment]
    owner_id: uuid.UUID = None  # type: ignore[assignment]
    due_on: IsoDate = None  # type: ignore[assignment]


class EvidenceCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Long = Field(description="What was seen: the audit's result, the training given...")
    url: Url | None = Field(
        None, description="Where the proof is kept (an intranet page, the OPC, an audit tool)."
    )


class MonitoringActionCompletion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Long = Field(description="What was found and what changed as a result.")


class MonitoringActionCancellation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Long


class Evidence(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: Literal["note", "link"]
    note: str
    url: str | None
    recorded_by_id: uuid.UUID | None
    recorded_at: datetime


class MonitoringAction(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    document_id: uuid.UUID
    issued_version: str | None = Field(description="The version in force when it was set.")
    title: str
    description: str
    owner_id: uuid.UUID
    due_on: date
    status: MonitoringActionStatus
    is_overdue: bool = Field(description="Open after its due date (Europe/London).")
    outcome: str = Field(description="Done: what was found; cancelled: why.")
    created_by_id: uuid.UUID | None
    closed_by_id: uuid.UUID | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    evidence: list[Evidence] = Field(description="Oldest first, at most 50.")


class MonitoringActionPage(BaseModel):
    items: list[MonitoringAction]
    next_cursor: str | None


class DocumentMonitoringActions(BaseModel):
    document_id: uuid.UUID
    reference: str
    title: str
    items: list[MonitoringAction] = Field(description="Every status, soonest due first.")


class ReportTabling(BaseModel):
    """Put the report on a board meeting's agenda, for information."""

    model_config = ConfigDict(extra="forbid")

    board_id: uuid.UUID
    meeting_id: uuid.UUID | None = Field(
        None, description="Default: the board's next meeting whose agenda is still open."
    )
    notes: Description = Field("", description="Added before the report's summary.")


class Counts(BaseModel):
    open: int
    overdue: int = Field(description="Open after their due date.")
    done: int
    cancelled: int


class ReportAction(BaseModel):
    id: uuid.UUID
    document_id: uuid.UUID
    document_reference: str | None = Field(None, description="In the organisation's report.")
    title: str
    owner_id: uuid.UUID
    owner_name: str
    due_on: date
    status: MonitoringActionStatus
    is_overdue: bool
    outcome: str
    closed_on: date | None
    evidence_count: int
    issued_version: str | None


class Uptake(BaseModel):
    """Acknowledgement uptake of the version in force (issue 19 item 1)."""

    version: str | None
    due_on: date | None
    asked: int
    confirmed: int
    pending: int
    overdue: int
    percent: float | None


class ReportDocument(BaseModel):
    id: uuid.UUID
    reference: str
    title: str
    status: str
    issued_version: str | None
    owner_id: uuid.UUID | None
    owner_name: str
    next_review_due: date | None


class ReportDisApplication(BaseModel):
    id: uuid.UUID
    section: str
    applies_to: str
    starts_on: date
    ends_on: date


class ReportRequest(BaseModel):
    id: uuid.UUID
    title: str
    kind: str
    made_on: date
    triage_due_on: date


class ReportDocumentRow(BaseModel):
    document: ReportDocument
    counts: Counts
    uptake: Uptake | None = Field(description="Null: not measured.")
    dis_applications_in_force: int
    open_requests: int


class ImplementationReport(BaseModel):
    """A report, live or as it was tabled: a document's (``scope`` document: its actions,
    uptake, dis-applications in force, open requests) or the organisation's (``scope``
    organisation: one row per document in force with anything to report, and every overdue
    action)."""

    scope: Literal["document", "organisation"]
    as_of: date
    generated_at: datetime
    counts: Counts
    document: ReportDocument | None = None
    actions: list[ReportAction] | None = None
    uptake: Uptake | None = Field(
        None, description="Acknowledgement uptake of the version in force; null: not measured."
    )
    dis_applications_in_force: list[ReportDisApplication] | None = None
    open_requests: list[ReportRequest] | None = None
    documents: list[ReportDocumentRow] | None = None
    overdue_actions: list[ReportAction] | None = None
    truncated: bool | None = Field(None, description="More documents than the report lists.")


class TabledRef(BaseModel):
    implementation_report_id: uuid.UUID
    path: str
    board_id: uuid.UUID
    meeting_id: uuid.UUID
    tabled_at: datetime


class ReviewFindings(BaseModel):
    """What a review takes up from monitoring (Cafcass 8.1). Open actions are carried into the
    review (``open_actions_policy``), never blocking its completion."""

    as_of: date
    counts: Counts
    open_actions: list[ReportAction]
    overdue_actions: list[ReportAction]
    outcomes: list[ReportAction] = Field(description="Actions done, with their outcomes.")
    uptake: Uptake | None = Field(description="Null: not measured.")
    dis_applications_in_force: list[ReportDisApplication]
    open_requests: list[ReportRequest]
    last_reported: TabledRef | None = Field(description="The last report tabled to a board.")
    open_actions_policy: Literal["carried_into_review"]


class TabledReport(BaseModel):
    id: uuid.UUID
    document_id: uuid.UUID | None
    board_id: uuid.UUID
    meeting_id: uuid.UUID
    agenda_item_id: uuid.UUID
    tabled_by_id: uuid.UUID | None
    tabled_at: datetime
    report: ImplementationReport

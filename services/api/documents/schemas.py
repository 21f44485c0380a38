from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    UrlConstraints,
)

from services.api.types import (
    IsoDate,
    LongText,
    ShortText,
    Tag,
    fits_column,
    text_field,
)

Status = Literal[
    "draft",
    "in_consultation",
    "awaiting_approval",
    "approved",
    "published",
    "under_review",
    "superseded",
    "retired",
]
LinkKind = Literal["governs", "implements", "form_for", "supersedes", "relates_to"]
Reference = Annotated[
    str,
    text_field(40, 1, strip=False, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"),
]
Title = Annotated[
    str,
    text_field(300, 1),
]
KindKey = Annotated[str, text_field(40, 1, strip=False, pattern=r"^[a-z0-9_]+$")]
Tags = Annotated[list[Tag], Field(max_length=50)]
# Strict: a JSON body says 12, not "12" or 12.0 (the schema says integer).
Interval = Annotated[StrictInt, Field(ge=1, le=120, description="Months between reviews.")]
TRIX_URL_MAX = 2000  # the column's length


TrixUrl = Annotated[
    AnyHttpUrl,
    UrlConstraints(max_length=TRIX_URL_MAX),
    fits_column(TRIX_URL_MAX),
    Field(description="The chapter on the Tri.x procedures manual."),
]

Category = Annotated[str, text_field(80, 1)]
ApprovedBy = Annotated[str, text_field(200, 1)]


class _DocumentFields(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DocumentCreate(_DocumentFields):
    reference: Reference = Field(examples=["PROC-014"])
    title: Title
    summary: LongText = ""
    kind: KindKey = Field(examples=["procedure"])
    service_area: ShortText | None = None
    category: Category | None = Field(
        None,
        description="Chooses the sign-off route with the kind (Birmingham's matrix: "
        "overarching, practice_area, single_service, trix_chapter).",
    )
    owner_id: uuid.UUID | None = Field(None, description="The RSM / policy sponsor.")
    responsible_officer_id: uuid.UUID | None = Field(
        None, description="The RO; when empty the owner stands in (NCT)."
    )
    author_id: uuid.UUID | None = None
    status: Status = "draft"
    review_interval_months: Interval | None = None
    next_review_due: IsoDate | None = None
    tags: Tags = Field(default_factory=list)
    trix_url: TrixUrl | None = None


class DocumentUpdate(_DocumentFields):
    """Send only the fields to change."""

    reference: Reference = None  # type: ignore[assignment]
    title: Title = None  # type: ignore[assignment]
    summary: LongText = None  # type: ignore[assignment]
    kind: KindKey = None  # type: ignore[assignment]
    service_area: ShortText | None = None
    category: Category | None = None
    owner_id: uuid.UUID | None = None
    responsible_officer_id: uuid.UUID | None = None
    author_id: uuid.UUID | None = None
    status: Status = None  # type: ignore[assignment]
    review_interval_months: Interval | None = None
    next_review_due: IsoDate | None = None
    tags: Tags = None  # type: ignore[assignment]
    trix_url: TrixUrl | None = None
    approved_by: ApprovedBy | None = None
    approved_on: IsoDate | None = None
    forms_aligned_on: IsoDate | None = Field(
        None,
        description="The day the PPP Group confirmed the forms for this document are aligned "
        "with the version in force (Dorset, Forms).",
    )
    forms_aligned_by: ApprovedBy | None = None


class Document(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    reference: str
    title: str
    summary: str
    kind: str
    service_area: str | None
    category: str | None
    owner_id: uuid.UUID | None
    responsible_officer_id: uuid.UUID | None
    acting_responsible_officer_id: uuid.UUID | None = Field(
        description="The named RO, or the owner (RSM) standing in when none is named."
    )
    author_id: uuid.UUID | None
    status: Status
    review_interval_months: int | None
    next_review_due: date | None
    last_reviewed_on: date | None = Field(
        description="The day its last review was completed (or the date an imported tracker gave)."
    )
    tags: list[str]
    trix_url: str | None
    approved_by: str | None = Field(
        description="Who approved the version in force (Dorset 4.5: the PPP Group, a Director, "
        "a Head of Service on interim approval): the deciding stage at issue, or as given."
    )
    approved_on: date | None = Field(description="The day the version in force was approved.")
    governing_reference: str | None = Field(
        None,
        description="The reference of the document that governs this one (a `governs` link); "
        "the first by reference when several do.",
    )
    forms_aligned_on: date | None = Field(
        description="The day the PPP Group confirmed this document's forms are aligned."
    )
    forms_aligned_by: str | None
    forms_aligned: bool | None = Field(
        None,
        description="Its forms (documents linked `form_for` to it) are aligned: confirmed on or "
        "after approved_on. False again after a new issue until confirmed; null without forms.",
    )
    issued_version: str | None = Field(
        description="Number of the current issued version, e.g. 1.0."
    )
    latest_version: str | None = Field(
        description="Number of the newest version, drafts included: shown only to those who may "
        "see drafts; others see the issued version here."
    )
    created_at: datetime
    updated_at: datetime


class DocumentPage(BaseModel):
    items: list[Document]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class Version(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    document_id: uuid.UUID
    number: str = Field(examples=["0.2", "1.0"])
    is_issued: StrictBool
    change_summary: str
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    uploaded_by_id: uuid.UUID | None
    created_at: datetime
    issued_on: date | None
    superseded_on: date | None = Field(
        default=None, description="An issued version: when a later issue replaced it."
    )
    withdrawn_at: datetime | None = Field(
        default=None,
        description="An issued version taken out of force with no successor: its "
        "ratification was refused (Dorset 4.5.2).",
    )
    withdrawn_reason: str | None = None
    tracked_insertions: int | None = Field(
        default=None,
        description="A Word draft: how many tracked insertions it has (NCT 4.1 v: Tri.x "
        "publishes amendments only with their changes tracked). Null for other files.",
    )
    tracked_deletions: int | None = Field(
        default=None, description="A Word draft: how many tracked deletions it has."
    )


class Change(BaseModel):
    kind: Literal["added", "removed", "changed"]
    before: str | None
    after: str | None
    before_line: int | None
    after_line: int | None


class DiffSummary(BaseModel):
    added: int
    removed: int
    changed: int


class VersionDiff(BaseModel):
    document_id: uuid.UUID
    from_version: str
    to_version: str
    summary: DiffSummary
    changes: list[Change]


class LinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_id: uuid.UUID
    kind: LinkKind


class LinkedDocument(BaseModel):
    id: uuid.UUID
    reference: str
    title: str
    kind: str
    status: str


class Link(BaseModel):
    id: uuid.UUID
    kind: LinkKind
    direction: Literal["outgoing", "incoming"] = Field(
        description="outgoing: this document is the source (e.g. it governs the other)."
    )
    source_id: uuid.UUID
    target_id: uuid.UUID
    other: LinkedDocument
    created_at: datetime


class DocumentKind(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    key: str
    label: str
    requires_owner: StrictBool
    default_review_interval_months: int | None
    is_active: StrictBool


class KindTemplate(BaseModel):
    """A kind's template (Dorset aim v): its file, guidelines and required headings."""

    model_config = ConfigDict(from_attributes=True)

    kind_id: uuid.UUID
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    guidelines: str
    required_headings: list[str] = Field(
        description="Every draft of the kind has these headings (the template_followed gate)."
    )
    uploaded_by_id: uuid.UUID | None
    uploaded_at: datetime


class DocumentKindCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: KindKey
    label: Annotated[str, text_field(100, 1, strip=False)]
    requires_owner: StrictBool = False
    default_review_interval_months: Interval | None = None


class DocumentKindUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Annotated[str, text_field(100, 1, strip=False)] = None  # type: ignore[assignment]
    requires_owner: StrictBool = None  # type: ignore[assignment]
    default_review_interval_months: Interval | None = None
    is_active: StrictBool = None  # type: ignore[assignment]


class TimelineEntry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime = Field(description="When it happened (UTC).")
    type: str = Field(
        examples=[
            "version.added",
            "consultation.response",
            "sign_off.decision",
            "publication.done",
            "review.no_change_stated",
            "notification.email",
        ]
    )
    summary: str = Field(description="One readable sentence.")
    actor_id: uuid.UUID | None
    actor_name: str | None = Field(
        description="The person's name, or the API key's label when no person acted."
    )
    refs: dict[str, uuid.UUID] = Field(
        description="Ids of what the entry is about: version_id, sign_off_id, stage_id, "
        "decision_id, meeting_id, publication_id, consultation_id, response_id, review_id, "
        "update_cycle_item_id, notification_id, audit_record_id, ..."
    )
    details: dict[str, Any] = Field(
        description="The facts in structured form: outcome, conditions, method, trix_url, ..."
    )
    superseded_by: uuid.UUID | None = Field(
        None, description="For a decision later corrected: the decision that superseded it."
    )


class Timeline(BaseModel):
    document_id: uuid.UUID
    reference: str
    title: str
    entries: list[TimelineEntry]

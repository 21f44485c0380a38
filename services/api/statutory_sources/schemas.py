"""Shapes of statutory sources, their linked documents, their changes and impact reports."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, UrlConstraints, model_validator

from services.api.types import IsoDate, fits_column, text_field

SourceKind = Literal["act", "statutory_guidance", "inspection_framework", "other"]
ImpactOutcome = Literal["review_opened", "already_under_review", "being_amended", "not_in_force"]
Title = Annotated[str, text_field(300, 1)]
Publisher = Annotated[str, text_field(200)]
Reason = Annotated[str, text_field(2000, multiline=True)]
Summary = Annotated[str, text_field(4000, 1, multiline=True)]
Url = Annotated[
    AnyHttpUrl,
    UrlConstraints(max_length=2000),
    fits_column(2000),
    Field(
        examples=[
            "https://www.gov.uk/government/publications/working-together-to-safeguard-children--2"
        ]
    ),
]


class StatutorySourceCreate(BaseModel):
    """An Act, statutory guidance or inspection framework documents depend on."""

    model_config = ConfigDict(extra="forbid")

    title: Title = Field(examples=["Working Together to Safeguard Children 2023"])
    kind: SourceKind
    url: Url = Field(description="Where the source is published.")
    publisher: Publisher = Field("", examples=["Department for Education"])
    feed_url: Url | None = Field(
        None,
        description="An Atom feed of its changes (GOV.UK: the page's address with `.atom`), "
        "read daily; entries from before it was named are history, not changes.",
    )


class StatutorySourceUpdate(BaseModel):
    """A change to a source's details (If-Match); `feed_url` null stops the daily poll."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    kind: SourceKind | None = None
    url: Url | None = None
    publisher: Publisher | None = None
    feed_url: Url | None = None

    @model_validator(mode="after")
    def _required_not_null(self) -> StatutorySourceUpdate:
        # Only the feed may be taken away; a source always has a title, kind, address and
        # publisher (an empty publisher is "").
        for name in ("title", "kind", "url", "publisher"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class StatutorySource(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    kind: SourceKind
    publisher: str
    url: str
    feed_url: str | None
    feed_since: datetime | None = Field(description="When the feed was named.")
    feed_checked_at: datetime | None = Field(description="When the feed was last polled.")
    feed_error: str = Field(description="Why the last poll failed; empty when it was read.")
    feed_failures: int = Field(description="Polls failed in a row.")
    created_at: datetime
    updated_at: datetime


class StatutorySourcePage(BaseModel):
    items: list[StatutorySource]
    next_cursor: str | None


class SourceLinkCreate(BaseModel):
    """A document of your organisation depends on the source."""

    model_config = ConfigDict(extra="forbid")

    document_id: uuid.UUID
    reason: Reason = Field("", description="What in the document rests on the source.")


class SourceDocument(BaseModel):
    document_id: uuid.UUID
    reference: str
    title: str
    status: str
    reason: str
    linked_by_id: uuid.UUID | None
    created_at: datetime


class SourceDocumentPage(BaseModel):
    items: list[SourceDocument]
    next_cursor: str | None


class ChangeCreate(BaseModel):
    """A change to the source: opens an unscheduled review of every linked document in force."""

    model_config = ConfigDict(extra="forbid")

    summary: Summary = Field(examples=["Chapter 3 revised: multi-agency child protection."])
    effective_on: IsoDate | None = Field(None, description="When the change takes effect.")
    link: Url | None = Field(None, description="Where the change was announced.")


class ImpactCounts(BaseModel):
    review_opened: int
    already_under_review: int
    being_amended: int
    not_in_force: int
    documents: int


class SourceChange(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    source_id: uuid.UUID
    summary: str
    effective_on: date | None
    origin: Literal["api", "feed"] = Field(description="Recorded by a person, or from the feed.")
    feed_entry_id: str | None = Field(description="The Atom entry's id, for a feed change.")
    feed_entry_link: str | None
    recorded_by_id: uuid.UUID | None
    created_at: datetime


class SourceChangePage(BaseModel):
    items: list[SourceChange]
    next_cursor: str | None


class ImpactDocument(BaseModel):
    document_id: uuid.UUID
    reference: str
    title: str
    document_status: str = Field(description="The document's status when the change came.")
    outcome: ImpactOutcome
    review_id: uuid.UUID | None = Field(
        description="The review opened, or the open review the change was attached to."
    )
    owner_id: uuid.UUID | None
    owner_name: str | None
    responsible_officer_id: uuid.UUID | None
    responsible_officer_name: str | None


class ImpactReport(BaseModel):
    source: StatutorySource
    change: SourceChange
    counts: ImpactCounts
    documents: list[ImpactDocument]


class FeedCheck(BaseModel):
    source: StatutorySource
    entries: int = Field(description="Entries read from the feed.")
    changes: list[SourceChange] = Field(description="The changes recorded from new entries.")

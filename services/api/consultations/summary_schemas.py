""" "You said, we did" over HTTP (mirrors ``services.domain.consultations.summaries`` and
``summary_view``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.consultations.report_schemas import ReportTheme
from services.api.types import Tag, text_field

Outcome = Literal["changed", "partly_changed", "not_changed"]
ChangeKey = Annotated[str, text_field(8, 2, pattern=r"^[pr][1-9][0-9]{0,5}$")]
SummaryText = Annotated[str, text_field(3000, multiline=True, strip=False)]


class SummaryThemeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    theme: Tag = Field(description="The theme, as the analysis named it or reworded.")
    said: SummaryText = Field(
        description="What was said, in the policy team's words: no consultee's name, email "
        "address or 12 words in a row from a response (they were not asked to be quoted)."
    )
    outcome: Outcome
    did: SummaryText = Field("", description="What we did, and why (or why not).")
    changes: list[ChangeKey] = Field(
        default_factory=list,
        max_length=30,
        description="Keys of the diff's changes this theme led to (`p12`: paragraph 12 of "
        "the new version; `r3`: paragraph 3 of the consulted draft, removed).",
    )


class SummaryDraftIn(BaseModel):
    """The whole draft; PUT replaces it."""

    model_config = ConfigDict(extra="forbid")

    introduction: SummaryText = ""
    themes: list[SummaryThemeIn] = Field(default_factory=list, max_length=40)


class SummaryTheme(BaseModel):
    theme: str
    said: str
    outcome: Outcome
    did: str
    changes: list[str]


class SummaryChange(BaseModel):
    key: str = Field(description="What a theme's `changes` names.")
    kind: Literal["added", "removed", "changed"]
    before: str | None
    after: str | None


class ConsultationSummary(BaseModel):
    """The summary as the policy team edits it."""

    consultation_id: uuid.UUID
    summary_id: uuid.UUID | None = Field(description="Null until a draft is saved.")
    status: Literal["none", "draft", "published"]
    is_prefilled: bool = Field(
        description="Not saved yet: the themes are prefilled from the analysis (counts only)."
    )
    missing_at_issue: bool = Field(
        description="The document was issued with no summary to send: nothing was sent; "
        "publishing it now sends it."
    )
    introduction: str
    themes: list[SummaryTheme]
    analysis: list[ReportTheme] = Field(description="The themes of the responses, with counts.")
    changes: list[SummaryChange] = Field(
        description="The changes a theme may link to: from the consulted draft to the latest "
        "version (once published, to the compared version, frozen)."
    )
    changes_total: int
    published_at: datetime | None
    sent_at: datetime | None = Field(description="When the consultees were sent the link.")
    public_path: str | None = Field(description="The public page, once published.")


class PublicTheme(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    theme: str
    said: str
    outcome: Outcome
    outcome_words: str
    did: str
    changes: list[str]


class PublicChange(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    kind: Literal["added", "removed", "changed"]
    before: str | None
    after: str | None


class PublishedSummary(BaseModel):
    """What the public page and the PDF show."""

    model_config = ConfigDict(from_attributes=True)

    summary_id: uuid.UUID
    consultation_id: uuid.UUID
    organisation_name: str
    consultation_title: str
    document_reference: str
    document_title: str
    consulted_version: str
    issued_version: str
    published_at: datetime
    introduction: str
    themes: list[PublicTheme]
    changes: list[PublicChange]
    changes_total: int

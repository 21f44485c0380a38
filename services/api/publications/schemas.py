"""The Trix publication queue as the upload scripts see it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.documents.schemas import TrixUrl
from services.api.types import LongText

Action = Literal["upload", "remove"]
PublicationStatus = Literal["pending", "done", "cancelled"]


class Publication(BaseModel):
    id: uuid.UUID
    document_id: uuid.UUID
    reference: str
    title: str
    version_id: uuid.UUID | None
    version_number: str | None = Field(examples=["1.0"])
    issued_on: date | None
    effective_on: date | None
    action: Action = Field(
        description="upload: publish the issued version; remove: take the document off Trix."
    )
    reason: str = Field(examples=["issued", "retired", "superseded", "reinstated", "withdrawn"])
    status: PublicationStatus = Field(
        description="pending: to do; done: reported done; cancelled: must not be done (the "
        "version was superseded or withdrawn before it was uploaded)."
    )
    trix_url: str | None = Field(
        description="The Trix page: where the version was published, or the page to remove."
    )
    created_at: datetime
    completed_at: datetime | None
    completed_by_id: uuid.UUID | None
    completed_by_label: str | None
    cancelled_at: datetime | None
    cancelled_reason: str | None = Field(examples=["Superseded by version 2.0."])
    file_url: str | None = Field(
        description="The absolute address to download the version's file from, with the same "
        "API key (built from the `POLICYGOV_PUBLIC_URL` setting when set).",
        examples=[
            "https://intranet.example.org/policygov/v1/documents/"
            "0b9e3c52-8d0c-4a8e-9a3e-3f4f0d6c1a11/versions/5f1d2a90-7c3e-4b0e-8f6a-2d9c1e4b7a22/file"
        ],
    )


class PublicationPage(BaseModel):
    items: list[Publication]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class Uploaded(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trix_url: TrixUrl


class Removed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: LongText = ""

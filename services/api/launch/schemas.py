"""Launch and cascade: communication plans, digest subscriptions, the digest preview and the
news feed (LBBD 10, Birmingham 11, Cafcass 4.15 and 7.1, Dorset 5.2)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.api.types import IsoDate, text_field

Channel = Literal[
    "email", "intranet_news", "trix_news", "newsletter", "team_meetings", "hub_page", "other"
]
Audience = Annotated[str, text_field(500, 1)]
ChannelName = Annotated[str, text_field(100)]
Note = Annotated[str, text_field(5000, multiline=True)]
ServiceArea = Annotated[str, text_field(200, 1)]
KindKey = Annotated[str, text_field(40, 1)]
_CHANNEL = (
    "email, intranet_news, trix_news (Birmingham: the 'news' section of Trix), newsletter "
    "(name it in `channel_name`: Channel C, the ASC newsletter, the Quality Assurance "
    "Newsletter), team_meetings (LBBD 10), hub_page (Dorset: the Children's Services Hub), "
    "other (name it)."
)


class CommunicationPlanItemCreate(BaseModel):
    """One line of an issue's communication plan."""

    model_config = ConfigDict(extra="forbid")

    audience: Audience = Field(description="Who is told, in words: 'Regional Directors'.")
    channel: Channel = Field(description=_CHANNEL)
    channel_name: ChannelName = ""
    planned_on: IsoDate = Field(description="The London day it is planned for.")
    service_areas: list[ServiceArea] = Field(default_factory=list, max_length=20)
    board_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)
    owner_id: uuid.UUID | None = Field(
        None, description="Who sends it (reminded once if its day passes unsent); you if left out."
    )
    note: Note = ""


class CommunicationPlanItemUpdate(BaseModel):
    """Change an item not yet sent (send only what changes)."""

    model_config = ConfigDict(extra="forbid")

    audience: Audience = None  # type: ignore[assignment]
    channel: Channel = None  # type: ignore[assignment]
    channel_name: ChannelName = None  # type: ignore[assignment]
    planned_on: IsoDate = None  # type: ignore[assignment]
    service_areas: list[ServiceArea] = Field(None, max_length=20)  # type: ignore[arg-type]
    board_ids: list[uuid.UUID] = Field(None, max_length=20)  # type: ignore[arg-type]
    owner_id: uuid.UUID = None  # type: ignore[assignment]
    note: Note = None  # type: ignore[assignment]


class CommunicationPlanItemSent(BaseModel):
    """It went: the London day (today if left out) and a note."""

    model_config = ConfigDict(extra="forbid")

    sent_on: IsoDate | None = None
    note: Note = ""


class CommunicationPlanItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    drafted_for_version_id: uuid.UUID | None
    audience: str
    service_areas: list[str]
    board_ids: list[uuid.UUID]
    channel: Channel
    channel_name: str
    planned_on: date
    owner_id: uuid.UUID
    created_by_id: uuid.UUID | None
    note: str
    sent_at: datetime | None
    sent_on: date | None
    sent_by_id: uuid.UUID | None
    sent_note: str
    is_overdue: bool = Field(description="Its day has passed and it is not marked sent.")
    created_at: datetime
    updated_at: datetime


class CommunicationPlan(BaseModel):
    """A version's plan, soonest first (at most 50 items: not paged)."""

    document_id: uuid.UUID
    reference: str
    version_id: uuid.UUID
    version: str
    items: list[CommunicationPlanItem]
    sent: int
    overdue: int


class DigestSubscriptionSet(BaseModel):
    """What the digest lists: these service areas and/or kinds of document; neither, all."""

    model_config = ConfigDict(extra="forbid")

    service_areas: list[ServiceArea] = Field(default_factory=list, max_length=20)
    kinds: list[KindKey] = Field(default_factory=list, max_length=20)


class DigestSubscription(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    person_id: uuid.UUID
    service_areas: list[str]
    kinds: list[str]
    created_at: datetime
    updated_at: datetime


class DigestSubscriptionPage(BaseModel):
    items: list[DigestSubscription]
    next_cursor: str | None


class Announcement(BaseModel):
    """A document issued (first issue), changed (a later issue, or an issue withdrawn) or
    retired, as it read then."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID | None
    change: Literal["issued", "changed", "retired"]
    happened_at: datetime
    reference: str
    title: str
    kind: str
    service_area: str | None
    number: str | None
    summary: str


class AnnouncementPage(BaseModel):
    items: list[Announcement]
    next_cursor: str | None


class DigestPreview(BaseModel):
    """What a digest lists: the period, and its entries (an email would list the first 50)."""

    frequency: Literal["weekly", "monthly", "off"]
    period_key: str | None
    starts_on: date | None
    ends_on: date | None
    sent_on: date | None = Field(description="The day its digest is (or was) sent.")
    person_id: uuid.UUID | None
    would_send: bool = Field(description="False when there is nothing to say: no email.")
    entries: list[Announcement]


class NewsFeed(BaseModel):
    """The Atom feed's address: its token is the credential, no API key needed."""

    url: str

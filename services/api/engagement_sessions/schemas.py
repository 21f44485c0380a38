"""Engagement sessions (LBBD 4 co-production workshops, NCT 4.1 review sessions)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from services.api.types import IsoDate, text_field

SessionKind = Literal["workshop", "co_production", "review_session", "other"]
SessionStatus = Literal["planned", "held", "cancelled"]
Title = Annotated[str, text_field(200, 1)]
Name = Annotated[str, text_field(200, 1)]
OrganisationName = Annotated[str, text_field(200)]
ActionText = Annotated[str, text_field(2000, 1, multiline=True)]
Notes = Annotated[str, text_field(50000, multiline=True)]


class Attendee(BaseModel):
    """A person of the organisation (`person_id`), or someone from outside it by `name` with
    their `organisation` (a resident, a partner agency)."""

    model_config = ConfigDict(extra="forbid")

    person_id: uuid.UUID | None = None
    name: Name | None = None
    organisation: OrganisationName | None = None


class SessionAction(BaseModel):
    """What the session agreed someone does, by when, and whether it is done."""

    model_config = ConfigDict(extra="forbid")

    text: ActionText
    owner_id: uuid.UUID | None = None
    due_on: IsoDate | None = None
    done: StrictBool = False


class EngagementSessionCreate(BaseModel):
    """Plan a workshop or review session on a document, or record one already held."""

    model_config = ConfigDict(extra="forbid")

    kind: SessionKind = Field(
        description="workshop or co_production (LBBD 4), review_session (NCT 4.1), other."
    )
    title: Title
    held_on: IsoDate = Field(description="The London day it takes (or took) place.")
    version_id: uuid.UUID | None = Field(None, description="The draft it shaped or reviewed.")
    facilitator_id: uuid.UUID | None = None
    attendees: list[Attendee] = Field(default_factory=list, max_length=200)
    notes: Notes = ""
    actions: list[SessionAction] = Field(default_factory=list, max_length=100)
    status: Literal["planned", "held"] = Field(
        "planned", description="held: it took place (on or before today), notes recorded."
    )


class EngagementSessionUpdate(BaseModel):
    """Change a session (send only what changes), or record it `held` or `cancelled`."""

    model_config = ConfigDict(extra="forbid")

    title: Title = None  # type: ignore[assignment]
    held_on: IsoDate = None  # type: ignore[assignment]
    version_id: uuid.UUID | None = None
    facilitator_id: uuid.UUID | None = None
    attendees: list[Attendee] = Field(None, max_length=200)  # type: ignore[arg-type]
    notes: Notes = None  # type: ignore[assignment]
    actions: list[SessionAction] = Field(None, max_length=100)  # type: ignore[arg-type]
    status: SessionStatus = None  # type: ignore[assignment]


class AttendeeOut(BaseModel):
    person_id: uuid.UUID | None = None
    name: str | None = None
    organisation: str | None = None


class SessionActionOut(BaseModel):
    text: str
    owner_id: uuid.UUID | None
    due_on: date | None
    done: bool


class EngagementSession(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID | None
    kind: SessionKind
    title: str
    held_on: date
    status: SessionStatus
    facilitator_id: uuid.UUID | None
    attendees: list[AttendeeOut]
    notes: str
    actions: list[SessionActionOut]
    recorded_by_id: uuid.UUID | None
    held_at: datetime | None
    cancelled_at: datetime | None
    created_at: datetime


class EngagementSessionPage(BaseModel):
    items: list[EngagementSession]
    next_cursor: str | None

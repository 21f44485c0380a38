"""Schemas of governance routes and posts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from services.api.types import Name, text_field
from services.domain.governance.definition import KEY, RouteDefinition
from services.domain.governance.ladders import Rung

RouteKey = Annotated[str, text_field(60, strip=False, pattern=KEY)]
KindKey = Annotated[str, text_field(40, 1, strip=False)]
Category = Annotated[str, text_field(80, 1)]
ServiceArea = Annotated[str, text_field(200, 1)]


class RouteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: RouteKey = Field(description="A short key, e.g. `ppp_group`.")
    name: Name
    description: Annotated[str, text_field(2000, multiline=True)] = ""
    kinds: list[KindKey] = Field(
        default_factory=list, max_length=20, description="Document kinds it is for; empty: any."
    )
    categories: list[Category] = Field(
        default_factory=list,
        max_length=20,
        description="Document categories it is for (Birmingham's matrix); empty: any.",
    )
    is_alternative: StrictBool = Field(
        default=False,
        description="Never chosen by default: only when a submission names it (Dorset's "
        "Director and interim approval).",
    )
    definition: RouteDefinition


class RouteUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: Annotated[str, text_field(2000, multiline=True)] | None = None
    kinds: list[KindKey] | None = Field(default=None, max_length=20)
    categories: list[Category] | None = Field(default=None, max_length=20)
    is_alternative: StrictBool | None = None
    is_active: StrictBool | None = None
    definition: RouteDefinition | None = Field(
        default=None,
        description="A new definition becomes the next version; sign-offs already started "
        "keep the version they started with.",
    )


class RouteVersionOut(BaseModel):
    number: int
    definition: RouteDefinition
    created_at: datetime
    created_by_id: uuid.UUID | None


class Route(BaseModel):
    id: uuid.UUID
    key: str
    name: str
    description: str
    kinds: list[str]
    categories: list[str]
    is_alternative: StrictBool
    is_active: StrictBool
    current_version: int
    definition: RouteDefinition
    created_at: datetime
    updated_at: datetime


class PostCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    post: RouteKey = Field(description="e.g. `assistant_director`, `director`, `head_of_service`.")
    service_area: ServiceArea | None = Field(
        default=None, description="None: held for the whole organisation."
    )
    person_id: uuid.UUID


class PostUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: uuid.UUID


class Post(BaseModel):
    id: uuid.UUID
    post: str
    service_area: str | None
    person_id: uuid.UUID
    created_at: datetime
    updated_at: datetime


class EscalationLadder(BaseModel):
    rungs: list[Rung] = Field(
        description="In order: each reached `after` the review due date, telling `notify`."
    )
    is_default: bool = Field(
        description="No ladder set: the escalation contact alone, "
        "POLICYGOV_REVIEW_ESCALATION_MONTHS after the due date."
    )

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictBool, field_validator

from services.api.types import Name, ShortText

Role = Literal["admin", "policy_officer", "author", "approver", "reader", "integration"]
Roles = Annotated[list[Role], Field(max_length=6)]


class Person(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    email: str
    job_title: str | None
    service_area: str | None = Field(
        description="The team or service area they work in (read-and-acknowledge audiences)."
    )
    is_active: StrictBool
    roles: list[Role]
    created_at: datetime
    updated_at: datetime

    @field_validator("roles", mode="before")
    @classmethod
    def _role_names(cls, value: object) -> object:
        if isinstance(value, list):
            return [getattr(r, "role", r) for r in value]
        return value


class PersonCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    email: EmailStr
    job_title: ShortText | None = None
    service_area: ShortText | None = None
    roles: Roles = Field(default_factory=lambda: list[Role](["reader"]))
    is_active: StrictBool = True


class PersonUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = None  # type: ignore[assignment]
    email: EmailStr = None  # type: ignore[assignment]
    job_title: ShortText | None = None
    service_area: ShortText | None = None
    roles: Roles = None  # type: ignore[assignment]
    is_active: StrictBool = None  # type: ignore[assignment]


class PersonPage(BaseModel):
    items: list[Person]
    next_cursor: str | None

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.api.people.schemas import Role
from services.api.types import Name


class ApiKey(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    role: Role
    prefix: str = Field(description="The first characters of the key, to recognise it.")
    person_id: uuid.UUID | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    role: Role
    person_id: uuid.UUID | None = Field(
        None, description="The person the key acts for; omit for a service account."
    )


class ApiKeyCreated(ApiKey):
    key: str = Field(description="The secret. Shown once: store it now.")

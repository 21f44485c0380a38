"""What every event has: the organisation it happened in. Events are frozen once made."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True)

    organisation_id: uuid.UUID

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictBool


class AuditRecord(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    seq: int
    occurred_at: datetime
    actor_person_id: uuid.UUID | None
    actor_api_key_id: uuid.UUID | None
    actor_label: str
    action: str
    entity_type: str
    entity_id: uuid.UUID
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    items: list[AuditRecord]
    next_cursor: str | None


class ChainVerification(BaseModel):
    records_checked: int
    is_intact: StrictBool
    first_broken_seq: int | None
    reason: str | None

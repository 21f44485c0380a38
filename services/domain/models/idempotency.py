from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.domain.clock import utcnow
from services.domain.db import Base


class IdempotencyRecord(Base):
    """The stored outcome of a POST sent with an ``Idempotency-Key``."""

    __tablename__ = "idempotency_records"
    # For the retention prune, which deletes them by age.
    __table_args__ = (Index("ix_idempotency_records_created_at", "created_at"),)

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    # Who sent the key: the API key, or the person of an OIDC session. Keys are scoped to their
    # sender, so nobody else in the organisation can replay (or be answered with) its response.
    caller_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    # in_flight until the first request finishes, then done with its response stored.
    state: Mapped[str] = mapped_column(String(20))
    locked_at: Mapped[datetime] = mapped_column(default=utcnow)
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_headers: Mapped[list[Any] | None] = mapped_column(JSONB)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

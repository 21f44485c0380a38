from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.domain.db import Base, IdMixin, TimestampMixin


class Organisation(IdMixin, TimestampMixin, Base):
    """A council, trust or national body; every other record belongs to exactly one."""

    __tablename__ = "organisations"

    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Who is told when a review is badly overdue (Dorset: the Head of QA).
    escalation_contact_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("people.id", use_alter=True, ondelete="SET NULL")
    )
    # Which bank holidays count (holidays package subdivision); England by default.
    holiday_subdivision: Mapped[str] = mapped_column(
        String(10), default="ENG", server_default="ENG"
    )

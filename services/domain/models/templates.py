"""The template of a kind of document (Dorset PPP Group aim v: "Develop guidelines and
templates for the distinct types of governance document (policies, procedures, forms etc.)";
"Dorset Council's policies must use the council's policy template")."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ARRAY, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from services.domain.clock import utcnow
from services.domain.db import Base, IdMixin, same_organisation_fk


class KindTemplate(IdMixin, Base):
    """One kind's template: its file to start a draft from, the guidelines for writing one,
    and the headings every draft of the kind must have (the ``template_followed`` gate)."""

    __tablename__ = "kind_templates"
    __table_args__ = (
        UniqueConstraint("kind_id"),
        same_organisation_fk("kind_templates", "uploaded_by_id", "people"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    kind_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("document_kinds.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    guidelines: Mapped[str] = mapped_column(Text, default="", server_default="")
    required_headings: Mapped[list[str]] = mapped_column(
        ARRAY(Text), default=list, server_default=sql_text("'{}'::text[]")
    )
    uploaded_by_id: Mapped[uuid.UUID | None]
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

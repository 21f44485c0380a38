from __future__ import annotations

import uuid

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.domain.db import Base, IdMixin, TimestampMixin, same_organisation_fk

ROLES = ("admin", "policy_officer", "author", "approver", "reader", "integration")


class Person(IdMixin, TimestampMixin, Base):
    """An entry in an organisation's staff directory."""

    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("organisation_id", "email"),
        # Target of the composite foreign keys that keep references inside one organisation.
        UniqueConstraint("organisation_id", "id", name="uq_people_organisation_id_id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    # Stored lower-case so uniqueness ignores case.
    email: Mapped[str] = mapped_column(String(320))
    job_title: Mapped[str | None] = mapped_column(String(200))
    # The team or service area they work in (audiences to read and acknowledge by area).
    service_area: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Bumping it revokes every address of the person's review-deadline calendar feed.
    calendar_feed_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    roles: Mapped[list[PersonRole]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="PersonRole.role"
    )

    __mapper_args__ = {"version_id_col": row_version}


class PersonRole(Base):
    """A role a person holds in their organisation."""

    __tablename__ = "person_roles"
    __table_args__ = (
        # The person's organisation, kept with each row (every table has its organisation, so
        # the register can be distributed by organisation): copied from the person on insert.
        same_organisation_fk("person_roles", "person_id", "people", ondelete="CASCADE"),
    )

    organisation_id: Mapped[uuid.UUID]
    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)

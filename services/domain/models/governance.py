"""Governance routes (the stages a draft passes to be signed off) and the posts they name.

A route is edited by adding a new immutable version: a sign-off keeps the version it started
with, so changing a route never changes the path of a document already in flight.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.domain.clock import utcnow
from services.domain.db import Base, IdMixin, TimestampMixin


class GovernanceRoute(IdMixin, TimestampMixin, Base):
    """A route, chosen for a document by its kind and category (the Birmingham matrix)."""

    __tablename__ = "governance_routes"
    __table_args__ = (
        UniqueConstraint("organisation_id", "key"),
        UniqueConstraint("organisation_id", "id", name="uq_governance_routes_organisation_id_id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="", server_default="")
    # Empty means any kind (or any category). The most specific active route is the default.
    kinds: Mapped[list[str]] = mapped_column(
        ARRAY(String(40)), default=list, server_default=sql_text("'{}'::varchar[]")
    )
    categories: Mapped[list[str]] = mapped_column(
        ARRAY(String(80)), default=list, server_default=sql_text("'{}'::varchar[]")
    )
    # An alternative route is never chosen by default, only when the submitter names it
    # (Dorset 4.5: Director approval and interim approval beside the PPP Group).
    is_alternative: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    current_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class RouteVersion(IdMixin, Base):
    """One immutable definition of a route: its questions, gates and stages."""

    __tablename__ = "route_versions"
    __table_args__ = (
        UniqueConstraint("route_id", "number"),
        UniqueConstraint("organisation_id", "id", name="uq_route_versions_organisation_id_id"),
        ForeignKeyConstraint(
            ["organisation_id", "route_id"],
            ["governance_routes.organisation_id", "governance_routes.id"],
            name="fk_route_versions_route_id_governance_routes",
            ondelete="CASCADE",
        ),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    route_id: Mapped[uuid.UUID]
    number: Mapped[int] = mapped_column(Integer)
    # A ``definition.RouteDefinition`` as JSON.
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))


class Post(IdMixin, TimestampMixin, Base):
    """Who holds a post for a service area, or organisation-wide ("AD of the practice area")."""

    __tablename__ = "posts"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "person_id"],
            ["people.organisation_id", "people.id"],
            name="fk_posts_person_id_people",
        ),
        Index(
            "uq_posts_organisation_post_area",
            "organisation_id",
            "post",
            sql_text("lower(coalesce(service_area, ''))"),
            unique=True,
        ),
        Index("ix_posts_person_id", "person_id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    post: Mapped[str] = mapped_column(String(60))
    # None: the organisation-wide holder, used when no holder is named for the area.
    service_area: Mapped[str | None] = mapped_column(String(200))
    person_id: Mapped[uuid.UUID]
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

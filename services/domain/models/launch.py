"""Launch and cascade: a communication plan for each issue of a document, what the register
announces (issued, changed, retired), and who subscribes to the digest of it.

LBBD 10: "Cascade the newly approved policy/procedure by asking Team and/or Service Managers to
discuss this with staff in team meetings and service meetings and via the ASC newsletter."
Birmingham: "updates will be communicated via the 'news' section of Trix and the weekly email
communication." Cafcass 4.15, 7.1: a communications plan (Channel C, the intranet, the OPC).
Dorset 5.2: the monthly Quality Assurance Newsletter and the Children's Services Hub page.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from services.domain.db import (
    Base,
    IdMixin,
    Status,
    TimestampMixin,
    same_organisation_fk,
    values_of,
)


class Channel(StrEnum):
    EMAIL = "email"
    INTRANET_NEWS = "intranet_news"
    TRIX_NEWS = "trix_news"
    # The organisation's own newsletter, named on the item (Channel C, the ASC newsletter,
    # the Quality Assurance Newsletter).
    NEWSLETTER = "newsletter"
    TEAM_MEETINGS = "team_meetings"
    HUB_PAGE = "hub_page"
    OTHER = "other"


CHANNELS = values_of(Channel)


class CommunicationPlanItem(IdMixin, TimestampMixin, Base):
    """One line of an issue's communication plan: who is told, how, when, and whether it went."""

    __tablename__ = "communication_plan_items"
    __table_args__ = (
        UniqueConstraint(
            "organisation_id", "id", name="uq_communication_plan_items_organisation_id_id"
        ),
        same_organisation_fk(
            "communication_plan_items", "document_id", "documents", ondelete="CASCADE"
        ),
        same_organisation_fk(
            "communication_plan_items", "version_id", "document_versions", ondelete="CASCADE"
        ),
        same_organisation_fk("communication_plan_items", "owner_id", "people"),
        same_organisation_fk("communication_plan_items", "created_by_id", "people"),
        same_organisation_fk("communication_plan_items", "sent_by_id", "people"),
        CheckConstraint(f"channel IN {CHANNELS!r}", name="channel"),
        CheckConstraint("(sent_at IS NULL) = (sent_on IS NULL)", name="sent"),
        Index("ix_communication_plan_items_version", "version_id", "planned_on"),
        # The reminder sweep: planned items not sent, by date.
        Index(
            "ix_communication_plan_items_unsent",
            "planned_on",
            postgresql_where=sql_text("sent_at IS NULL"),
        ),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    document_id: Mapped[uuid.UUID]
    # The issue the plan is for: the final draft it went to the board with, carried to the
    # issued version when that draft is issued.
    version_id: Mapped[uuid.UUID]
    # The draft it was written for, kept when the item is carried to the issue.
    drafted_for_version_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    audience: Mapped[str] = mapped_column(String(500))
    service_areas: Mapped[list[str]] = mapped_column(
        ARRAY(String(200)), default=list, server_default=sql_text("'{}'::varchar[]")
    )
    board_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid), default=list, server_default=sql_text("'{}'::uuid[]")
    )
    channel: Mapped[Channel] = mapped_column(Status(Channel, 20))
    # The organisation's own name for it: "Channel C", "ASC newsletter".
    channel_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    planned_on: Mapped[date] = mapped_column(Date)
    # Who sends it (reminded once when the date passes unsent); the creator by default.
    owner_id: Mapped[uuid.UUID]
    created_by_id: Mapped[uuid.UUID | None]
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    sent_at: Mapped[datetime | None]
    # The London day it went, as the sender says (a newsletter out yesterday).
    sent_on: Mapped[date | None] = mapped_column(Date)
    sent_by_id: Mapped[uuid.UUID | None]
    sent_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class Change(StrEnum):
    ISSUED = "issued"  # its first issue
    CHANGED = "changed"  # a later issue, or an issue withdrawn
    RETIRED = "retired"  # retired or superseded: no longer in force


CHANGES = values_of(Change)


class Announcement(IdMixin, Base):
    """What the register announces: a document issued, changed or retired, as it read then
    (the digest and the Atom feed list these)."""

    __tablename__ = "announcements"
    __table_args__ = (
        same_organisation_fk("announcements", "document_id", "documents", ondelete="CASCADE"),
        CheckConstraint(f"change IN {CHANGES!r}", name="change"),
        # Once per issued version and change (an issue announced when it is registered).
        UniqueConstraint("document_id", "version_id", "change", name="uq_announcements_once"),
        Index("ix_announcements_org_happened", "organisation_id", "happened_at", "id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    document_id: Mapped[uuid.UUID]
    version_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    change: Mapped[Change] = mapped_column(Status(Change, 10))
    happened_at: Mapped[datetime]
    reference: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40))
    service_area: Mapped[str | None] = mapped_column(String(200))
    number: Mapped[str | None] = mapped_column(String(12))
    # The version's change summary, or why it left force.
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")


class DigestSubscription(IdMixin, TimestampMixin, Base):
    """A person's digest: of some service areas and/or kinds, or (neither named) of everything."""

    __tablename__ = "digest_subscriptions"
    __table_args__ = (
        same_organisation_fk("digest_subscriptions", "person_id", "people", ondelete="CASCADE"),
        UniqueConstraint("person_id", name="uq_digest_subscriptions_person_id"),
        Index("ix_digest_subscriptions_org", "organisation_id", "created_at", "id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    person_id: Mapped[uuid.UUID]
    service_areas: Mapped[list[str]] = mapped_column(
        ARRAY(String(200)), default=list, server_default=sql_text("'{}'::varchar[]")
    )
    kinds: Mapped[list[str]] = mapped_column(
        ARRAY(String(40)), default=list, server_default=sql_text("'{}'::varchar[]")
    )
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

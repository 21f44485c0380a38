"""Read and acknowledge: who must confirm they have read and understood a version in force, by
when, and who has; and board members confirming they have read a meeting's papers.

Cafcass 7.1: "all staff will be made aware of the launch of a new policy"; LBBD stage 10:
"Cascade the newly approved policy/procedure [...] to discuss this with staff"; Dorset 7.4:
"Attendees are expected to read the documents prior to the meeting date".
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.domain.clock import utcnow
from services.domain.db import (
    Base,
    IdMixin,
    Status,
    TimestampMixin,
    same_organisation_fk,
    values_of,
)


class AcknowledgementAudience(TimestampMixin, Base):
    """Who a document asks to read and acknowledge each version it issues: named people, the
    members of boards, everyone in service areas, everyone with job titles (any of them), and
    how many working days they have (else the organisation's default)."""

    __tablename__ = "acknowledgement_audiences"
    __table_args__ = (
        same_organisation_fk(
            "acknowledgement_audiences", "document_id", "documents", ondelete="CASCADE"
        ),
        CheckConstraint("due_working_days BETWEEN 1 AND 60", name="due_working_days"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    document_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid), default=list, server_default=text("'{}'::uuid[]")
    )
    board_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid), default=list, server_default=text("'{}'::uuid[]")
    )
    service_areas: Mapped[list[str]] = mapped_column(
        ARRAY(String(200)), default=list, server_default=text("'{}'::varchar[]")
    )
    job_titles: Mapped[list[str]] = mapped_column(
        ARRAY(String(200)), default=list, server_default=text("'{}'::varchar[]")
    )
    # None: the organisation's acknowledgement_due_working_days.
    due_working_days: Mapped[int | None] = mapped_column(Integer)
    # The policy team says in advance that minor versions ask again too (else only a new
    # whole version asks by itself; a minor one when the policy team asks).
    ask_on_minor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class AcknowledgementRequestStatus(StrEnum):
    # Waiting for confirmations (reminders and the escalation follow it).
    OPEN = "open"
    # A newer version was asked for: what is left pending is no longer asked.
    SUPERSEDED = "superseded"
    # Taken back by the policy team, or its version was withdrawn.
    CANCELLED = "cancelled"


class AcknowledgementReason(StrEnum):
    # The issue of a new whole (major) version asked by itself.
    ISSUED = "issued"
    # The policy team asked (a minor version, a new audience, a reminder of the rules).
    ASKED = "asked"


class AcknowledgementStatus(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    # Its request was superseded or cancelled before the person confirmed.
    CANCELLED = "cancelled"


class AcknowledgementVia(StrEnum):
    # Signed in to the API (or an intranet front end using it).
    API = "api"
    # The signed link in the email, with no account.
    LINK = "link"


REQUEST_STATUSES = values_of(AcknowledgementRequestStatus)
STATUSES = values_of(AcknowledgementStatus)


class AcknowledgementRequest(IdMixin, TimestampMixin, Base):
    """One ask to read and acknowledge one version, with the audience as it was defined and
    the date to confirm by."""

    __tablename__ = "acknowledgement_requests"
    __table_args__ = (
        UniqueConstraint(
            "organisation_id", "id", name="uq_acknowledgement_requests_organisation_id_id"
        ),
        same_organisation_fk(
            "acknowledgement_requests", "document_id", "documents", ondelete="CASCADE"
        ),
        same_organisation_fk("acknowledgement_requests", "asked_by_id", "people"),
        same_organisation_fk("acknowledgement_requests", "ended_by_id", "people"),
        same_organisation_fk(
            "acknowledgement_requests", "version_id", "document_versions", ondelete="CASCADE"
        ),
        CheckConstraint(f"status IN {REQUEST_STATUSES!r}", name="status"),
        CheckConstraint(f"reason IN {values_of(AcknowledgementReason)!r}", name="reason"),
        CheckConstraint("(status = 'open') = (ended_at IS NULL)", name="ended"),
        # At most one open ask per version: asking again replaces it.
        Index(
            "uq_acknowledgement_requests_open_version",
            "version_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_acknowledgement_requests_document", "document_id", "created_at"),
        Index("ix_acknowledgement_requests_org_status_due", "organisation_id", "status", "due_on"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    document_id: Mapped[uuid.UUID]
    version_id: Mapped[uuid.UUID]
    version_number: Mapped[str] = mapped_column(String(12))
    reason: Mapped[AcknowledgementReason] = mapped_column(Status(AcknowledgementReason, 20))
    status: Mapped[AcknowledgementRequestStatus] = mapped_column(
        Status(AcknowledgementRequestStatus, 20),
        default=AcknowledgementRequestStatus.OPEN,
        server_default="open",
    )
    # The audience's definition when asked (person_ids, board_ids, service_areas, job_titles).
    audience: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # The date (Europe/London) to confirm by.
    due_on: Mapped[date] = mapped_column(Date)
    # A note from the policy team shown in the email (what changed, why it matters).
    message: Mapped[str] = mapped_column(Text, default="", server_default="")
    # None when the issue asked by itself with nobody signed in (a sweep, an import).
    asked_by_id: Mapped[uuid.UUID | None]
    # When the document's owner was told who had not confirmed (once).
    escalated_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[uuid.UUID | None]
    end_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class Acknowledgement(IdMixin, Base):
    """One named person asked by one request: pending, confirmed (when, how) or cancelled,
    with the reminders sent and whether their name went to the owner."""

    __tablename__ = "acknowledgements"
    __table_args__ = (
        UniqueConstraint("request_id", "person_id"),
        ForeignKeyConstraint(
            ["organisation_id", "request_id"],
            ["acknowledgement_requests.organisation_id", "acknowledgement_requests.id"],
            name="fk_acknowledgements_request_id_acknowledgement_requests",
            ondelete="CASCADE",
        ),
        same_organisation_fk("acknowledgements", "person_id", "people", ondelete="CASCADE"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        CheckConstraint(
            "(status = 'confirmed') = (acknowledged_at IS NOT NULL AND via IS NOT NULL)",
            name="confirmed",
        ),
        Index("ix_acknowledgements_person", "person_id", "status"),
    )

    organisation_id: Mapped[uuid.UUID]
    request_id: Mapped[uuid.UUID]
    person_id: Mapped[uuid.UUID]
    # The person's team when asked: compliance by team counts them where they were.
    service_area: Mapped[str | None] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[AcknowledgementStatus] = mapped_column(
        Status(AcknowledgementStatus, 20),
        default=AcknowledgementStatus.PENDING,
        server_default="pending",
    )
    acknowledged_at: Mapped[datetime | None]
    via: Mapped[str | None] = mapped_column(String(10))
    # The reminder steps already sent (working days before the due date), each once.
    reminders_sent: Mapped[list[int]] = mapped_column(
        ARRAY(Integer), default=list, server_default=text("'{}'::integer[]")
    )
    last_reminded_at: Mapped[datetime | None]
    # When their name went to the document's owner as not confirmed.
    escalated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=text("now()"))


class PapersRead(Base):
    """A board member confirming they have read a meeting's papers (Dorset 7.4)."""

    __tablename__ = "papers_read"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "meeting_id"],
            ["meetings.organisation_id", "meetings.id"],
            name="fk_papers_read_meeting_id_meetings",
            ondelete="CASCADE",
        ),
        same_organisation_fk("papers_read", "person_id", "people", ondelete="CASCADE"),
    )

    organisation_id: Mapped[uuid.UUID]
    meeting_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    read_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=text("now()"))
    via: Mapped[str] = mapped_column(String(10), default="api", server_default="api")

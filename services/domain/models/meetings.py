"""Meetings of the boards, the forward plan (agenda items), attendance and minutes.

Every reference to a person, document or meeting is a composite foreign key with the
organisation id, so no row can point into another organisation.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

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
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import ARRAY
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


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


MEETING_STATUSES = values_of(MeetingStatus)
# What an item asks of the board (the Dorset agenda and the Birmingham forward plan).
ASKS = ("decision", "review_approval", "information", "new_proposal")


class AgendaItemStatus(StrEnum):
    PLANNED = "planned"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"


ITEM_STATUSES = values_of(AgendaItemStatus)


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    APOLOGIES = "apologies"
    DELEGATE_ATTENDED = "delegate_attended"
    ABSENT = "absent"


ATTENDANCE = values_of(AttendanceStatus)
OUTCOMES = ("approved", "approved_with_conditions", "deferred", "rejected", "noted", "referred")
METHODS = ("consensus", "vote", "chair", "referral")


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


ACTION_STATUSES = values_of(ActionStatus)


class Meeting(IdMixin, TimestampMixin, Base):
    """One meeting of a board, generated from its schedule or arranged ad hoc."""

    __tablename__ = "meetings"
    __table_args__ = (
        # A schedule's occurrence is made once, however often the schedule is expanded,
        # and keeps its key when the meeting is moved or cancelled.
        UniqueConstraint("board_id", "occurrence_key"),
        UniqueConstraint("organisation_id", "id", name="uq_meetings_organisation_id_id"),
        ForeignKeyConstraint(
            ["organisation_id", "board_id"],
            ["boards.organisation_id", "boards.id"],
            name="fk_meetings_board_id_boards",
            ondelete="CASCADE",
        ),
        same_organisation_fk("meetings", "chaired_by_id", "people"),
        CheckConstraint(f"status IN {MEETING_STATUSES!r}", name="status"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index("ix_meetings_board_starts_at", "board_id", "starts_at"),
        Index("ix_meetings_organisation_starts_at", "organisation_id", "starts_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    board_id: Mapped[uuid.UUID]
    occurrence_key: Mapped[date | None] = mapped_column(Date)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    location: Mapped[str] = mapped_column(String(300), default="", server_default="")
    status: Mapped[MeetingStatus] = mapped_column(
        Status(MeetingStatus, 20), default=MeetingStatus.SCHEDULED, server_default="scheduled"
    )
    # Set when the meeting is moved: what the people with items were told it had been.
    moved_from: Mapped[datetime | None]
    cancellation_reason: Mapped[str | None] = mapped_column(String(1000))
    # Bumped on every move or cancellation, so subscribed calendars update the event.
    sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    papers_circulated_at: Mapped[datetime | None]
    chaired_by_id: Mapped[uuid.UUID | None]
    minutes_issued_at: Mapped[datetime | None]
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class AgendaItem(IdMixin, TimestampMixin, Base):
    """An item on a board's forward plan: a document and what is asked of the board."""

    __tablename__ = "agenda_items"
    __table_args__ = (
        UniqueConstraint("organisation_id", "id", name="uq_agenda_items_organisation_id_id"),
        ForeignKeyConstraint(
            ["organisation_id", "board_id"],
            ["boards.organisation_id", "boards.id"],
            name="fk_agenda_items_board_id_boards",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "meeting_id"],
            ["meetings.organisation_id", "meetings.id"],
            name="fk_agenda_items_meeting_id_meetings",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "requested_meeting_id"],
            ["meetings.organisation_id", "meetings.id"],
            name="fk_agenda_items_requested_meeting_id_meetings",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_agenda_items_document_id_documents",
        ),
        ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name="fk_agenda_items_version_id_document_versions",
        ),
        same_organisation_fk("agenda_items", "presenter_id", "people"),
        same_organisation_fk("agenda_items", "submitted_by_id", "people"),
        same_organisation_fk("agenda_items", "late_accepted_by_id", "people"),
        CheckConstraint(f"ask IN {ASKS!r}", name="ask"),
        CheckConstraint(f"status IN {ITEM_STATUSES!r}", name="status"),
        Index("ix_agenda_items_meeting_id", "meeting_id", "section", "position"),
        Index("ix_agenda_items_document_id", "document_id"),
        Index("ix_agenda_items_board_id", "board_id", "created_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    board_id: Mapped[uuid.UUID]
    meeting_id: Mapped[uuid.UUID]
    # The meeting the submitter asked for; differs from meeting_id when the item came late.
    requested_meeting_id: Mapped[uuid.UUID]
    document_id: Mapped[uuid.UUID | None]
    # The version the board is asked to consider: its file is the item's paper.
    version_id: Mapped[uuid.UUID | None]
    title: Mapped[str] = mapped_column(String(300))
    ask: Mapped[str] = mapped_column(String(30))
    section: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    presenter_id: Mapped[uuid.UUID | None]
    submitted_by_id: Mapped[uuid.UUID | None]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Submitted after the requested meeting's agenda deadline (Dorset 9.1: 10 working days).
    is_late: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    late_accepted_by_id: Mapped[uuid.UUID | None]
    status: Mapped[AgendaItemStatus] = mapped_column(
        Status(AgendaItemStatus, 20), default=AgendaItemStatus.PLANNED, server_default="planned"
    )
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class Attendance(Base):
    """Who attended a meeting: a member present, sending apologies or a delegate, or absent."""

    __tablename__ = "attendance"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "meeting_id"],
            ["meetings.organisation_id", "meetings.id"],
            name="fk_attendance_meeting_id_meetings",
            ondelete="CASCADE",
        ),
        same_organisation_fk("attendance", "person_id", "people"),
        same_organisation_fk("attendance", "delegate_id", "people"),
        same_organisation_fk("attendance", "recorded_by_id", "people"),
        CheckConstraint(f"status IN {ATTENDANCE!r}", name="status"),
        CheckConstraint(
            "(status = 'delegate_attended') = (delegate_id IS NOT NULL)", name="delegate"
        ),
        Index("ix_attendance_person_id", "person_id"),
    )

    meeting_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    status: Mapped[AttendanceStatus] = mapped_column(Status(AttendanceStatus, 30))
    delegate_id: Mapped[uuid.UUID | None]
    # The member's role and seat on the day, so quorum history survives membership changes.
    role: Mapped[str] = mapped_column(String(20))
    seat: Mapped[str | None] = mapped_column(String(100))
    recorded_by_id: Mapped[uuid.UUID | None]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set once the member was reported for missing two meetings in a row (Dorset 7.3).
    escalated_at: Mapped[datetime | None]


class MeetingDecision(IdMixin, Base):
    """A decision minuted on an item. Never edited: a later decision supersedes it."""

    __tablename__ = "meeting_decisions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "meeting_id"],
            ["meetings.organisation_id", "meetings.id"],
            name="fk_meeting_decisions_meeting_id_meetings",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "agenda_item_id"],
            ["agenda_items.organisation_id", "agenda_items.id"],
            name="fk_meeting_decisions_agenda_item_id_agenda_items",
            ondelete="CASCADE",
        ),
        same_organisation_fk("meeting_decisions", "decided_by_id", "people"),
        same_organisation_fk("meeting_decisions", "recorded_by_id", "people"),
        ForeignKeyConstraint(
            ["supersedes_id"],
            ["meeting_decisions.id"],
            name="fk_meeting_decisions_supersedes_id_meeting_decisions",
        ),
        UniqueConstraint("supersedes_id"),
        CheckConstraint(f"outcome IN {OUTCOMES!r}", name="outcome"),
        CheckConstraint(f"method IN {METHODS!r}", name="method"),
        Index("ix_meeting_decisions_meeting_id", "meeting_id", "recorded_at"),
        Index("ix_meeting_decisions_agenda_item_id", "agenda_item_id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    meeting_id: Mapped[uuid.UUID]
    agenda_item_id: Mapped[uuid.UUID]
    outcome: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    conditions: Mapped[list[str]] = mapped_column(
        ARRAY(Text), default=list, server_default=sql_text("'{}'::text[]")
    )
    votes_for: Mapped[int | None] = mapped_column(Integer)
    votes_against: Mapped[int | None] = mapped_column(Integer)
    abstentions: Mapped[int | None] = mapped_column(Integer)
    # Who took the decision: the person chairing (Dorset 4.2: consensus, vote or referral).
    decided_by_id: Mapped[uuid.UUID | None]
    recorded_by_id: Mapped[uuid.UUID | None]
    recorded_by_label: Mapped[str] = mapped_column(String(300))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    supersedes_id: Mapped[uuid.UUID | None]
    # With conditions on a referred sign-off: the board checks the amended draft itself.
    see_again: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")


class MeetingAction(IdMixin, TimestampMixin, Base):
    """An action minuted at a meeting, with an owner and a due date."""

    __tablename__ = "meeting_actions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "meeting_id"],
            ["meetings.organisation_id", "meetings.id"],
            name="fk_meeting_actions_meeting_id_meetings",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "agenda_item_id"],
            ["agenda_items.organisation_id", "agenda_items.id"],
            name="fk_meeting_actions_agenda_item_id_agenda_items",
            ondelete="CASCADE",
        ),
        same_organisation_fk("meeting_actions", "owner_id", "people"),
        CheckConstraint(f"status IN {ACTION_STATUSES!r}", name="status"),
        Index("ix_meeting_actions_meeting_id", "meeting_id"),
        Index("ix_meeting_actions_owner_id", "owner_id", "status"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    meeting_id: Mapped[uuid.UUID]
    agenda_item_id: Mapped[uuid.UUID | None]
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[uuid.UUID]
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        Status(ActionStatus, 20), default=ActionStatus.OPEN, server_default="open"
    )
    completed_at: Mapped[datetime | None]
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

"""Boards and their members: who sits on a board, and the rules it meets by.

Every reference to a person is a composite foreign key with the organisation id, so no row can
point into another organisation. The board's meetings, forward plan, attendance and minutes are
in ``models/meetings.py``.
"""

from __future__ import annotations

import uuid
from datetime import date, time
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
    Time,
    UniqueConstraint,
    true,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.domain.db import Base, IdMixin, TimestampMixin, same_organisation_fk

MEMBER_ROLES = ("chair", "vice_chair", "member")
NON_WORKING_DAY_RULES = ("earlier", "later")
HOLIDAY_MEETING_RULES = ("keep", "skip", "next_working_day", "previous_working_day")
# Dorset PPP Group terms of reference, section 5: the standard agenda.
DEFAULT_SECTIONS = (
    "progress_report",
    "new_proposals_and_drafts",
    "reviews_of_existing_documents",
    "horizon_scanning",
)


class Board(IdMixin, TimestampMixin, Base):
    """A body that decides at meetings: PPP Group, DLG, OMT, SLT, CMT/ECMT, Cabinet."""

    __tablename__ = "boards"
    __table_args__ = (
        UniqueConstraint("organisation_id", "name"),
        UniqueConstraint("organisation_id", "id", name="uq_boards_organisation_id_id"),
        same_organisation_fk("boards", "escalation_person_id", "people"),
        CheckConstraint(
            f"non_working_day_rule IN {NON_WORKING_DAY_RULES!r}", name="non_working_day_rule"
        ),
        CheckConstraint(
            f"meetings_on_bank_holidays IN {HOLIDAY_MEETING_RULES!r}",
            name="meetings_on_bank_holidays",
        ),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Dorset 7.3 / 8.3: the Head of QA and Partnerships, who may escalate.
    escalation_person_id: Mapped[uuid.UUID | None]
    # Members (or their delegates) who must attend for decisions to stand; null: no rule.
    quorum: Mapped[int | None] = mapped_column(Integer)
    # [{"seat": "QA Manager", "minimum": 2, "delegates_count": false,
    #   "exempt_from_escalation": true}]  (Dorset 7.2)
    seat_rules: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=sql_text("'[]'::jsonb")
    )
    # {"agenda": {"amount": 10, "unit": "working_days"}, "papers": ..., ...}
    deadline_rules: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=sql_text("'{}'::jsonb")
    )
    # Where a calendar-day deadline lands on a weekend or bank holiday.
    non_working_day_rule: Mapped[str] = mapped_column(
        String(20), default="earlier", server_default="earlier"
    )
    agenda_sections: Mapped[list[str]] = mapped_column(
        ARRAY(String(80)), default=lambda: list(DEFAULT_SECTIONS)
    )
    schedule_rule: Mapped[str | None] = mapped_column(String(500))
    schedule_starts_on: Mapped[date | None] = mapped_column(Date)
    meeting_start_time: Mapped[time] = mapped_column(
        Time, default=time(10, 0), server_default=sql_text("'10:00'")
    )
    meeting_duration_minutes: Mapped[int] = mapped_column(
        Integer, default=120, server_default="120"
    )
    default_location: Mapped[str] = mapped_column(String(300), default="", server_default="")
    meetings_on_bank_holidays: Mapped[str] = mapped_column(
        String(30), default="next_working_day", server_default="next_working_day"
    )
    # Bumped to revoke every calendar feed link handed out so far.
    calendar_feed_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class BoardMember(IdMixin, TimestampMixin, Base):
    """A seat on a board: chair, vice-chair (may deputise) or member, with a standing delegate."""

    __tablename__ = "board_members"
    __table_args__ = (
        UniqueConstraint("board_id", "person_id"),
        ForeignKeyConstraint(
            ["organisation_id", "board_id"],
            ["boards.organisation_id", "boards.id"],
            name="fk_board_members_board_id_boards",
            ondelete="CASCADE",
        ),
        same_organisation_fk("board_members", "person_id", "people"),
        same_organisation_fk("board_members", "delegate_id", "people"),
        CheckConstraint(f"role IN {MEMBER_ROLES!r}", name="role"),
        CheckConstraint("delegate_id IS NULL OR delegate_id <> person_id", name="delegate"),
        # One chair per board.
        Index(
            "uq_board_members_one_chair",
            "board_id",
            unique=True,
            postgresql_where=sql_text("role = 'chair'"),
        ),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    board_id: Mapped[uuid.UUID]
    person_id: Mapped[uuid.UUID]
    role: Mapped[str] = mapped_column(String(20), default="member", server_default="member")
    # Matches a seat rule's name (e.g. "Head of Service"); null for an ordinary seat.
    seat: Mapped[str | None] = mapped_column(String(100))
    delegate_id: Mapped[uuid.UUID | None]
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

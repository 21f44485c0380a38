"""Consultations: a draft circulated to consultees, their responses, and what became of them.

A consultation is about exactly one draft version. Its audience is people of the
organisation, boards (expanded to their members when it opens) and external consultees who
have no account and respond through a signed link. Each consultee has at most one response;
a consultee who stays silent may be recorded as deemed agreement when it closes (Birmingham).
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
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
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

# Internal circulation; pre-meeting circulation (Birmingham: drafts two weeks before the
# deciding meeting, responses three days before it); full public consultation (Cafcass 4.6:
# three months for broad practice change).
TITLE_LENGTH = 300
KINDS = ("internal", "pre_meeting", "public")


# scheduled -> open -> closed; scheduled or open -> cancelled.
class ConsultationStatus(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


STATUSES = values_of(ConsultationStatus)
# What a consultee can say. Deemed agreement is recorded by the service, never chosen.
POSITIONS = ("support", "support_with_comments", "object", "no_view")
DEEMED_AGREEMENT = "deemed_agreement"
RECORDED_POSITIONS = (*POSITIONS, DEEMED_AGREEMENT)
# How the author dealt with a comment in the next draft.
HANDLING = ("accepted", "partly_accepted", "not_accepted", "no_change_needed")
CONSULTEE_KINDS = ("person", "external")


class Consultation(IdMixin, TimestampMixin, Base):
    """One draft put out for comment, to an audience, until a closing time."""

    __tablename__ = "consultations"
    __table_args__ = (
        UniqueConstraint("organisation_id", "id", name="uq_consultations_organisation_id_id"),
        ForeignKeyConstraint(
            ["organisation_id", "document_id"],
            ["documents.organisation_id", "documents.id"],
            name="fk_consultations_document_id_documents",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name="fk_consultations_version_id_document_versions",
        ),
        ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name="fk_consultations_meeting_id_meetings"
        ),
        ForeignKeyConstraint(
            ["organisation_id", "opened_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_consultations_opened_by_id_people",
        ),
        CheckConstraint(f"kind IN {KINDS!r}", name="kind"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        Index("ix_consultations_document_id", "document_id", "created_at"),
        Index("ix_consultations_org_status", "organisation_id", "status", "closes_at"),
        # What the notifier's sweep looks for every minute: due openings and closings.
        Index(
            "ix_consultations_due",
            "status",
            "closes_at",
            postgresql_where=text("status IN ('scheduled', 'open')"),
        ),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    document_id: Mapped[uuid.UUID]
    version_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    # The covering letter: why, what is asked, how to respond (Cafcass: consultation letter).
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[ConsultationStatus] = mapped_column(Status(ConsultationStatus, 20))
    # The meeting a pre-meeting circulation is for.
    meeting_id: Mapped[uuid.UUID | None]
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    # How closes_at was found: null when given outright, else
    # {"relative_to": "meeting" | "opening", "amount": n, "unit": ...}.
    closing_rule: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # Birmingham: no response by the deadline counts as agreement.
    deemed_agreement: Mapped[bool] = mapped_column(Boolean, default=False)
    # Calendar days before the close at which those who have not responded are reminded.
    reminder_days: Mapped[list[int]] = mapped_column(JSONB, default=list)
    # Boards in the audience, expanded to their members when it opens.
    board_ids: Mapped[list[str]] = mapped_column(JSONB, default=list)
    # The response form: [{"key", "text", "kind", "options", "required"}].
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    opened_by_id: Mapped[uuid.UUID | None]
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # Null when the deadline closed it; else who closed it early or cancelled it.
    closed_by_id: Mapped[uuid.UUID | None]
    cancel_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class Consultee(IdMixin, Base):
    """Someone asked to respond: a person of the organisation, or an external email address."""

    __tablename__ = "consultees"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "consultation_id"],
            ["consultations.organisation_id", "consultations.id"],
            name="fk_consultees_consultation_id_consultations",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "person_id"],
            ["people.organisation_id", "people.id"],
            name="fk_consultees_person_id_people",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "via_board_id"],
            ["boards.organisation_id", "boards.id"],
            name="fk_consultees_via_board_id_boards",
        ),
        CheckConstraint(f"kind IN {CONSULTEE_KINDS!r}", name="kind"),
        CheckConstraint("(kind = 'person') = (person_id IS NOT NULL)", name="person"),
        Index(
            "uq_consultees_person",
            "consultation_id",
            "person_id",
            unique=True,
            postgresql_where=text("person_id IS NOT NULL"),
        ),
        Index(
            "uq_consultees_external_email",
            "consultation_id",
            text("lower(email)"),
            unique=True,
            postgresql_where=text("kind = 'external'"),
        ),
        Index("ix_consultees_person_id", "person_id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    consultation_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[uuid.UUID | None]
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    # For an external consultee: the body they speak for (e.g. a partner agency).
    represents: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Added because they sit on this board (expanded when the consultation opened).
    via_board_id: Mapped[uuid.UUID | None]
    added_at: Mapped[datetime]
    invited_at: Mapped[datetime | None]
    # External link: bumping the version revokes every link handed out before.
    link_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    link_revoked_at: Mapped[datetime | None]


class ConsultationResponse(IdMixin, TimestampMixin, Base):
    """A consultee's response (one each), or their deemed agreement; with the author's analysis."""

    __tablename__ = "consultation_responses"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "consultation_id"],
            ["consultations.organisation_id", "consultations.id"],
            name="fk_consultation_responses_consultation_id_consultations",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["consultee_id"],
            ["consultees.id"],
            name="fk_consultation_responses_consultee_id_consultees",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "recorded_by_id"],
            ["people.organisation_id", "people.id"],
            name="fk_consultation_responses_recorded_by_id_people",
        ),
        ForeignKeyConstraint(
            ["addressed_in_version_id"],
            ["document_versions.id"],
            name="fk_consultation_responses_addressed_in_version_id_versions",
        ),
        UniqueConstraint("consultee_id", name="uq_consultation_responses_consultee_id"),
        CheckConstraint(f"position IN {RECORDED_POSITIONS!r}", name="position"),
        CheckConstraint(f"handling IN {HANDLING!r}", name="handling"),
        Index("ix_consultation_responses_consultation_id", "consultation_id", "submitted_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    consultation_id: Mapped[uuid.UUID]
    consultee_id: Mapped[uuid.UUID]
    position: Mapped[str] = mapped_column(String(30))
    comments: Mapped[str] = mapped_column(Text, default="", server_default="")
    # {question key: answer}
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    submitted_at: Mapped[datetime]
    # Received after the consultation closed: kept, and flagged in the report.
    is_late: Mapped[bool] = mapped_column(Boolean, default=False)
    # How many times the consultee changed it before the close.
    amendments: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Who typed it in: the consultee, or the author recording an emailed response; null for
    # an external consultee's own link and for deemed agreement.
    recorded_by_id: Mapped[uuid.UUID | None]
    # The author's analysis: themes, and how the comment was handled in the next draft.
    themes: Mapped[list[str]] = mapped_column(JSONB, default=list)
    handling: Mapped[str | None] = mapped_column(String(30))
    handling_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    addressed_in_version_id: Mapped[uuid.UUID | None]
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class ConsultationReportAgreement(IdMixin, Base):
    """Cafcass 4.7: "Once the report has been agreed by the Policy Sponsor at CMT the report
    can be shared at ECMT." Who agreed a closed consultation's report, at which board (and
    meeting), on which day; once per consultation."""

    __tablename__ = "consultation_report_agreements"
    __table_args__ = (
        UniqueConstraint("consultation_id"),
        ForeignKeyConstraint(
            ["organisation_id", "consultation_id"],
            ["consultations.organisation_id", "consultations.id"],
            name="fk_consultation_report_agreements_consultation_id_consultations",
            ondelete="CASCADE",
        ),
        same_organisation_fk("consultation_report_agreements", "agreed_by_id", "people"),
        same_organisation_fk("consultation_report_agreements", "board_id", "boards"),
        same_organisation_fk("consultation_report_agreements", "meeting_id", "meetings"),
        same_organisation_fk("consultation_report_agreements", "recorded_by_id", "people"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    consultation_id: Mapped[uuid.UUID]
    # The Policy Sponsor (the document's owner, unless another is named).
    agreed_by_id: Mapped[uuid.UUID]
    board_id: Mapped[uuid.UUID]
    meeting_id: Mapped[uuid.UUID | None]
    agreed_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    recorded_by_id: Mapped[uuid.UUID | None]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

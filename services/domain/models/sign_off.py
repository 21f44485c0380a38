"""Sign-off: a draft version submitted along a route, its stages, decisions and delegations.

A decision is never edited; a correction is a new decision that supersedes it.
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
)
from sqlalchemy import text as sql_text
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
from services.domain.models.documents import DocumentStatus


# in_progress: a stage is waiting for its decider. awaiting_amendment: approved with
# conditions, the responsible officer is making the amendments. issued: the version is
# issued and stages after issue (information, ratification) are still open.
class SignOffStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    AWAITING_AMENDMENT = "awaiting_amendment"
    ISSUED = "issued"
    COMPLETED = "completed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    RATIFICATION_REFUSED = "ratification_refused"


SIGN_OFF_STATUSES = values_of(SignOffStatus)
OPEN_STATUSES = (
    SignOffStatus.IN_PROGRESS,
    SignOffStatus.AWAITING_AMENDMENT,
    SignOffStatus.ISSUED,
)


class StageStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    CONDITIONS_SET = "conditions_set"
    APPROVED = "approved"
    NOTED = "noted"
    DEFERRED = "deferred"
    REJECTED = "rejected"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


STAGE_STATUSES = values_of(StageStatus)
DECISION_OUTCOMES = (
    "approved",
    "approved_with_conditions",
    "deferred",
    "rejected",
    "noted",
    # A vote cast without deciding, where the stage's rule allows it (sign_off/voting.py).
    "abstained",
)
DECISION_METHODS = ("individual", "meeting", "circulation")


class SignOff(IdMixin, TimestampMixin, Base):
    """One submission of a draft version for sign-off along a route version."""

    __tablename__ = "sign_offs"
    __table_args__ = (
        UniqueConstraint("organisation_id", "id", name="uq_sign_offs_organisation_id_id"),
        same_organisation_fk("sign_offs", "document_id", "documents", ondelete="CASCADE"),
        ForeignKeyConstraint(
            ["organisation_id", "route_version_id"],
            ["route_versions.organisation_id", "route_versions.id"],
            name="fk_sign_offs_route_version_id_route_versions",
        ),
        ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name="fk_sign_offs_version_id_document_versions",
        ),
        ForeignKeyConstraint(
            ["issued_version_id"],
            ["document_versions.id"],
            name="fk_sign_offs_issued_version_id_document_versions",
        ),
        same_organisation_fk("sign_offs", "submitted_by_id", "people"),
        CheckConstraint(f"status IN {SIGN_OFF_STATUSES!r}", name="status"),
        # One sign-off in flight per document.
        Index(
            "uq_sign_offs_open_document",
            "document_id",
            unique=True,
            postgresql_where=sql_text("status IN ('in_progress', 'awaiting_amendment')"),
        ),
        Index("ix_sign_offs_org_status", "organisation_id", "status", "created_at"),
        Index("ix_sign_offs_document_id", "document_id", "created_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    document_id: Mapped[uuid.UUID]
    # The draft under decision; an amendment after conditions replaces it.
    version_id: Mapped[uuid.UUID]
    route_version_id: Mapped[uuid.UUID]
    status: Mapped[SignOffStatus] = mapped_column(
        Status(SignOffStatus, 30), default=SignOffStatus.IN_PROGRESS
    )
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # Chosen by the submitter: who decides a stage whose route names nobody (NCT: several RSMs).
    approvers: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    effective_on: Mapped[date | None] = mapped_column(Date)
    review_interval_months: Mapped[int | None] = mapped_column(Integer)
    # The document's status before submission, restored when the sign-off ends unissued.
    previous_status: Mapped[DocumentStatus] = mapped_column(Status(DocumentStatus, 30))
    # The stage whose decider checks the amendments after an approval with conditions.
    check_stage_id: Mapped[uuid.UUID | None]
    issued_version_id: Mapped[uuid.UUID | None]
    # What the issue replaced (``issue.BeforeIssue`` as JSON): put back if ratification is
    # refused.
    before_issue: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    submitted_by_id: Mapped[uuid.UUID | None]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class SignOffStage(IdMixin, Base):
    """A stage of one sign-off, copied from the route when submitted (deferrals add more)."""

    __tablename__ = "sign_off_stages"
    __table_args__ = (
        UniqueConstraint("sign_off_id", "position"),
        UniqueConstraint("organisation_id", "id", name="uq_sign_off_stages_organisation_id_id"),
        ForeignKeyConstraint(
            ["organisation_id", "sign_off_id"],
            ["sign_offs.organisation_id", "sign_offs.id"],
            name="fk_sign_off_stages_sign_off_id_sign_offs",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "board_id"],
            ["boards.organisation_id", "boards.id"],
            name="fk_sign_off_stages_board_id_boards",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "agenda_item_id"],
            ["agenda_items.organisation_id", "agenda_items.id"],
            name="fk_sign_off_stages_agenda_item_id_agenda_items",
        ),
        ForeignKeyConstraint(
            ["deferred_from_id"],
            ["sign_off_stages.id"],
            name="fk_sign_off_stages_deferred_from_id_sign_off_stages",
        ),
        CheckConstraint(f"status IN {STAGE_STATUSES!r}", name="status"),
        Index("ix_sign_off_stages_agenda_item_id", "agenda_item_id"),
        Index("ix_sign_off_stages_participants", "participants", postgresql_using="gin"),
        # The time limit sweep, every minute: only stages waiting with a limit not yet escalated.
        Index(
            "ix_sign_off_stages_due_on",
            "due_on",
            postgresql_where=sql_text(
                "status = 'active' AND due_on IS NOT NULL AND escalated_at IS NULL"
            ),
        ),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    sign_off_id: Mapped[uuid.UUID]
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    # A ``definition.Stage`` as JSON.
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[StageStatus] = mapped_column(
        Status(StageStatus, 20), default=StageStatus.PENDING
    )
    # Each return after conditions starts a new round of decisions.
    round: Mapped[int] = mapped_column(Integer, default=1)
    # Who may decide, resolved when the stage starts; board stages at a meeting have none.
    participants: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid),
        default=list,
        server_default=sql_text("'{}'::uuid[]"),
    )
    # Approvals needed from participants (circulation and named people).
    required: Mapped[int] = mapped_column(Integer, default=1)
    board_id: Mapped[uuid.UUID | None]
    agenda_item_id: Mapped[uuid.UUID | None]
    deferred_from_id: Mapped[uuid.UUID | None]
    # A higher body that approved with conditions asked to see the amended draft again.
    see_again: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # The stage's time limit (route ``time_limit_working_days``): the last day to decide it,
    # set when each round starts; then those yet to decide chased once, the policy team told
    # once (sign_off/time_limits.py).
    due_on: Mapped[date | None] = mapped_column(Date)
    chased_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    # The count of the votes when the stage settled (``voting.Tally`` as JSON).
    tally: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class SignOffDecision(IdMixin, Base):
    """A decision on a stage, by a person (or their delegate), a meeting or by circulation."""

    __tablename__ = "sign_off_decisions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organisation_id", "sign_off_id"],
            ["sign_offs.organisation_id", "sign_offs.id"],
            name="fk_sign_off_decisions_sign_off_id_sign_offs",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "stage_id"],
            ["sign_off_stages.organisation_id", "sign_off_stages.id"],
            name="fk_sign_off_decisions_stage_id_sign_off_stages",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["version_id"],
            ["document_versions.id"],
            name="fk_sign_off_decisions_version_id_document_versions",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "meeting_id"],
            ["meetings.organisation_id", "meetings.id"],
            name="fk_sign_off_decisions_meeting_id_meetings",
        ),
        ForeignKeyConstraint(
            ["meeting_decision_id"],
            ["meeting_decisions.id"],
            name="fk_sign_off_decisions_meeting_decision_id_meeting_decisions",
        ),
        ForeignKeyConstraint(
            ["supersedes_id"],
            ["sign_off_decisions.id"],
            name="fk_sign_off_decisions_supersedes_id_sign_off_decisions",
        ),
        same_organisation_fk("sign_off_decisions", "decided_by_id", "people"),
        same_organisation_fk("sign_off_decisions", "on_behalf_of_id", "people"),
        same_organisation_fk("sign_off_decisions", "recorded_by_id", "people"),
        same_organisation_fk("sign_off_decisions", "discussed_with_id", "people"),
        UniqueConstraint("supersedes_id"),
        CheckConstraint(f"outcome IN {DECISION_OUTCOMES!r}", name="outcome"),
        CheckConstraint(f"method IN {DECISION_METHODS!r}", name="method"),
        # Two approvers at the same moment: the database lets one first decision per seat in.
        Index(
            "uq_sign_off_decisions_first",
            "stage_id",
            "round",
            sql_text("coalesce(on_behalf_of_id, decided_by_id, stage_id)"),
            unique=True,
            postgresql_where=sql_text("supersedes_id IS NULL"),
        ),
        Index("ix_sign_off_decisions_sign_off_id", "sign_off_id", "recorded_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    sign_off_id: Mapped[uuid.UUID]
    stage_id: Mapped[uuid.UUID]
    round: Mapped[int] = mapped_column(Integer)
    version_id: Mapped[uuid.UUID]
    outcome: Mapped[str] = mapped_column(String(30))
    method: Mapped[str] = mapped_column(String(20))
    conditions: Mapped[list[str]] = mapped_column(
        ARRAY(Text), default=list, server_default=sql_text("'{}'::text[]")
    )
    reasons: Mapped[str] = mapped_column(Text, default="", server_default="")
    see_again: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    # Where a deferral went (a ``definition.Decider`` as JSON).
    referred_to: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # Who a deferral was discussed with first (NCT 2.3.3: the RSM's Assistant Director).
    discussed_with_id: Mapped[uuid.UUID | None]
    decided_by_id: Mapped[uuid.UUID | None]
    # The approver a delegate decided for (leave cover).
    on_behalf_of_id: Mapped[uuid.UUID | None]
    # Decided by a writer, uploader or submitter of the draft, on a route that allows it.
    is_self_approved: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    meeting_id: Mapped[uuid.UUID | None]
    meeting_decision_id: Mapped[uuid.UUID | None]
    recorded_by_id: Mapped[uuid.UUID | None]
    recorded_by_label: Mapped[str] = mapped_column(String(300))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    supersedes_id: Mapped[uuid.UUID | None]


class Delegation(IdMixin, TimestampMixin, Base):
    """An approver's sign-off authority lent to a named person for a period (leave cover)."""

    __tablename__ = "delegations"
    __table_args__ = (
        same_organisation_fk("delegations", "delegator_id", "people"),
        same_organisation_fk("delegations", "delegate_id", "people"),
        same_organisation_fk("delegations", "created_by_id", "people"),
        CheckConstraint("delegator_id <> delegate_id", name="not_self"),
        CheckConstraint("starts_on <= ends_on", name="period"),
        Index("ix_delegations_delegate_id", "delegate_id", "starts_on"),
        Index("ix_delegations_delegator_id", "delegator_id", "starts_on"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    delegator_id: Mapped[uuid.UUID]
    delegate_id: Mapped[uuid.UUID]
    # Europe/London dates, both included.
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    created_by_id: Mapped[uuid.UUID | None]
    revoked_at: Mapped[datetime | None]


class SignOffInformed(IdMixin, Base):
    """A person shown a draft when a stage started, to acknowledge it without deciding
    (LBBD stage 9: "shared ... with other relevant Heads of Service", the Cabinet Member).

    Resolved to the person at the time, keeping the post they were told as. No
    acknowledgement holds up the stage or the sign-off.
    """

    __tablename__ = "sign_off_informed"
    __table_args__ = (
        UniqueConstraint("stage_id", "person_id"),
        same_organisation_fk("sign_off_informed", "sign_off_id", "sign_offs", ondelete="CASCADE"),
        same_organisation_fk(
            "sign_off_informed", "stage_id", "sign_off_stages", ondelete="CASCADE"
        ),
        same_organisation_fk("sign_off_informed", "person_id", "people"),
        Index("ix_sign_off_informed_sign_off_id", "sign_off_id"),
        Index("ix_sign_off_informed_person_id", "person_id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    sign_off_id: Mapped[uuid.UUID]
    stage_id: Mapped[uuid.UUID]
    person_id: Mapped[uuid.UUID]
    # The post they were told as (None when the route names them).
    post: Mapped[str | None] = mapped_column(String(60))
    version_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    informed_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")

"""What a draft needs before sign-off: a proposal, an EIA, legal review, the fitness check.

Proposal: the Cafcass business case (appendix 1), approved to proceed by a board.
Equality impact assessment: the Cafcass appendix 2 screening grid and questions.
Legal review: LBBD stage 7, a question to the legal team and its advice.
Fitness check: the Cafcass appendix 3 fit-for-purpose checklist.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.domain.db import (
    Base,
    IdMixin,
    Status,
    TimestampMixin,
    same_organisation_fk,
    values_of,
)


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


PROPOSAL_STATUSES = values_of(ProposalStatus)
EIA_KINDS = ("screening", "full")


class EqualityAssessmentStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


EIA_STATUSES = values_of(EqualityAssessmentStatus)
# Screening: no adverse impact, or possible adverse impact (then a full assessment).
# Full: no adverse impact, adverse impact justified, or adverse impact found (the draft must
# change and be assessed again: Cafcass 4.8).
EIA_OUTCOMES = (
    "no_adverse_impact",
    "possible_adverse_impact",
    "adverse_impact_justified",
    "adverse_impact_found",
)
LEGAL_OUTCOMES = ("no_concerns", "changes_advised", "not_lawful")


def _version_fk(table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["version_id"], ["document_versions.id"], name=f"fk_{table}_version_id_document_versions"
    )


class Proposal(IdMixin, TimestampMixin, Base):
    """A business case for a new or revised document (Cafcass appendix 1)."""

    __tablename__ = "proposals"
    __table_args__ = (
        UniqueConstraint("organisation_id", "id", name="uq_proposals_organisation_id_id"),
        same_organisation_fk("proposals", "document_id", "documents", ondelete="CASCADE"),
        same_organisation_fk("proposals", "sponsor_id", "people"),
        same_organisation_fk("proposals", "lead_officer_id", "people"),
        same_organisation_fk("proposals", "created_by_id", "people"),
        ForeignKeyConstraint(
            ["organisation_id", "board_id"],
            ["boards.organisation_id", "boards.id"],
            name="fk_proposals_board_id_boards",
        ),
        ForeignKeyConstraint(
            ["organisation_id", "agenda_item_id"],
            ["agenda_items.organisation_id", "agenda_items.id"],
            name="fk_proposals_agenda_item_id_agenda_items",
        ),
        CheckConstraint(f"status IN {PROPOSAL_STATUSES!r}", name="status"),
        Index("ix_proposals_org_status", "organisation_id", "status", "created_at"),
        Index("ix_proposals_document_id", "document_id"),
        Index("ix_proposals_agenda_item_id", "agenda_item_id"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(300))
    # The document it proposes (LBBD 1: a proposal may become a review of an existing one).
    document_id: Mapped[uuid.UUID | None]
    sponsor_id: Mapped[uuid.UUID | None]
    lead_officer_id: Mapped[uuid.UUID | None]
    background: Mapped[str] = mapped_column(Text, default="", server_default="")
    objectives: Mapped[str] = mapped_column(Text, default="", server_default="")
    childrens_rights: Mapped[str] = mapped_column(Text, default="", server_default="")
    diversity: Mapped[str] = mapped_column(Text, default="", server_default="")
    outputs: Mapped[str] = mapped_column(Text, default="", server_default="")
    consultation_plan: Mapped[str] = mapped_column(Text, default="", server_default="")
    communications_plan: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[ProposalStatus] = mapped_column(
        Status(ProposalStatus, 20), default=ProposalStatus.DRAFT, server_default="draft"
    )
    # The board asked to approve it to proceed, and its item on the forward plan.
    board_id: Mapped[uuid.UUID | None]
    agenda_item_id: Mapped[uuid.UUID | None]
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_by_id: Mapped[uuid.UUID | None]
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class EqualityAssessment(IdMixin, TimestampMixin, Base):
    """An equality impact assessment of one version: screening, or a full assessment."""

    __tablename__ = "equality_assessments"
    __table_args__ = (
        same_organisation_fk(
            "equality_assessments", "document_id", "documents", ondelete="CASCADE"
        ),
        _version_fk("equality_assessments"),
        same_organisation_fk("equality_assessments", "assessor_id", "people"),
        CheckConstraint(f"kind IN {EIA_KINDS!r}", name="kind"),
        CheckConstraint(f"status IN {EIA_STATUSES!r}", name="status"),
        CheckConstraint(f"outcome IN {EIA_OUTCOMES!r}", name="outcome"),
        CheckConstraint("(status = 'completed') = (outcome IS NOT NULL)", name="completed"),
        Index("ix_equality_assessments_document_id", "document_id", "created_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    document_id: Mapped[uuid.UUID]
    version_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(20))
    # {category: "high" | "medium" | "low"} for the organisation's equality categories.
    relevance: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # {question key: answer} for the appendix 2 questions.
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    status: Mapped[EqualityAssessmentStatus] = mapped_column(
        Status(EqualityAssessmentStatus, 20), default=EqualityAssessmentStatus.IN_PROGRESS
    )
    outcome: Mapped[str | None] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    assessor_id: Mapped[uuid.UUID | None]
    completed_at: Mapped[datetime | None]
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class LegalReview(IdMixin, TimestampMixin, Base):
    """A question put to the legal team about a version, and the advice given (LBBD 7)."""

    __tablename__ = "legal_reviews"
    __table_args__ = (
        same_organisation_fk("legal_reviews", "document_id", "documents", ondelete="CASCADE"),
        _version_fk("legal_reviews"),
        same_organisation_fk("legal_reviews", "requested_by_id", "people"),
        same_organisation_fk("legal_reviews", "reviewer_id", "people"),
        same_organisation_fk("legal_reviews", "answered_by_id", "people"),
        CheckConstraint(f"outcome IN {LEGAL_OUTCOMES!r}", name="outcome"),
        CheckConstraint("(outcome IS NULL) = (answered_at IS NULL)", name="answered"),
        Index("ix_legal_reviews_document_id", "document_id", "created_at"),
        Index("ix_legal_reviews_reviewer_id", "reviewer_id", "answered_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    document_id: Mapped[uuid.UUID]
    version_id: Mapped[uuid.UUID]
    question: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[uuid.UUID | None]
    # The lawyer asked, if a particular one.
    reviewer_id: Mapped[uuid.UUID | None]
    advice: Mapped[str] = mapped_column(Text, default="", server_default="")
    outcome: Mapped[str | None] = mapped_column(String(30))
    answered_by_id: Mapped[uuid.UUID | None]
    answered_at: Mapped[datetime | None]
    row_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}


class FitnessCheck(IdMixin, TimestampMixin, Base):
    """The fit-for-purpose checklist (Cafcass appendix 3) answered for one version."""

    __tablename__ = "fitness_checks"
    __table_args__ = (
        same_organisation_fk("fitness_checks", "document_id", "documents", ondelete="CASCADE"),
        _version_fk("fitness_checks"),
        same_organisation_fk("fitness_checks", "checked_by_id", "people"),
        Index("ix_fitness_checks_document_id", "document_id", "created_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    document_id: Mapped[uuid.UUID]
    version_id: Mapped[uuid.UUID]
    # {question key: {"answer": "yes" | "no" | "partly", "comment": str}}
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB)
    checked_by_id: Mapped[uuid.UUID | None]


# The assessments a draft's gates rest on, and the gate each meets.
ASSESSMENT_KINDS = ("equality_assessment", "legal_review", "fitness_check")


class NoMaterialChangeStatement(IdMixin, TimestampMixin, Base):
    """The responsible officer's statement that nothing material changed between two drafts.

    It carries one assessment of the earlier draft (``assessed_version_id``) to the later one
    (``version_id``), so that the later draft meets the gate that assessment met. Never
    changed: a correction is a new statement naming the one it ``supersedes``.
    """

    __tablename__ = "no_material_change_statements"
    __table_args__ = (
        same_organisation_fk(
            "no_material_change_statements", "document_id", "documents", ondelete="CASCADE"
        ),
        same_organisation_fk("no_material_change_statements", "stated_by_id", "people"),
        ForeignKeyConstraint(
            ["assessed_version_id"],
            ["document_versions.id"],
            name="fk_no_material_change_statements_assessed_version",
        ),
        _version_fk("no_material_change_statements"),
        ForeignKeyConstraint(
            ["equality_assessment_id"],
            ["equality_assessments.id"],
            name="fk_no_material_change_statements_equality_assessment",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["legal_review_id"],
            ["legal_reviews.id"],
            name="fk_no_material_change_statements_legal_review",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["fitness_check_id"],
            ["fitness_checks.id"],
            name="fk_no_material_change_statements_fitness_check",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["supersedes_id"],
            ["no_material_change_statements.id"],
            name="fk_no_material_change_statements_supersedes",
        ),
        CheckConstraint(f"assessment_kind IN {ASSESSMENT_KINDS!r}", name="assessment_kind"),
        # Exactly the assessment of the kind named.
        CheckConstraint(
            "(assessment_kind = 'equality_assessment') = (equality_assessment_id IS NOT NULL) "
            "AND (assessment_kind = 'legal_review') = (legal_review_id IS NOT NULL) "
            "AND (assessment_kind = 'fitness_check') = (fitness_check_id IS NOT NULL)",
            name="one_assessment",
        ),
        CheckConstraint("assessed_version_id <> version_id", name="two_drafts"),
        # A statement is corrected once; the correction may itself be corrected.
        UniqueConstraint("supersedes_id", name="uq_no_material_change_statements_supersedes_id"),
        Index("ix_no_material_change_statements_document_id", "document_id", "created_at"),
    )

    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    document_id: Mapped[uuid.UUID]
    assessment_kind: Mapped[str] = mapped_column(String(30))
    equality_assessment_id: Mapped[uuid.UUID | None]
    legal_review_id: Mapped[uuid.UUID | None]
    fitness_check_id: Mapped[uuid.UUID | None]
    # The draft the assessment is of, and the later draft it is carried to.
    assessed_version_id: Mapped[uuid.UUID]
    version_id: Mapped[uuid.UUID]
    reason: Mapped[str] = mapped_column(Text)
    stated_by_id: Mapped[uuid.UUID]
    stated_at: Mapped[datetime]
    supersedes_id: Mapped[uuid.UUID | None]

"""Proposals, legal reviews and statements that nothing material changed."""

from __future__ import annotations

import uuid
from typing import Literal

from services.domain.events.base import _Event


class ProposalDecided(_Event):
    """A proposal for a new document was approved or declined."""

    type: Literal["proposal.decided"] = "proposal.decided"
    proposal_id: uuid.UUID
    document_id: uuid.UUID | None
    status: Literal["approved", "declined"]


class LegalReviewRequested(_Event):
    """Legal advice was asked on a draft."""

    type: Literal["legal_review.requested"] = "legal_review.requested"
    legal_review_id: uuid.UUID
    document_id: uuid.UUID
    reviewer_id: uuid.UUID | None


class LegalReviewAnswered(_Event):
    """Legal advice on a draft was given."""

    type: Literal["legal_review.answered"] = "legal_review.answered"
    legal_review_id: uuid.UUID
    document_id: uuid.UUID
    outcome: str


class NoMaterialChangeStated(_Event):
    """The responsible officer stated that nothing material changed between the draft an
    assessment is of and a later draft: the assessment now stands for the later draft too."""

    type: Literal["no_material_change.stated"] = "no_material_change.stated"
    statement_id: uuid.UUID
    document_id: uuid.UUID
    assessment_kind: Literal["equality_assessment", "legal_review", "fitness_check"]
    assessment_id: uuid.UUID
    assessed_version_id: uuid.UUID
    version_id: uuid.UUID
    stated_by_id: uuid.UUID
    supersedes_id: uuid.UUID | None

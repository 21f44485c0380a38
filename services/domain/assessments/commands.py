"""What the assessments are asked to do: draft or change a proposal, start or change an
equality impact assessment, record a fit-for-purpose check.

The API builds these from its request bodies (``ProposalChange.of(body.model_dump(
exclude_unset=True))``).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping

from services.domain.commands import UNSET, Command, Maybe


@dataclasses.dataclass(frozen=True, kw_only=True)
class NewProposal(Command):
    """A business case (Cafcass appendix 1), perhaps for an existing document (LBBD 1)."""

    title: str
    document_id: uuid.UUID | None = None
    sponsor_id: uuid.UUID | None = None
    lead_officer_id: uuid.UUID | None = None
    background: str = ""
    objectives: str = ""
    childrens_rights: str = ""
    diversity: str = ""
    outputs: str = ""
    consultation_plan: str = ""
    communications_plan: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ProposalChange(Command):
    """The fields of a draft business case that change."""

    title: Maybe[str] = UNSET
    document_id: Maybe[uuid.UUID | None] = UNSET
    sponsor_id: Maybe[uuid.UUID | None] = UNSET
    lead_officer_id: Maybe[uuid.UUID | None] = UNSET
    background: Maybe[str] = UNSET
    objectives: Maybe[str] = UNSET
    childrens_rights: Maybe[str] = UNSET
    diversity: Maybe[str] = UNSET
    outputs: Maybe[str] = UNSET
    consultation_plan: Maybe[str] = UNSET
    communications_plan: Maybe[str] = UNSET


@dataclasses.dataclass(frozen=True, kw_only=True)
class NewEqualityAssessment(Command):
    """A screening or full assessment of a version: the relevance grid by equality category,
    the answers by question key (Cafcass appendix 2)."""

    document_id: uuid.UUID
    version_id: uuid.UUID
    kind: str
    relevance: Mapping[str, str] = dataclasses.field(default_factory=dict)
    answers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    summary: str = ""
    # Left out: the caller assesses; null: nobody is named yet.
    assessor_id: Maybe[uuid.UUID | None] = UNSET


@dataclasses.dataclass(frozen=True, kw_only=True)
class EqualityAssessmentChange(Command):
    """The fields of an assessment in progress that change, each replaced whole."""

    kind: Maybe[str] = UNSET
    relevance: Maybe[Mapping[str, str]] = UNSET
    answers: Maybe[Mapping[str, str]] = UNSET
    summary: Maybe[str] = UNSET
    assessor_id: Maybe[uuid.UUID | None] = UNSET


@dataclasses.dataclass(frozen=True, kw_only=True)
class FitnessAnswer(Command):
    """One answer of the fit-for-purpose checklist: yes, no or partly, and why."""

    answer: str
    comment: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class NewFitnessCheck(Command):
    """The checklist (Cafcass appendix 3) answered for a version, by question key."""

    document_id: uuid.UUID
    version_id: uuid.UUID
    answers: Mapping[str, FitnessAnswer]

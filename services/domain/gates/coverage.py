"""Which assessment stands for a draft, and whether the draft itself was assessed.

An equality impact assessment, a legal review or a fit-for-purpose check is of one version.
For a draft, the assessment that stands is the one of the latest draft assessed up to it (a
later assessment replaces an earlier one, whatever either found). It covers the draft when
it is of that very draft, or when the document's responsible officer stated that nothing
material changed between the draft assessed and this one (issue 13: assessments belong to a
draft; Cafcass 4.8: the near final version is assessed). Pure reads.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from services.domain.gates.checklist import is_complete
from services.domain.models.assessments import (
    EqualityAssessment,
    EqualityAssessmentStatus,
    FitnessCheck,
    LegalReview,
    NoMaterialChangeStatement,
)
from services.domain.models.documents import DocumentVersion

Assessment = EqualityAssessment | LegalReview | FitnessCheck

# The gate each kind of assessment meets (services.domain.governance.definition.GATES).
GATE_OF_KIND = {
    "equality_assessment": "eia_screened",
    "legal_review": "legal_review",
    "fitness_check": "fit_for_purpose",
}
KIND_OF_GATE = {gate: kind for kind, gate in GATE_OF_KIND.items()}
# Cafcass 4.8: no adverse impact, or adverse impact that can be justified, lets a draft go on.
EIA_PASSING = frozenset({"no_adverse_impact", "adverse_impact_justified"})
OUTCOME_WORDS = {
    "no_adverse_impact": "no adverse impact",
    "possible_adverse_impact": "possible adverse impact",
    "adverse_impact_justified": "adverse impact, justified",
    "adverse_impact_found": "adverse impact found",
    "no_concerns": "no concerns",
    "changes_advised": "changes advised",
    "not_lawful": "not lawful",
}


@dataclass(frozen=True)
class Standing:
    """The assessment that stands for a draft: of that draft or of an earlier one."""

    kind: str  # one of ASSESSMENT_KINDS
    assessment: Assessment
    version: DocumentVersion  # the draft assessed
    passes: bool  # its result lets a draft go to sign-off

    @property
    def outcome(self) -> str | None:
        return getattr(self.assessment, "outcome", None)

    def describe(self) -> str:
        """'the equality impact screening of version 0.1'."""
        return f"the {what(self.kind, self.assessment)} of version {self.version.number}"

    def result(self) -> str:
        """Its result in words ('no adverse impact'); for a checklist, its answers."""
        if isinstance(self.assessment, FitnessCheck):
            answers = [a.get("answer") for a in self.assessment.answers.values()]
            return ", ".join(f"{answers.count(w)} {w}" for w in ("yes", "partly", "no"))
        outcome = self.outcome or ""
        return OUTCOME_WORDS.get(outcome, outcome)


def what(kind: str, assessment: Assessment | None = None) -> str:
    """The assessment in words a policy officer uses."""
    if kind == "equality_assessment":
        if isinstance(assessment, EqualityAssessment) and assessment.kind == "full":
            return "full equality impact assessment"
        return "equality impact screening"
    if kind == "legal_review":
        return "legal review"
    return "fit-for-purpose checklist"


def _up_to(version: DocumentVersion) -> ColumnElement[bool]:
    return tuple_(DocumentVersion.major, DocumentVersion.minor) <= (version.major, version.minor)


async def _latest_equality(
    session: AsyncSession, document_id: uuid.UUID, version: DocumentVersion
) -> Standing | None:
    # Of the latest draft assessed, the last completed: a full assessment replaces the
    # screening of the same draft.
    row = (
        await session.execute(
            select(EqualityAssessment, DocumentVersion)
            .join(DocumentVersion, DocumentVersion.id == EqualityAssessment.version_id)
            .where(
                EqualityAssessment.document_id == document_id,
                EqualityAssessment.status == EqualityAssessmentStatus.COMPLETED,
                _up_to(version),
            )
            .order_by(
                DocumentVersion.major.desc(),
                DocumentVersion.minor.desc(),
                EqualityAssessment.completed_at.desc(),
            )
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    assessment, assessed = row
    return Standing("equality_assessment", assessment, assessed, assessment.outcome in EIA_PASSING)


async def _latest_legal(
    session: AsyncSession, document_id: uuid.UUID, version: DocumentVersion
) -> Standing | None:
    # Of the latest draft answered about: advice that it is not lawful stands against that
    # draft whatever else was said about it; otherwise the last answer.
    rows = (
        await session.execute(
            select(LegalReview, DocumentVersion)
            .join(DocumentVersion, DocumentVersion.id == LegalReview.version_id)
            .where(
                LegalReview.document_id == document_id,
                LegalReview.answered_at.is_not(None),
                _up_to(version),
            )
            .order_by(
                DocumentVersion.major.desc(),
                DocumentVersion.minor.desc(),
                LegalReview.answered_at.desc(),
            )
        )
    ).all()
    if not rows:
        return None
    latest = rows[0][1]
    of_latest = [review for review, assessed in rows if assessed.id == latest.id]
    refused = [review for review in of_latest if review.outcome == "not_lawful"]
    if refused:
        return Standing("legal_review", refused[0], latest, False)
    return Standing("legal_review", of_latest[0], latest, True)


async def _latest_fitness(
    session: AsyncSession, document_id: uuid.UUID, version: DocumentVersion
) -> Standing | None:
    rows = await session.execute(
        select(FitnessCheck, DocumentVersion)
        .join(DocumentVersion, DocumentVersion.id == FitnessCheck.version_id)
        .where(FitnessCheck.document_id == document_id, _up_to(version))
        .order_by(
            DocumentVersion.major.desc(),
            DocumentVersion.minor.desc(),
            FitnessCheck.created_at.desc(),
        )
    )
    for check, assessed in rows.all():
        if is_complete(check.answers):
            return Standing("fitness_check", check, assessed, True)
    return None


async def standing_assessment(
    session: AsyncSession, document_id: uuid.UUID, version: DocumentVersion, kind: str
) -> Standing | None:
    """The assessment of ``kind`` that stands for ``version``, if any was made up to it."""
    finders = {
        "equality_assessment": _latest_equality,
        "legal_review": _latest_legal,
        "fitness_check": _latest_fitness,
    }
    return await finders[kind](session, document_id, version)


def assessment_column(kind: str) -> InstrumentedAttribute[uuid.UUID | None]:
    """The statement's column that names an assessment of ``kind``."""
    columns: dict[str, InstrumentedAttribute[uuid.UUID | None]] = {
        "equality_assessment": NoMaterialChangeStatement.equality_assessment_id,
        "legal_review": NoMaterialChangeStatement.legal_review_id,
        "fitness_check": NoMaterialChangeStatement.fitness_check_id,
    }
    return columns[kind]


def in_force() -> ColumnElement[bool]:
    """Statements not corrected by a later one."""
    correction = aliased(NoMaterialChangeStatement)
    return ~exists().where(correction.supersedes_id == NoMaterialChangeStatement.id)


async def carrying_statement(
    session: AsyncSession, standing: Standing, version: DocumentVersion
) -> NoMaterialChangeStatement | None:
    """The statement in force that carries the standing assessment to ``version``."""
    found = await session.execute(
        select(NoMaterialChangeStatement)
        .where(
            NoMaterialChangeStatement.version_id == version.id,
            NoMaterialChangeStatement.assessed_version_id == standing.version.id,
            assessment_column(standing.kind) == standing.assessment.id,
            in_force(),
        )
        .order_by(NoMaterialChangeStatement.stated_at.desc())
        .limit(1)
    )
    return found.scalar_one_or_none()

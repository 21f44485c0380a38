"""Equality impact assessments of a version (Cafcass 4.8 and appendix 2, LBBD stage 5).

A screening rates the document's relevance to each of the organisation's equality categories
(high, medium or low) and answers the appendix 2 questions; if it finds possible adverse
impact a full assessment follows. A full assessment that finds adverse impact means the draft
changes and is assessed again. A completed assessment is the record: it never changes, and a
re-assessment is a new one (usually of a later version).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.assessments.commands import EqualityAssessmentChange, NewEqualityAssessment
from services.domain.audit import changes as audit_changes
from services.domain.audit import service as audit
from services.domain.authz import assessments as authz
from services.domain.authz.principal import Principal
from services.domain.clock import utcnow
from services.domain.commands import UNSET
from services.domain.db import new_id
from services.domain.documents.named import (
    document_and_version,
)
from services.domain.documents.service import get_document
from services.domain.errors import Conflict, Invalid, NotFound, PreconditionFailed
from services.domain.models.assessments import (
    EIA_KINDS,
    EqualityAssessment,
    EqualityAssessmentStatus,
)
from services.domain.models.documents import Document
from services.domain.organisations.service import get as get_organisation
from services.domain.pagination import after_position
from services.domain.people.service import require_active_person

WHAT = "Equality impact assessments"
RELEVANCE_LEVELS = ("high", "medium", "low")
# Cafcass appendix 2. Section A question 10 is the relevance grid (``relevance``).
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("a1_aim", "What is the aim, objective or purpose of the policy?"),
    (
        "a2_outcomes",
        "What outcomes do we want to achieve for this policy or function, and for whom?",
    ),
    ("a3_stakeholders", "Who are the main stakeholders in the policy?"),
    ("a4_beneficiaries", "Who is intended to benefit from this policy, and in what way?"),
    (
        "a5_factors",
        "What factors contribute to the outcomes of the policy? What forces detract from the "
        "outcomes?",
    ),
    (
        "a6_other_objectives",
        "How do the outcomes help or hinder other organisational objectives, policies or values?",
    ),
    (
        "a7_associated_objectives",
        "If there are associated objectives of the policy, what are they?",
    ),
    ("a8_defined_by", "Who defined or defines the policy?"),
    (
        "a9_implemented_by",
        "Who implements the policy and who is responsible for it, including the role the "
        "organisation holds in relation to this policy, and the roles of other agencies or "
        "public bodies?",
    ),
    (
        "a11_race",
        "Are there any concerns the policy could have a differential impact on the grounds of "
        "racial or ethnic origin?",
    ),
    (
        "a12_religion",
        "Are there any concerns the policy could have a differential impact on the grounds of "
        "religion or belief?",
    ),
    (
        "a13_disability",
        "Are there any concerns the policy could have a differential impact on the grounds of "
        "disability?",
    ),
    (
        "a14_age",
        "Are there any concerns the policy could have a differential impact on the grounds of age?",
    ),
    (
        "a15_sexual_orientation",
        "Are there any concerns the policy could have a differential impact on the grounds of "
        "sexual orientation?",
    ),
    (
        "a16_gender",
        "Are there any concerns the policy could have a differential impact on the grounds of "
        "gender?",
    ),
    (
        "b1_general_duty",
        "Which aspect of the General Duty does this policy or function relate to: tackling "
        "unlawful discrimination, promoting equality of opportunity, promoting good relations "
        "between people from different racial groups, or none (with reasons)?",
    ),
    (
        "b2_full_assessment_evidence",
        "Is there enough evidence to proceed directly to a Full Impact Assessment?",
    ),
    (
        "b3_secondary_assessment",
        "Is there enough evidence to proceed to a Secondary Impact Assessment? If yes, its date.",
    ),
    (
        "b4_adverse_impact",
        "Could the differential impact identified (in section A questions 11-16) indicate the "
        "potential for adverse impact? If yes, explain in relation to the 3 aspects of the "
        "General Duty.",
    ),
    (
        "b5_justification",
        "Can the adverse impact be justified on the grounds of promoting equality for one group, "
        "or for any other reasons? If yes, explain in relation to the 3 aspects of the General "
        "Duty.",
    ),
)
QUESTION_KEYS = frozenset(key for key, _ in QUESTIONS)
# A screening decides whether a full assessment is needed; a full one decides the draft.
OUTCOMES_BY_KIND: dict[str, tuple[str, ...]] = {
    "screening": ("no_adverse_impact", "possible_adverse_impact"),
    "full": ("no_adverse_impact", "adverse_impact_justified", "adverse_impact_found"),
}


async def categories_of(session: AsyncSession, organisation_id: uuid.UUID) -> list[str]:
    """The equality categories the organisation's assessments rate (configurable)."""
    return list((await get_organisation(session, organisation_id)).eia_categories)


def _check_relevance(relevance: Mapping[str, object], categories: list[str]) -> None:
    unknown = sorted(set(relevance) - set(categories))
    if unknown:
        raise Invalid(
            f"{unknown[0]!r} is not one of the organisation's equality categories "
            f"({', '.join(categories)}).",
            field="relevance",
        )
    for category, level in relevance.items():
        if level not in RELEVANCE_LEVELS:
            raise Invalid(
                f"Rate {category!r} high, medium or low, not {str(level)[:40]!r}.",
                field="relevance",
            )


def _check_answers(answers: Mapping[str, object]) -> None:
    unknown = sorted(set(answers) - QUESTION_KEYS)
    if unknown:
        raise Invalid(
            f"{unknown[0][:80]!r} is not an equality assessment question; see "
            "/v1/equality-assessments/questions.",
            field="answers",
        )
    for key, answer in answers.items():
        if not isinstance(answer, str):
            raise Invalid(f"The answer to {key} must be text.", field="answers")


async def _check_fields(
    session: AsyncSession,
    organisation_id: uuid.UUID,
    given: NewEqualityAssessment | EqualityAssessmentChange,
) -> None:
    if given.kind is not UNSET and given.kind not in EIA_KINDS:
        raise Invalid("An assessment is a screening or a full assessment.", field="kind")
    if given.relevance is not UNSET:
        _check_relevance(given.relevance, await categories_of(session, organisation_id))
    if given.answers is not UNSET:
        _check_answers(given.answers)
    assessor_id = None if given.assessor_id is UNSET else given.assessor_id
    await require_active_person(session, organisation_id, assessor_id, "assessor_id")


async def create_assessment(
    session: AsyncSession, principal: Principal, command: NewEqualityAssessment
) -> EqualityAssessment:
    """Start a screening or full assessment of a version (anyone who can edit the document)."""
    document, version = await document_and_version(
        session,
        principal,
        command.document_id,
        command.version_id,
        lambda d: authz.check_record(principal, d, WHAT),
    )
    await _check_fields(session, document.organisation_id, command)
    assessment = EqualityAssessment(
        id=new_id(),
        organisation_id=document.organisation_id,
        document_id=document.id,
        version_id=version.id,
        status=EqualityAssessmentStatus.IN_PROGRESS,
        kind=command.kind,
        relevance=dict(command.relevance),
        answers=dict(command.answers),
        summary=command.summary,
        assessor_id=(principal.person_id if command.assessor_id is UNSET else command.assessor_id),
    )
    session.add(assessment)
    await session.flush()
    await audit_changes.record_change(session, principal, assessment, "equality_assessment.created")
    return assessment


async def get_assessment(
    session: AsyncSession,
    principal: Principal,
    assessment_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> tuple[EqualityAssessment, Document]:
    """An assessment and its document, if the caller may read the document's drafts."""
    query = select(EqualityAssessment).where(
        EqualityAssessment.id == assessment_id,
        EqualityAssessment.organisation_id == principal.organisation_id,
    )
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    assessment = (await session.execute(query)).scalar_one_or_none()
    if assessment is None:
        raise NotFound("No such equality assessment.")
    document = await get_document(session, principal, assessment.document_id)
    authz.check_read(principal, document, WHAT)
    return assessment, document


async def list_assessments(
    session: AsyncSession,
    principal: Principal,
    document_id: uuid.UUID,
    *,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[EqualityAssessment]:
    """A document's assessments, oldest first."""
    document = await get_document(session, principal, document_id)
    authz.check_read(principal, document, WHAT)
    query = select(EqualityAssessment).where(EqualityAssessment.document_id == document.id)
    query = after_position(query, EqualityAssessment.created_at, EqualityAssessment.id, after)
    return list((await session.execute(query.limit(limit))).scalars())


def _check_open(assessment: EqualityAssessment, expected_version: int) -> None:
    if assessment.row_version != expected_version:
        raise PreconditionFailed("The assessment has changed since you read it; fetch it again.")
    if assessment.status != EqualityAssessmentStatus.IN_PROGRESS:
        raise Conflict(
            "A completed assessment is never changed: start a new one (a re-assessment)."
        )


async def update_assessment(
    session: AsyncSession,
    principal: Principal,
    assessment: EqualityAssessment,
    document: Document,
    change: EqualityAssessmentChange,
    *,
    expected_version: int,
) -> EqualityAssessment:
    """Change an assessment in progress; a field sent replaces the stored one."""
    authz.check_record(principal, document, WHAT)
    _check_open(assessment, expected_version)
    await _check_fields(session, assessment.organisation_id, change)
    changes = change.given()
    changed = {k for k, v in changes.items() if getattr(assessment, k) != v}
    if not changed:
        return assessment
    before = audit.snapshot(assessment)
    for key in changed:
        setattr(assessment, key, changes[key])
    await session.flush()
    await audit_changes.record_change(
        session, principal, assessment, "equality_assessment.updated", before=before
    )
    return assessment


async def complete_assessment(
    session: AsyncSession,
    principal: Principal,
    assessment: EqualityAssessment,
    document: Document,
    *,
    outcome: str,
    summary: str | None = None,
    expected_version: int,
) -> EqualityAssessment:
    """Record the outcome; every equality category must have been rated first."""
    authz.check_record(principal, document, WHAT)
    _check_open(assessment, expected_version)
    allowed = OUTCOMES_BY_KIND[assessment.kind]
    if outcome not in allowed:
        raise Invalid(
            f"A {assessment.kind} ends with one of: {', '.join(allowed)}.", field="outcome"
        )
    categories = await categories_of(session, assessment.organisation_id)
    _check_relevance(assessment.relevance, categories)
    unrated = [c for c in categories if c not in assessment.relevance]
    if unrated:
        raise Invalid(
            f"Rate the relevance to every equality category first: {', '.join(unrated)}.",
            field="relevance",
        )
    before = audit.snapshot(assessment)
    assessment.status = EqualityAssessmentStatus.COMPLETED
    assessment.outcome = outcome
    assessment.completed_at = utcnow()
    if summary is not None:
        assessment.summary = summary
    await session.flush()
    await audit_changes.record_change(
        session, principal, assessment, "equality_assessment.completed", before=before
    )
    return assessment

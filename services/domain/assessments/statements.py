"""The responsible officer's statement that nothing material changed between two drafts.

An equality impact assessment, legal review or fitness check is of one draft (issue 13:
assessments belong to a draft). When a later draft changes nothing that matters to it, the
document's responsible officer may say so, with the reason, instead of assessing the later
draft again: the statement carries that one assessment to that later draft. A statement is
never changed; a correction is a new statement that supersedes it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain import events
from services.domain.audit import changes as audit_changes
from services.domain.authz import assessments as authz
from services.domain.authz.principal import Principal
from services.domain.calendar.words import long_date
from services.domain.clock import utcnow
from services.domain.db import new_id
from services.domain.documents.named import version_named
from services.domain.documents.service import get_document
from services.domain.errors import Conflict, Invalid, NotFound
from services.domain.gates.coverage import (
    Assessment,
    assessment_column,
    carrying_statement,
    in_force,
    standing_assessment,
    what,
)
from services.domain.models.assessments import (
    ASSESSMENT_KINDS,
    EqualityAssessment,
    EqualityAssessmentStatus,
    FitnessCheck,
    LegalReview,
    NoMaterialChangeStatement,
)
from services.domain.models.documents import Document, DocumentVersion
from services.domain.outbox.service import emit
from services.domain.pagination import after_position

WHAT = "Statements that nothing material changed"
MODELS: dict[str, type[Assessment]] = {
    "equality_assessment": EqualityAssessment,
    "legal_review": LegalReview,
    "fitness_check": FitnessCheck,
}


def _is_finished(assessment: Assessment) -> bool:
    if isinstance(assessment, EqualityAssessment):
        return assessment.status == EqualityAssessmentStatus.COMPLETED
    if isinstance(assessment, LegalReview):
        return assessment.answered_at is not None
    return True  # a fitness check is recorded whole


async def _assessment_named(
    session: AsyncSession, principal: Principal, kind: str, assessment_id: uuid.UUID
) -> Assessment:
    if kind not in ASSESSMENT_KINDS:
        raise Invalid(
            f"The assessment is one of: {', '.join(ASSESSMENT_KINDS)}.", field="assessment_kind"
        )
    model = MODELS[kind]
    found = cast(
        Assessment | None,
        (
            await session.execute(
                select(model).where(
                    model.id == assessment_id, model.organisation_id == principal.organisation_id
                )
            )
        ).scalar_one_or_none(),
    )
    if found is None:
        raise Invalid(f"No such {kind.replace('_', ' ')}.", field="assessment_id")
    return found


async def _check_carries(
    session: AsyncSession,
    kind: str,
    assessment: Assessment,
    assessed: DocumentVersion,
    draft: DocumentVersion,
) -> None:
    """The assessment is finished, found nothing that blocks, and is the one that stands for
    ``draft``: a statement cannot reach past a draft assessed since, whatever it found."""
    named = f"the {what(kind, assessment)} of version {assessed.number}"
    if not _is_finished(assessment):
        raise Conflict(f"{named[:1].upper()}{named[1:]} is not finished: it carries nothing yet.")
    standing = await standing_assessment(session, assessment.document_id, draft, kind)
    assert standing is not None  # the assessment named is finished and of an earlier draft
    if standing.assessment.id != assessment.id:
        if standing.version.id == draft.id:
            raise Conflict(
                f"Version {draft.number} has its own {what(kind, standing.assessment)} "
                f"({standing.result()}): that one stands for it, not {named}."
            )
        raise Conflict(
            f"{standing.describe()[:1].upper()}{standing.describe()[1:]} ({standing.result()}) "
            f"stands after {named}: a statement about version {draft.number} can carry only "
            "the assessment that stands, never one from before a later assessment."
        )
    if not standing.passes:
        raise Conflict(
            f"{named[:1].upper()}{named[1:]} found {standing.result()}: a statement that "
            "nothing material changed cannot carry it. Change the draft and assess it again "
            "(Cafcass 4.8)."
        )


async def _superseded(
    session: AsyncSession,
    document: Document,
    kind: str,
    draft: DocumentVersion,
    supersedes_id: uuid.UUID,
) -> NoMaterialChangeStatement:
    previous = (
        await session.execute(
            select(NoMaterialChangeStatement).where(
                NoMaterialChangeStatement.id == supersedes_id,
                NoMaterialChangeStatement.document_id == document.id,
            )
        )
    ).scalar_one_or_none()
    if previous is None:
        raise Invalid("No such statement about this document.", field="supersedes_id")
    if previous.assessment_kind != kind or previous.version_id != draft.id:
        raise Invalid(
            "A correction is about the same kind of assessment and the same draft as the "
            "statement it corrects.",
            field="supersedes_id",
        )
    corrected = await session.execute(
        select(NoMaterialChangeStatement.id).where(
            NoMaterialChangeStatement.supersedes_id == previous.id
        )
    )
    if corrected.first() is not None:
        raise Conflict("That statement has been corrected already: correct the correction.")
    return previous


async def _later_draft(
    session: AsyncSession,
    document: Document,
    assessment: Assessment,
    version_id: uuid.UUID,
) -> tuple[DocumentVersion, DocumentVersion]:
    """The draft the statement is about, a later one than the draft assessed, and that one."""
    draft = await version_named(session, document, version_id)
    if draft.is_issued:
        raise Invalid("Name the draft to be submitted, not an issued version.", field="version_id")
    assessed = await session.get(DocumentVersion, assessment.version_id)
    assert assessed is not None
    if (draft.major, draft.minor) <= (assessed.major, assessed.minor):
        raise Invalid(
            f"The statement carries an assessment of version {assessed.number} to a later "
            f"draft; {draft.number} is not later.",
            field="version_id",
        )
    return draft, assessed


async def _corrected(
    session: AsyncSession,
    document: Document,
    kind: str,
    assessed: DocumentVersion,
    draft: DocumentVersion,
    supersedes_id: uuid.UUID | None,
) -> NoMaterialChangeStatement | None:
    """The statement a correction supersedes; a new statement (no ``supersedes_id``) is
    refused when one in force already carries the assessment to the draft."""
    if supersedes_id is not None:
        return await _superseded(session, document, kind, draft, supersedes_id)
    standing = await standing_assessment(session, document.id, draft, kind)
    assert standing is not None
    stated = await carrying_statement(session, standing, draft)
    if stated is not None:
        raise Conflict(
            f"It was stated on {long_date(stated.stated_at)} that nothing material changed "
            f"between {assessed.number} and {draft.number}; to correct that statement, "
            "make a new one that supersedes it (supersedes_id)."
        )
    return None


async def state_no_material_change(
    session: AsyncSession,
    principal: Principal,
    *,
    assessment_kind: str,
    assessment_id: uuid.UUID,
    version_id: uuid.UUID,
    reason: str,
    supersedes_id: uuid.UUID | None = None,
) -> NoMaterialChangeStatement:
    """Record the responsible officer's statement that nothing material changed between the
    draft an assessment is of and the later draft ``version_id``, and why."""
    assessment = await _assessment_named(session, principal, assessment_kind, assessment_id)
    # Statements about one document are made one at a time (one in force per draft and kind).
    document = await get_document(session, principal, assessment.document_id, for_update=True)
    authz.check_state_no_material_change(principal, document)
    draft, assessed = await _later_draft(session, document, assessment, version_id)
    if not reason.strip():
        raise Invalid("Say why nothing material changed.", field="reason")
    await _check_carries(session, assessment_kind, assessment, assessed, draft)
    previous = await _corrected(session, document, assessment_kind, assessed, draft, supersedes_id)
    statement = NoMaterialChangeStatement(
        id=new_id(),
        organisation_id=document.organisation_id,
        document_id=document.id,
        assessment_kind=assessment_kind,
        assessed_version_id=assessed.id,
        version_id=draft.id,
        reason=reason.strip(),
        stated_by_id=principal.person_id,
        stated_at=utcnow(),
        supersedes_id=previous.id if previous is not None else None,
        **{assessment_column(assessment_kind).key: assessment.id},
    )
    session.add(statement)
    await session.flush()
    await audit_changes.record_change(session, principal, statement, "no_material_change.stated")
    await emit(
        session,
        events.NoMaterialChangeStated(
            organisation_id=statement.organisation_id,
            statement_id=statement.id,
            document_id=statement.document_id,
            assessment_kind=assessment_kind,
            assessment_id=assessment.id,
            assessed_version_id=assessed.id,
            version_id=draft.id,
            stated_by_id=principal.person_id,
            supersedes_id=statement.supersedes_id,
        ),
    )
    return statement


async def get_statement(
    session: AsyncSession, principal: Principal, statement_id: uuid.UUID
) -> NoMaterialChangeStatement:
    """A statement the caller may read (the document's team and the policy team)."""
    statement = (
        await session.execute(
            select(NoMaterialChangeStatement).where(
                NoMaterialChangeStatement.id == statement_id,
                NoMaterialChangeStatement.organisation_id == principal.organisation_id,
            )
        )
    ).scalar_one_or_none()
    if statement is None:
        raise NotFound("No such statement.")
    authz.check_read(principal, await get_document(session, principal, statement.document_id), WHAT)
    return statement


async def list_statements(
    session: AsyncSession,
    principal: Principal,
    document_id: uuid.UUID,
    *,
    version_id: uuid.UUID | None = None,
    is_in_force: bool | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[NoMaterialChangeStatement]:
    """A document's statements, oldest first; ``is_in_force``: not corrected since."""
    document = await get_document(session, principal, document_id)
    authz.check_read(principal, document, WHAT)
    query = select(NoMaterialChangeStatement).where(
        NoMaterialChangeStatement.document_id == document.id
    )
    if version_id is not None:
        query = query.where(NoMaterialChangeStatement.version_id == version_id)
    if is_in_force is not None:
        query = query.where(in_force() if is_in_force else ~in_force())
    query = after_position(
        query, NoMaterialChangeStatement.created_at, NoMaterialChangeStatement.id, after
    )
    return list((await session.execute(query.limit(limit))).scalars())


async def corrections_of(
    session: AsyncSession, statements: list[NoMaterialChangeStatement]
) -> dict[uuid.UUID, uuid.UUID]:
    """{statement id: id of the statement that corrects it} for those corrected."""
    if not statements:
        return {}
    rows = await session.execute(
        select(NoMaterialChangeStatement.supersedes_id, NoMaterialChangeStatement.id).where(
            NoMaterialChangeStatement.supersedes_id.in_([s.id for s in statements])
        )
    )
    return {old: new for old, new in rows.all() if old is not None}

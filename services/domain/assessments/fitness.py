"""The fit-for-purpose checklist (Cafcass appendix 3), answered for one version.

Checks are append-only: answering again, usually for a later draft, is a new check.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.assessments.commands import FitnessAnswer, NewFitnessCheck
from services.domain.audit import changes as audit_changes
from services.domain.authz import assessments as authz
from services.domain.authz.principal import Principal
from services.domain.db import new_id
from services.domain.documents.named import (
    document_and_version,
)
from services.domain.documents.service import get_document
from services.domain.errors import Invalid, NotFound
from services.domain.gates.checklist import ANSWERS, QUESTION_KEYS
from services.domain.models.assessments import FitnessCheck
from services.domain.pagination import after_position

WHAT = "Fit-for-purpose checks"
COMMENT_MAX = 2000


def _normalised(answers: Mapping[str, FitnessAnswer]) -> dict[str, dict[str, str]]:
    """The answers as the check stores them: every question, yes, no or partly, with a comment."""
    unknown = sorted(set(answers) - set(QUESTION_KEYS))
    if unknown:
        raise Invalid(
            f"{unknown[0][:80]!r} is not a fit-for-purpose question; see "
            "/v1/fitness-checks/questions.",
            field="answers",
        )
    missing = [key for key in QUESTION_KEYS if key not in answers]
    if missing:
        raise Invalid(f"Answer every question: {', '.join(missing)}.", field="answers")
    out = {}
    for key in QUESTION_KEYS:
        given = answers[key]
        if given.answer not in ANSWERS:
            raise Invalid(f"Answer {key} with yes, no or partly.", field="answers")
        comment = given.comment or ""
        if not isinstance(comment, str) or len(comment) > COMMENT_MAX:
            raise Invalid(
                f"The comment on {key} is text of at most {COMMENT_MAX} characters.",
                field="answers",
            )
        out[key] = {"answer": given.answer, "comment": comment}
    return out


async def record_check(
    session: AsyncSession, principal: Principal, command: NewFitnessCheck
) -> FitnessCheck:
    """Record the checklist answered for a version (anyone who can edit the document)."""
    document, version = await document_and_version(
        session,
        principal,
        command.document_id,
        command.version_id,
        lambda d: authz.check_record(principal, d, WHAT),
    )
    check = FitnessCheck(
        id=new_id(),
        organisation_id=document.organisation_id,
        document_id=document.id,
        version_id=version.id,
        answers=_normalised(command.answers),
        checked_by_id=principal.person_id,
    )
    session.add(check)
    await session.flush()
    await audit_changes.record_change(session, principal, check, "fitness_check.recorded")
    return check


async def get_check(
    session: AsyncSession, principal: Principal, check_id: uuid.UUID
) -> FitnessCheck:
    """A check the caller may read (the document's team and the policy team)."""
    check = (
        await session.execute(
            select(FitnessCheck).where(
                FitnessCheck.id == check_id,
                FitnessCheck.organisation_id == principal.organisation_id,
            )
        )
    ).scalar_one_or_none()
    if check is None:
        raise NotFound("No such fit-for-purpose check.")
    authz.check_read(principal, await get_document(session, principal, check.document_id), WHAT)
    return check


async def list_checks(
    session: AsyncSession,
    principal: Principal,
    document_id: uuid.UUID,
    *,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 50,
) -> list[FitnessCheck]:
    """A document's checks, oldest first."""
    document = await get_document(session, principal, document_id)
    authz.check_read(principal, document, WHAT)
    query = select(FitnessCheck).where(FitnessCheck.document_id == document.id)
    query = after_position(query, FitnessCheck.created_at, FitnessCheck.id, after)
    return list((await session.execute(query.limit(limit))).scalars())

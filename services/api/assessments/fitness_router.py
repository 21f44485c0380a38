"""Fit-for-purpose checks (Cafcass appendix 3) of a version."""

from __future__ import annotations

import uuid

from fastapi import Response

from services.api.assessments import schemas
from services.api.deps import CurrentPrincipal, Session
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.assessments import fitness
from services.domain.assessments.commands import FitnessAnswer, NewFitnessCheck
from services.domain.authz.permissions import Permission as P
from services.domain.gates import checklist

router = Router(prefix="/v1/fitness-checks", tags=["fitness-checks"])


@router.get(
    "/questions", response_model=schemas.FitnessQuestions, dependencies=[allowed(P.DRAFTS_READ)]
)
async def get_fitness_questions(principal: CurrentPrincipal) -> schemas.FitnessQuestions:
    """The fit-for-purpose criteria (Cafcass appendix 3) and the answers each may have."""
    return schemas.FitnessQuestions.model_validate(
        {
            "questions": [{"key": k, "text": t} for k, t in checklist.QUESTIONS],
            "answers": checklist.ANSWERS,
        }
    )


@router.get("", response_model=schemas.FitnessCheckPage, dependencies=[allowed(P.DRAFTS_READ)])
async def list_fitness_checks(
    document_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
) -> schemas.FitnessCheckPage:
    """A document's checks, oldest first (its team and the policy team)."""
    scope = {"document_id": str(document_id)}
    after = page.after_time(scope)
    found = await fitness.list_checks(
        session, principal, document_id, after=after, limit=page.fetch
    )
    found, next_cursor = page.time_page(found, scope, lambda row: row.created_at)
    return schemas.FitnessCheckPage(
        items=[schemas.FitnessCheck.model_validate(c) for c in found], next_cursor=next_cursor
    )


@router.post(
    "",
    status_code=201,
    response_model=schemas.FitnessCheck,
    dependencies=[allowed(P.ASSESSMENTS_RECORD)],
)
async def record_fitness_check(
    body: schemas.FitnessCheckCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.FitnessCheck:
    """Answer every question of the checklist for a version (anyone who can edit the
    document). Checks are never changed: check again for a later draft."""
    command = NewFitnessCheck(
        document_id=body.document_id,
        version_id=body.version_id,
        answers={k: FitnessAnswer.of(v.model_dump()) for k, v in body.answers.items()},
    )
    check = await fitness.record_check(session, principal, command)
    response.headers["Location"] = f"/v1/fitness-checks/{check.id}"
    return schemas.FitnessCheck.model_validate(check)


@router.get(
    "/{check_id}", response_model=schemas.FitnessCheck, dependencies=[allowed(P.DRAFTS_READ)]
)
async def get_fitness_check(
    check_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.FitnessCheck:
    return schemas.FitnessCheck.model_validate(
        await fitness.get_check(session, principal, check_id)
    )

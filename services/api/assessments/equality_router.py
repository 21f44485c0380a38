"""Equality impact assessments: screenings and full assessments of a version."""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from services.api.assessments import schemas
from services.api.deps import CurrentPrincipal, Session
from services.api.errors import problem_response
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.paging import Page
from services.api.permissions import PUBLIC, allowed
from services.api.routing import Router
from services.domain.assessments import equality
from services.domain.assessments.commands import EqualityAssessmentChange, NewEqualityAssessment
from services.domain.authz.permissions import Permission as P
from services.domain.models.assessments import EqualityAssessment

router = Router(prefix="/v1/equality-assessments", tags=["equality-assessments"])


def _out(assessment: EqualityAssessment, response: Response) -> schemas.EqualityAssessment:
    set_etag(response, assessment.row_version)
    return schemas.EqualityAssessment.model_validate(assessment)


@router.get(
    "/questions", response_model=schemas.EqualityQuestions, dependencies=[allowed(P.DRAFTS_READ)]
)
async def get_equality_questions(
    session: Session, principal: CurrentPrincipal
) -> schemas.EqualityQuestions:
    """The equality categories of your organisation and the questions of an assessment
    (Cafcass appendix 2), with the outcomes each kind may reach."""
    return schemas.EqualityQuestions.model_validate(
        {
            "categories": await equality.categories_of(session, principal.organisation_id),
            "relevance_levels": equality.RELEVANCE_LEVELS,
            "questions": [{"key": k, "text": t} for k, t in equality.QUESTIONS],
            "outcomes": equality.OUTCOMES_BY_KIND,
        }
    )


@router.api_route(
    "/questions",
    methods=["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"],
    include_in_schema=False,
    dependencies=[PUBLIC],
)
async def equality_questions_other_methods(request: Request) -> Response:
    # /questions sits beside /{assessment_id}: without this route a PATCH here would be read
    # as an assessment id and answer 422, not 405 with the one method the resource has.
    return problem_response(request, 405, headers={"Allow": "GET, HEAD"})


@router.get(
    "", response_model=schemas.EqualityAssessmentPage, dependencies=[allowed(P.DRAFTS_READ)]
)
async def list_equality_assessments(
    document_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
) -> schemas.EqualityAssessmentPage:
    """A document's assessments, oldest first (its team and the policy team)."""
    scope = {"document_id": str(document_id)}
    after = page.after_time(scope)
    found = await equality.list_assessments(
        session, principal, document_id, after=after, limit=page.fetch
    )
    found, next_cursor = page.time_page(found, scope, lambda row: row.created_at)
    return schemas.EqualityAssessmentPage(
        items=[schemas.EqualityAssessment.model_validate(a) for a in found],
        next_cursor=next_cursor,
    )


@router.post(
    "",
    status_code=201,
    response_model=schemas.EqualityAssessment,
    dependencies=[allowed(P.ASSESSMENTS_RECORD)],
)
async def create_equality_assessment(
    body: schemas.EqualityAssessmentCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.EqualityAssessment:
    """Start a screening or a full assessment of a version (anyone who can edit the
    document)."""
    command = NewEqualityAssessment.of(body.model_dump(exclude_unset=True))
    assessment = await equality.create_assessment(session, principal, command)
    response.headers["Location"] = f"/v1/equality-assessments/{assessment.id}"
    return _out(assessment, response)


@router.get(
    "/{assessment_id}",
    response_model=schemas.EqualityAssessment,
    dependencies=[allowed(P.DRAFTS_READ)],
)
async def get_equality_assessment(
    assessment_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.EqualityAssessment:
    assessment, _ = await equality.get_assessment(session, principal, assessment_id)
    return _out(assessment, response)


@router.patch(
    "/{assessment_id}",
    response_model=schemas.EqualityAssessment,
    dependencies=[allowed(P.ASSESSMENTS_RECORD)],
)
async def update_equality_assessment(
    assessment_id: uuid.UUID,
    body: schemas.EqualityAssessmentUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.EqualityAssessment:
    """Change an assessment in progress; a completed one answers 409. Needs `If-Match`."""
    expected = expected_version(if_match)
    assessment, document = await equality.get_assessment(
        session, principal, assessment_id, for_update=True
    )
    assessment = await equality.update_assessment(
        session,
        principal,
        assessment,
        document,
        EqualityAssessmentChange.of(body.model_dump(exclude_unset=True)),
        expected_version=expected,
    )
    return _out(assessment, response)


@router.post(
    "/{assessment_id}/complete",
    response_model=schemas.EqualityAssessment,
    dependencies=[allowed(P.ASSESSMENTS_RECORD)],
)
async def complete_equality_assessment(
    assessment_id: uuid.UUID,
    body: schemas.EqualityAssessmentCompletion,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.EqualityAssessment:
    """Record the outcome. Every equality category must be rated first; afterwards the
    assessment never changes. Needs `If-Match`."""
    expected = expected_version(if_match)
    assessment, document = await equality.get_assessment(
        session, principal, assessment_id, for_update=True
    )
    assessment = await equality.complete_assessment(
        session,
        principal,
        assessment,
        document,
        outcome=body.outcome,
        summary=body.summary,
        expected_version=expected,
    )
    return _out(assessment, response)

"""Statements by a document's responsible officer that nothing material changed between two
drafts, carrying an assessment of the earlier one to the later one (issue 13, item 7)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response

from services.api.assessments import schemas
from services.api.deps import CurrentPrincipal, Session
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.assessments import statements
from services.domain.authz.permissions import Permission as P
from services.domain.gates.coverage import assessment_column
from services.domain.models.assessments import NoMaterialChangeStatement

router = Router(prefix="/v1/no-material-change-statements", tags=["no-material-change-statements"])


def _out(
    statement: NoMaterialChangeStatement, superseded_by: uuid.UUID | None
) -> schemas.NoMaterialChangeStatement:
    return schemas.NoMaterialChangeStatement.model_validate(
        {
            "id": statement.id,
            "document_id": statement.document_id,
            "assessment_kind": statement.assessment_kind,
            "assessment_id": getattr(statement, assessment_column(statement.assessment_kind).key),
            "assessed_version_id": statement.assessed_version_id,
            "version_id": statement.version_id,
            "reason": statement.reason,
            "stated_by_id": statement.stated_by_id,
            "stated_at": statement.stated_at,
            "supersedes_id": statement.supersedes_id,
            "superseded_by_id": superseded_by,
        }
    )


@router.get(
    "",
    response_model=schemas.NoMaterialChangeStatementPage,
    dependencies=[allowed(P.DRAFTS_READ)],
)
async def list_no_material_change_statements(
    document_id: uuid.UUID,
    session: Session,
    principal: CurrentPrincipal,
    page: Page,
    version_id: Annotated[
        uuid.UUID | None, Query(description="Only those carrying an assessment to this draft.")
    ] = None,
    is_in_force: Annotated[
        bool | None, Query(description="true: not corrected since; false: corrected.")
    ] = None,
) -> schemas.NoMaterialChangeStatementPage:
    """A document's statements, oldest first (its team and the policy team)."""
    scope = {
        "document_id": str(document_id),
        "version_id": str(version_id) if version_id else None,
        "is_in_force": is_in_force,
    }
    after = page.after_time(scope)
    found = await statements.list_statements(
        session,
        principal,
        document_id,
        version_id=version_id,
        is_in_force=is_in_force,
        after=after,
        limit=page.fetch,
    )
    found, next_cursor = page.time_page(found, scope, lambda row: row.created_at)
    corrected = await statements.corrections_of(session, found)
    return schemas.NoMaterialChangeStatementPage(
        items=[_out(s, corrected.get(s.id)) for s in found], next_cursor=next_cursor
    )


@router.post(
    "",
    status_code=201,
    response_model=schemas.NoMaterialChangeStatement,
    dependencies=[allowed(P.ASSESSMENTS_RECORD)],
)
async def state_no_material_change(
    body: schemas.NoMaterialChangeStatementCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.NoMaterialChangeStatement:
    """The document's responsible officer states that nothing material changed between the
    draft an assessment is of and a later draft, and why: the assessment then meets its gate
    for that draft. Only the responsible officer (403 for anyone else, the policy team
    included); only the assessment that stands for the draft, and only one that found
    nothing blocking (409 otherwise). Never changed: correct it with a new statement that
    names it in `supersedes_id`."""
    statement = await statements.state_no_material_change(
        session,
        principal,
        assessment_kind=body.assessment_kind,
        assessment_id=body.assessment_id,
        version_id=body.version_id,
        reason=body.reason,
        supersedes_id=body.supersedes_id,
    )
    response.headers["Location"] = f"/v1/no-material-change-statements/{statement.id}"
    return _out(statement, None)


@router.get(
    "/{statement_id}",
    response_model=schemas.NoMaterialChangeStatement,
    dependencies=[allowed(P.DRAFTS_READ)],
)
async def get_no_material_change_statement(
    statement_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.NoMaterialChangeStatement:
    statement = await statements.get_statement(session, principal, statement_id)
    corrected = await statements.corrections_of(session, [statement])
    return _out(statement, corrected.get(statement.id))

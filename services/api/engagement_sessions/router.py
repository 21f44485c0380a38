"""Engagement sessions (LBBD 4 co-production workshops, NCT 4.1 review sessions): planning and
recording them on a document, with attendees, notes and actions, and a document's list."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import Response

from services.api.deps import CurrentPrincipal, Session
from services.api.engagement_sessions import schemas
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.authz.permissions import Permission as P
from services.domain.engagement_sessions import service
from services.domain.engagement_sessions.commands import (
    EngagementSessionChange,
    NewEngagementSession,
)
from services.domain.models.engagement_sessions import EngagementSession

router = Router(prefix="/v1/engagement-sessions", tags=["engagement-sessions"])
document_router = Router(prefix="/v1/documents", tags=["engagement-sessions"])


def _view(found: EngagementSession) -> schemas.EngagementSession:
    return schemas.EngagementSession.model_validate(found)


def _out(found: EngagementSession, response: Response) -> schemas.EngagementSession:
    set_etag(response, found.row_version)
    return _view(found)


@document_router.post(
    "/{document_id}/engagement-sessions",
    status_code=201,
    response_model=schemas.EngagementSession,
    dependencies=[allowed(P.DOCUMENTS_EDIT)],
)
async def record_engagement_session(
    document_id: uuid.UUID,
    body: schemas.EngagementSessionCreate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
) -> schemas.EngagementSession:
    """Plan a workshop, co-production or review session on a document (optionally about one
    draft), or record one already held with its attendees, notes and actions: whoever may
    edit the document (its author, responsible officer, owner, or the policy team)."""
    command = NewEngagementSession.of(body.model_dump(exclude_unset=True))
    created = await service.record_session(session, principal, document_id, command)
    response.headers["Location"] = f"/v1/engagement-sessions/{created.id}"
    return _out(created, response)


@document_router.get(
    "/{document_id}/engagement-sessions",
    response_model=schemas.EngagementSessionPage,
    dependencies=[allowed(P.DRAFTS_READ)],
)
async def list_engagement_sessions(
    document_id: uuid.UUID, session: Session, principal: CurrentPrincipal, page: Page
) -> schemas.EngagementSessionPage:
    """A document's sessions, earliest day first: planned, held and cancelled (those who may
    read its drafts)."""
    scope = {"document_id": str(document_id)}
    after = page.after(scope, (date, uuid.UUID))
    found = await service.list_for_document(
        session,
        principal,
        document_id,
        after=(after[0], after[1]) if after else None,
        limit=page.fetch,
    )
    rows, next_cursor = page.page(found, scope, lambda s: [s.held_on.isoformat(), str(s.id)])
    return schemas.EngagementSessionPage(items=[_view(s) for s in rows], next_cursor=next_cursor)


@router.get(
    "/{session_id}",
    response_model=schemas.EngagementSession,
    dependencies=[allowed(P.DRAFTS_READ)],
)
async def get_engagement_session(
    session_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.EngagementSession:
    """One session, with its ETag."""
    found = await service.get_session(session, principal, session_id)
    return _out(found, response)


@router.patch(
    "/{session_id}",
    response_model=schemas.EngagementSession,
    dependencies=[allowed(P.DOCUMENTS_EDIT)],
)
async def update_engagement_session(
    session_id: uuid.UUID,
    body: schemas.EngagementSessionUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> schemas.EngagementSession:
    """Change a session, record it `held` (with its notes, attendees and actions; on or before
    today) or `cancelled`; mark actions done. Needs `If-Match`. 409 for a cancelled session
    or a move back (held or cancelled is final)."""
    expected = expected_version(if_match)
    change = EngagementSessionChange.of(body.model_dump(exclude_unset=True))
    found = await service.get_session(session, principal, session_id, for_update=True)
    changed = await service.change_session(
        session, principal, found, change, expected_version=expected
    )
    return _out(changed, response)

"""Cascade reviews: the organisation's rules, and the flags an amended parent's issue left."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query

from services.api.cascades import schemas
from services.api.deps import CurrentPrincipal, LagTolerantSession, Session
from services.api.paging import Page
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.authz.permissions import Permission as P
from services.domain.reviews import cascade_flags as flags
from services.domain.reviews import cascade_rules as rules

router = Router(prefix="/v1", tags=["reviews"])


@router.get(
    "/cascade-rules",
    response_model=list[schemas.CascadeRule],
    dependencies=[allowed(P.TRACKER_READ)],
)
async def list_cascade_rules(
    session: Session, principal: CurrentPrincipal
) -> list[schemas.CascadeRule]:
    """What an amended document's issue does to each document linked to it, per kind of link:
    `open_review` (an unscheduled review, trigger `parent_changed`), `flag` (for its RO) or
    `nothing`. Defaults: governs and implements open a review, form_for flags."""
    return [schemas.CascadeRule.of(view) for view in await rules.list_rules(session, principal)]


@router.put(
    "/cascade-rules",
    response_model=list[schemas.CascadeRule],
    dependencies=[allowed(P.DOCUMENTS_MANAGE)],
)
async def set_cascade_rules(
    body: schemas.CascadeRulesUpdate, session: Session, principal: CurrentPrincipal
) -> list[schemas.CascadeRule]:
    """Set the action for the link kinds given (the policy team and admins); the others keep
    theirs. Each change is audited."""
    given = {kind: action for kind, action in body.model_dump().items() if action is not None}
    views = await rules.set_rules(session, principal, given)
    return [schemas.CascadeRule.of(view) for view in views]


@router.get(
    "/cascade-flags",
    response_model=schemas.CascadeFlagPage,
    dependencies=[allowed(P.TRACKER_READ)],
)
async def list_cascade_flags(
    session: LagTolerantSession,
    principal: CurrentPrincipal,
    page: Page,
    document_id: uuid.UUID | None = None,
    parent_document_id: uuid.UUID | None = None,
    is_open: Annotated[
        bool | None, Query(alias="open", description="true: waiting for the RO's decision.")
    ] = None,
) -> schemas.CascadeFlagPage:
    """What amended parents' issues did to the documents linked to them, oldest first: the
    documents you are named on (every one for the policy team); of a document, from a parent,
    open or not."""
    scope = {
        "document_id": str(document_id) if document_id else None,
        "parent_document_id": str(parent_document_id) if parent_document_id else None,
        "open": is_open,
    }
    found = await flags.list_flags(
        session,
        principal,
        document_id=document_id,
        parent_document_id=parent_document_id,
        is_open=is_open,
        after=page.after_time(scope),
        limit=page.fetch,
    )
    found, next_cursor = page.time_page(found, scope, lambda view: view.flag.created_at)
    return schemas.CascadeFlagPage(
        items=[schemas.CascadeFlag.of(view) for view in found], next_cursor=next_cursor
    )


@router.get(
    "/cascade-flags/{flag_id}",
    response_model=schemas.CascadeFlag,
    dependencies=[allowed(P.TRACKER_READ)],
)
async def get_cascade_flag(
    flag_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.CascadeFlag:
    """One flag: the parent, its versions and the diff, and what became of it."""
    return schemas.CascadeFlag.of(await flags.get_flag(session, principal, flag_id))


@router.post(
    "/cascade-flags/{flag_id}/dismiss",
    response_model=schemas.CascadeFlag,
    dependencies=[allowed(P.REVIEWS_RUN)],
)
async def dismiss_cascade_flag(
    flag_id: uuid.UUID,
    body: schemas.CascadeFlagDismissal,
    session: Session,
    principal: CurrentPrincipal,
) -> schemas.CascadeFlag:
    """The parent's change does not touch this document (its RO, owner or author, or the
    policy team): the flag is closed with the reason. Only an open flag; else 409."""
    view = await flags.get_flag(session, principal, flag_id, for_update=True)
    view = await flags.dismiss_flag(session, principal, view, reason=body.reason)
    return schemas.CascadeFlag.of(view)


@router.post(
    "/cascade-flags/{flag_id}/review",
    response_model=schemas.CascadeFlag,
    dependencies=[allowed(P.REVIEWS_RUN)],
)
async def open_review_from_cascade_flag(
    flag_id: uuid.UUID, session: Session, principal: CurrentPrincipal
) -> schemas.CascadeFlag:
    """Open the unscheduled review the flag calls for (trigger `parent_changed`, its detail
    naming the parent, its versions and the diff); a document already under review has the
    flag noted on that review (`attached`). Only an open flag; else 409."""
    view = await flags.get_flag(session, principal, flag_id, for_update=True)
    view, _ = await flags.open_review_from_flag(session, principal, view)
    return schemas.CascadeFlag.of(view)

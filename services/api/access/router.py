"""API keys of the caller's organisation (admins)."""

from __future__ import annotations

import uuid

from fastapi import Response

from services.api.access import schemas
from services.api.deps import CurrentPrincipal, Session
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.access import service
from services.domain.authz import organisation as org_authz
from services.domain.authz.permissions import Permission as P
from services.domain.errors import PreconditionFailed

router = Router(prefix="/v1/api-keys", tags=["api-keys"])


@router.get("", response_model=list[schemas.ApiKey], dependencies=[allowed(P.API_KEYS_MANAGE)])
async def list_api_keys(session: Session, principal: CurrentPrincipal) -> list[schemas.ApiKey]:
    return [
        schemas.ApiKey.model_validate(k) for k in await service.list_api_keys(session, principal)
    ]


@router.post(
    "",
    status_code=201,
    response_model=schemas.ApiKeyCreated,
    dependencies=[allowed(P.API_KEYS_MANAGE)],
)
async def create_api_key(
    body: schemas.ApiKeyCreate, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.ApiKeyCreated:
    """Issue a key. The secret is in this response only."""
    org_authz.check_manage_keys(principal)
    issued = await service.create_api_key(
        session,
        principal,
        organisation_id=principal.organisation_id,
        role=body.role,
        name=body.name,
        person_id=body.person_id,
    )
    set_etag(response, issued.api_key.row_version)
    response.headers["Location"] = f"/v1/api-keys/{issued.api_key.id}"
    response.headers["Cache-Control"] = "no-store"
    return schemas.ApiKeyCreated.model_validate(
        {**schemas.ApiKey.model_validate(issued.api_key).model_dump(), "key": issued.secret}
    )


@router.get("/{key_id}", response_model=schemas.ApiKey, dependencies=[allowed(P.API_KEYS_MANAGE)])
async def get_api_key(
    key_id: uuid.UUID, session: Session, principal: CurrentPrincipal, response: Response
) -> schemas.ApiKey:
    key = await service.get_api_key(session, principal, key_id)
    set_etag(response, key.row_version)
    return schemas.ApiKey.model_validate(key)


@router.delete(
    "/{key_id}", status_code=204, response_class=Response, dependencies=[allowed(P.API_KEYS_MANAGE)]
)
async def revoke_api_key(
    key_id: uuid.UUID, session: Session, principal: CurrentPrincipal, if_match: IfMatchHeader = None
) -> Response:
    """Revoke a key at once. Needs `If-Match`."""
    expected = expected_version(if_match)
    key = await service.get_api_key(session, principal, key_id)
    if key.row_version != expected:
        raise PreconditionFailed("The key has changed since you read it.")
    await service.revoke_api_key(session, principal, key)
    return Response(status_code=204)

"""Turning an Authorization header into a Principal: API keys first, OIDC tokens if enabled."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import State

from services.domain.access import oidc
from services.domain.access.service import KEY_PREFIX, authenticate_api_key
from services.domain.authz.principal import Principal
from services.domain.errors import Unauthenticated


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Send 'Authorization: Bearer <API key or access token>'.")
    return token.strip()


async def authenticate(session: AsyncSession, state: State, authorization: str | None) -> Principal:
    token = bearer_token(authorization)
    if token.startswith(KEY_PREFIX):
        return await authenticate_api_key(session, token, state.settings.api_key_cache_seconds)
    if state.settings.oidc_enabled and token.count(".") == 2:
        return await oidc.authenticate_jwt(session, state.settings, state.jwks, token)
    raise Unauthenticated("The API key is not valid.")

"""Turning an Authorization header into a Principal: API keys first, OIDC tokens if enabled."""

from __future__ import annotations

from starlette.datastructures import State

from services.domain.access import oidc
from services.domain.access.service import KEY_PREFIX, authenticate_api_key, kept_principal
from services.domain.authz.principal import Principal
from services.domain.errors import Unauthenticated


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Send 'Authorization: Bearer <API key or access token>'.")
    return token.strip()


async def authenticate(state: State, authorization: str | None) -> Principal:
    """The caller, in a short transaction of its own, or none at all while the key's principal
    is kept: a request holds one pooled connection at a time, whichever session its route takes.
    (Sharing the route's session, 32 concurrent reads under ReadSession held two each and
    emptied a pool of 30: every request waited.)"""
    token = bearer_token(authorization)
    if token.startswith(KEY_PREFIX):
        seconds = state.settings.api_key_cache_seconds
        if seconds and (kept := kept_principal(token)) is not None:
            return kept
        async with state.sessionmaker() as session, session.begin():
            return await authenticate_api_key(session, token, seconds)
    if state.settings.oidc_enabled and token.count(".") == 2:
        async with state.sessionmaker() as session, session.begin():
            return await oidc.authenticate_jwt(session, state.settings, state.jwks, token)
    raise Unauthenticated("The API key is not valid.")

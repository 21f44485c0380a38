"""Dependencies shared by every router: the transaction, the caller, settings, the public
address."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.auth import authenticate
from services.api.page_cache import PageCache
from services.domain import correlation
from services.domain.authz.principal import Principal
from services.domain.settings import Settings

bearer = HTTPBearer(
    auto_error=False,
    description="An API key (`pgv_…`) or, where enabled, an OIDC access token.",
)


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """One request, one transaction: committed once at the end, rolled back on any error."""
    async with request.app.state.sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


# scope="function": the commit happens before the response is sent, so a failed commit is
# reported to the caller instead of being hidden behind a 2xx.
Session = Annotated[AsyncSession, Depends(_session, scope="function")]


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for a route that only reads: no transaction, so no BEGIN and COMMIT round
    trips; each statement sees the database as it is when the statement starts."""
    async with request.app.state.read_sessionmaker() as session:
        yield session


# Only for routes that write nothing and need no two reads consistent with each other (a
# document, a page of a list): anything else takes Session.
ReadSession = Annotated[AsyncSession, Depends(_read_session, scope="function")]


async def _principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    header = f"Bearer {credentials.credentials}" if credentials else None
    principal = await authenticate(request.app.state, header)
    # For the request's log line: whose, never the key itself.
    caller = principal.person_id or principal.api_key_id
    correlation.note_caller(principal.organisation_id, str(caller) if caller else None)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(_principal)]


# Dependencies are coroutines even where they need not be: FastAPI runs a plain function in its
# thread pool, a hand-off that cost more than the rest of the dependency on every request.
async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(_settings)]


async def _public_url(request: Request) -> str:
    """Where clients reach the API, without a trailing slash: the ``public_url`` setting, else
    this request's scheme, host and root path (a proxy's path prefix included)."""
    settings: Settings = request.app.state.settings
    return settings.public_url or str(request.base_url).rstrip("/")


# The base of every absolute link the API hands out.
PublicUrl = Annotated[str, Depends(_public_url)]


async def _pages(request: Request) -> PageCache:
    pages: PageCache = request.app.state.pages
    return pages


# The pages of the register and the tracker this process keeps (services/api/page_cache.py).
Pages = Annotated[PageCache, Depends(_pages)]

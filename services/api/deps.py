"""Dependencies shared by every router: the transaction, the caller, settings, the public
address."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.auth import authenticate
from services.api.page_cache import PageCache
from services.api.replica import ReadRouting
from services.domain import correlation
from services.domain.authz.principal import Principal
from services.domain.settings import Settings

bearer = HTTPBearer(
    auto_error=False,
    description="An API key (`pgv_…`) or, where enabled, an OIDC access token.",
)


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """One request, one transaction: committed once at the end, rolled back on any error.
    With a read replica, a transaction that wrote marks its caller first (services/api/
    replica.py), so that the caller's next reads see the change."""
    async with request.app.state.sessionmaker() as session:
        try:
            yield session
            reads: ReadRouting | None = request.app.state.reads
            principal: Principal | None = getattr(request.state, "principal", None)
            if reads is not None and principal is not None and await reads.wrote(session):
                await reads.mark(principal)
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
    request.state.principal = principal  # whose write the session marks (_session)
    # For the request's log line: whose, never the key itself.
    caller = principal.person_id or principal.api_key_id
    correlation.note_caller(principal.organisation_id, str(caller) if caller else None)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(_principal)]


@asynccontextmanager
async def _lag_tolerant(
    request: Request, principal: Principal | None, *, transaction: bool
) -> AsyncIterator[AsyncSession]:
    """A read session on the replica, or on the primary where there is none or the caller
    wrote within the window (services/api/replica.py). With ``transaction``, a read-only
    transaction (a write fails wherever it runs), ended by closing the session; without, as
    ReadSession."""
    reads: ReadRouting | None = request.app.state.reads
    on_replica = reads is not None and await reads.use_replica(principal)
    if reads is not None and on_replica:
        maker = reads.replica if transaction else reads.replica_autocommit
    elif transaction:
        maker = request.app.state.read_only_sessionmaker
    else:
        maker = request.app.state.read_sessionmaker
    async with maker() as session:
        session.info["replica"] = on_replica  # the page cache reads the chain head there too
        yield session


async def _lag_tolerant_session(
    request: Request, principal: CurrentPrincipal
) -> AsyncIterator[AsyncSession]:
    async with _lag_tolerant(request, principal, transaction=True) as session:
        yield session


async def _lag_tolerant_read_session(
    request: Request, principal: CurrentPrincipal
) -> AsyncIterator[AsyncSession]:
    async with _lag_tolerant(request, principal, transaction=False) as session:
        yield session


async def _feed_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with _lag_tolerant(request, None, transaction=True) as session:
        yield session


# Reads that tolerate lag (deploy/SCALING.md): the register's lists and searches, the tracker.
# Session and ReadSession, but on the read replica where one is set, except for a caller who
# wrote within POLICYGOV_REPLICA_AFTER_WRITE_SECONDS. Never for a read that leads to a write
# (a document read for its ETag) or that a caller's next step relies on.
LagTolerantSession = Annotated[AsyncSession, Depends(_lag_tolerant_session, scope="function")]
LagTolerantReadSession = Annotated[
    AsyncSession, Depends(_lag_tolerant_read_session, scope="function")
]
# The calendar feeds, read by calendar clients with the token in the address (no caller to
# keep on the primary): on the replica where one is set.
FeedSession = Annotated[AsyncSession, Depends(_feed_session, scope="function")]


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

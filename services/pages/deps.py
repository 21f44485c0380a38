"""What a page's handler takes: the transaction, the settings, and its public declaration."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.settings import Settings


class PageProblem(Exception):
    """A page's own refusal (a form that was not sent from the page): shown as a problem page
    with ``status``, as a domain error is. Refusals of authority stay the domain's."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """One request, one transaction, as the API's: committed once at the end, rolled back on
    any error, and also when the page showed a problem or a form's errors instead of raising
    (``refuse``), so that nothing half-written stays."""
    async with request.app.state.sessionmaker() as session:
        try:
            yield session
            if getattr(request.state, "page_refused", False):
                await session.rollback()
            else:
                await session.commit()
        except BaseException:
            await session.rollback()
            raise


# scope="function": committed before the response is sent (a redirect after a failed commit
# would tell someone their answer was saved when it was not).
Session = Annotated[AsyncSession, Depends(_session, scope="function")]


def refuse(request: Request) -> None:
    """The page answers with a problem or a form's errors: roll back whatever was written."""
    request.state.page_refused = True


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(_settings)]


async def _public() -> None:
    """No API key: each page checks the signed token in its address."""


# The permission matrix (services/api/permissions.py) reads this attribute: a page is public.
_public.permissions = ()  # type: ignore[attr-defined]
PUBLIC = Depends(_public)

"""Opening a staff view link: one declaration per page (``@page(router, path)``), which
checks the link's token against the page's path before the page reads anything."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from services.domain.access.view_links import TOKEN_MAX, ViewLink, open_view_link
from services.domain.authz.principal import Principal
from services.domain.models.documents import DocumentVersion
from services.domain.models.organisations import Organisation
from services.domain.settings import Settings
from services.domain.text import TextPolicy
from services.pages.deps import AppSettings, Session
from services.pages.rendering import render

Token = Annotated[str, TextPolicy(TOKEN_MAX, 1), Query(description="The token from the email.")]


@dataclass(frozen=True)
class Opened:
    """A page's request once its link is open: who for, and what to read with."""

    link: ViewLink
    request: Request
    session: AsyncSession
    settings: Settings
    token: str

    @property
    def principal(self) -> Principal:
        return self.link.principal

    def id(self, name: str) -> uuid.UUID:
        """The path's id called ``name`` (the route's ``:uuid`` converter parsed it)."""
        value: uuid.UUID = self.request.path_params[name]
        return value

    def file_link(self, path: str) -> str:
        """A link from this page to one of its files, under the token it was opened with."""
        return f"{path}?token={self.token}"

    async def page(self, template: str, title: str, **context: Any) -> Response:
        """``records/<template>`` with its title and the organisation's name."""
        organisation = await self.session.get(Organisation, self.link.person.organisation_id)
        name = organisation.name if organisation is not None else None
        return render(f"records/{template}", {"title": title, "organisation_name": name, **context})


Show = Callable[[Opened], Awaitable[Response]]
# More paths whose links open a page: a paper opens under its meeting's link too.
MorePaths = Callable[[AsyncSession, dict[str, Any]], Awaitable[list[str]]]


def _filled(template: str, params: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(params[m.group(1)]), template)


def page(
    router: APIRouter, path: str, *, under: str | None = None, more: MorePaths | None = None
) -> Callable[[Show], Show]:
    """Serve ``show`` at GET ``path`` to whoever holds a link for it (or for the page
    ``under`` it, or for one of the ``more`` paths). A refused link is the domain's NotFound
    or Forbidden, which the page route shows as a problem page with its 4xx."""

    def register(show: Show) -> Show:
        async def endpoint(
            request: Request, token: Token, session: Session, settings: AppSettings
        ) -> Response:
            params = dict(request.path_params)
            paths = [_filled(under or path, params)]
            paths += await more(session, params) if more else []
            link = await open_view_link(session, settings.keyring, token, paths)
            return await show(Opened(link, request, session, settings, token))

        endpoint.__doc__ = show.__doc__
        router.add_api_route(path, endpoint, methods=["GET"], name=show.__name__)
        return show

    return register


def file_answer(version: DocumentVersion, content: bytes) -> Response:
    """A version's file to save, as uploaded (the page route adds the security headers)."""
    name = version.filename.encode("ascii", "replace").decode().replace('"', "'")
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(content, media_type=version.media_type, headers=disposition)

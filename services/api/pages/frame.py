"""What every page shares: its templates, its security headers, its error page, and opening
the view link it was reached by."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.deps import AppSettings, Session
from services.domain.access.view_links import ViewLink, open_view_link
from services.domain.authz.principal import Principal
from services.domain.calendar.words import long_date, long_datetime
from services.domain.errors import DomainError
from services.domain.settings import Settings

TEMPLATES = Path(__file__).parent / "templates"

# Pages show what people typed: nothing in them loads or runs anything from elsewhere. A link
# holds its token in the address: no Referer may carry it to another site, and no cache keeps it.
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@cache
def environment() -> Environment:
    """The pages' Jinja2 environment, built once per process."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["long_date"] = lambda value: long_date(value) if value else ""
    env.filters["long_datetime"] = lambda value: long_datetime(value) if value else ""
    env.filters["words"] = lambda value: str(value or "").replace("_", " ")
    return env


def as_page(response: Response) -> Response:
    """A file served under a link, with the pages' headers (its own media type kept)."""
    response.headers.update(HEADERS)
    return response


def html(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """``template`` filled in, with the pages' headers."""
    body = environment().get_template(template).render(context)
    return HTMLResponse(body, status_code=status, headers=HEADERS)


def error_page(exc: DomainError) -> HTMLResponse:
    """A refused link or a missing record as a page a person can read, with its 4xx status."""
    return html("error.html.j2", status=exc.status, title=exc.title, detail=str(exc))


@dataclass(frozen=True)
class Opened:
    """A page's request once its link is opened: who for, and what to read with."""

    link: ViewLink
    request: Request
    session: AsyncSession
    settings: Settings

    @property
    def principal(self) -> Principal:
        return self.link.principal

    def id(self, name: str) -> uuid.UUID:
        """The path's id called ``name`` (the route's ``:uuid`` converter parsed it)."""
        value: uuid.UUID = self.request.path_params[name]
        return value

    def file_link(self, path: str) -> str:
        """A link from this page to one of its files, under the token it was opened with."""
        return f"{path}?token={self.request.query_params['token']}"


Show = Callable[[Opened], Awaitable[Response]]
# More paths whose links open a page: a paper opens under its meeting's link too.
MorePaths = Callable[[AsyncSession, dict[str, Any]], Awaitable[list[str]]]


def _filled(template: str, params: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(params[m.group(1)]), template)


def page(
    router: APIRouter, path: str, *, under: str | None = None, more: MorePaths | None = None
) -> Callable[[Show], Show]:
    """Serve ``show`` at GET ``path`` to whoever holds a link for it (or for the page
    ``under`` it, or for one of the ``more`` paths); a refused link or a missing record
    answers with the error page instead (a 4xx, never a 500)."""

    def register(show: Show) -> Show:
        async def endpoint(request: Request, session: Session, settings: AppSettings) -> Response:
            params = dict(request.path_params)
            paths = [_filled(under or path, params)]
            try:
                paths += await more(session, params) if more else []
                link = await open_view_link(
                    session, settings.keyring, request.query_params.get("token"), paths
                )
                return await show(Opened(link, request, session, settings))
            except DomainError as exc:
                if exc.status >= 500:
                    raise
                return error_page(exc)

        endpoint.__doc__ = show.__doc__
        router.add_api_route(path, endpoint, methods=["GET"], name=show.__name__)
        return show

    return register

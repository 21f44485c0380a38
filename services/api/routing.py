"""The API's routers: FastAPI's, each declining at once a path none of its routes starts with."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette._utils import get_route_path  # as FastAPI's own routes do
from starlette.routing import Match
from starlette.types import Scope


class Router(APIRouter):
    """An ``APIRouter`` that answers "no match" for a path none of its routes can match, before
    trying its routes one by one.

    FastAPI matches a request against the included routers in turn, and within each against
    every route's pattern, with some bookkeeping in the request's scope for each: behind the
    twenty-odd routers included before it, a fifth of a kept tracker page's CPU went to finding
    its route. A route's path up to its first parameter is a prefix of every path it matches,
    so a path that starts with none of them is no router's business but another's. Declining
    changes no answer: no route of this router would have matched, in full or in part (a 405).
    """

    _starts: tuple[str, ...] = ()
    _starts_of: int = -1

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if len(self.routes) != self._starts_of:
            self._starts = tuple(
                route.path.split("{", 1)[0] if isinstance(route, APIRoute) else ""
                for route in self.routes
            )
            self._starts_of = len(self.routes)
        if scope["type"] == "http" and not get_route_path(scope).startswith(self._starts):
            return Match.NONE, {}
        return super().matches(scope)

"""What every request pays for, kept small: no dependency goes through the thread pool."""

from __future__ import annotations

import inspect
from collections.abc import Iterator

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from services.api.app import create_app
from services.domain.settings import Settings


def dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from dependencies(sub)


def is_coroutine(call: object) -> bool:
    """Run on the event loop: a coroutine or async generator, or an object whose __call__ is."""
    method = getattr(call, "__call__", None)  # noqa: B004  an instance such as HTTPBearer
    return any(
        check(c)
        for check in (inspect.iscoroutinefunction, inspect.isasyncgenfunction)
        for c in (call, method)
    )


def test_every_route_and_dependency_is_a_coroutine(settings: Settings) -> None:
    # FastAPI runs a plain function in its thread pool: a hand-off per call, per request, that
    # cost more than the settings dependency itself (list_documents paid it twice).
    app = create_app(settings)
    routes = [c.route for c in iter_route_contexts(app.routes) if isinstance(c.route, APIRoute)]
    plain = sorted(
        {
            f"{route.path}: {getattr(dep.call, '__qualname__', dep.call)}"
            for route in routes
            for dep in [route.dependant, *dependencies(route.dependant)]
            if dep.call is not None and not is_coroutine(dep.call)
        }
    )
    assert plain == []
    assert len(routes) > 150  # the walk reached the routes of the included routers

"""What every request pays for, kept small: no dependency goes through the thread pool, and a
request holds one pooled connection at a time."""

from __future__ import annotations

import asyncio
import inspect
import re
import uuid
from collections.abc import Iterator

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from httpx import ASGITransport, AsyncClient

from services.api.app import create_app
from services.domain.access import service as access
from services.domain.settings import Settings
from tests.factories import World, document_body


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


async def test_concurrent_reads_hold_one_connection_each_and_never_wait_on_the_pool(
    settings: Settings, world: World
) -> None:
    # A pool of 2 and 6 requests at once, none of whose keys is kept yet: each request must
    # hold one connection at a time. When the caller was authenticated in the route's session
    # and the route read through another, each held two and all of them waited on the pool.
    access.PRINCIPALS.forget_all()
    app = create_app(settings.model_copy(update={"db_pool_size": 2, "db_max_overflow": 0}))
    transport = ASGITransport(app=app)
    try:
        async with AsyncClient(transport=transport, base_url="http://testserver") as api:
            created = await api.post(
                "/v1/documents", json=document_body(), headers=world.a.admin.headers
            )
            assert created.status_code == 201, created.text
            access.PRINCIPALS.forget_all()
            members = [world.a.reader, world.a.author, world.a.approver, world.a.admin]
            reads = [
                api.get(f"/v1/documents/{created.json()['id']}", headers=member.headers)
                for member in members
            ] + [api.get("/v1/tracker/summary", headers=m.headers) for m in members[2:]]
            answers = await asyncio.wait_for(asyncio.gather(*reads), timeout=10)
    finally:
        await app.state.redis.aclose()
        await app.state.engine.dispose()
    assert [a.status_code for a in answers] == [200] * 6


async def test_every_route_is_found_behind_the_routers_that_decline_other_paths(
    settings: Settings,
) -> None:
    # Each router answers "no match" at once for a path none of its routes starts with
    # (services/api/routing.py): every route must still be reached, by each of its methods.
    app = create_app(settings)
    routes = [c.route for c in iter_route_contexts(app.routes) if isinstance(c.route, APIRoute)]
    lost = []
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as api:
        for route in routes:
            path = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), route.path)
            for method in route.methods:
                answer = await api.request(method, path)
                # The router's own answers, not a route's (some routes answer 405 on purpose;
                # a public page answers a missing record with its own HTML problem page).
                is_json = answer.headers.get("content-type", "").startswith("application/")
                unrouted = (
                    answer.status_code in (404, 405)
                    and is_json
                    and answer.json().get("detail") in ("Not Found", "Method Not Allowed")
                )
                if unrouted:
                    lost.append(f"{method} {route.path}: {answer.status_code}")
        # A path of no route is still a 404, and a method a route lacks a 405.
        assert (await api.get("/v1/nothing-here")).status_code == 404
        assert (await api.delete("/v1/tracker")).status_code == 405
    await app.state.redis.aclose()
    await app.state.engine.dispose()
    assert lost == []
    assert len(routes) > 150

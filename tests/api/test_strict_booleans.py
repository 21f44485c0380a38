"""Every yes/no field in a JSON request body takes only true or false.

Pydantic's lax mode reads 0, 1, "yes", "off" and "t" as booleans; the schema says
``"type": "boolean"``, so a client sending ``"allow_self_approval": 0`` has a bug we should name
(422), not a guess we make for it. Found by the fuzzer on PATCH /v1/routes/{id}.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi import params as fastapi_params
from fastapi.routing import APIRoute, iter_route_contexts
from httpx import AsyncClient
from pydantic import BaseModel, Strict

from tests.api.sign_off_support import create_route
from tests.factories import World


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in typing.get_args(annotation):
        yield from _models(arg)


def _is_bool(annotation: Any) -> bool:
    if annotation is bool:
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return any(_is_bool(arg) for arg in typing.get_args(annotation))
    return False


def lax_booleans(app: FastAPI) -> set[str]:
    seen: set[type[BaseModel]] = set()
    lax: set[str] = set()
    pending: list[type[BaseModel]] = []
    for context in iter_route_contexts(app.routes):
        route = context.route
        if not isinstance(route, APIRoute) or route.body_field is None:
            continue
        if isinstance(route.body_field.field_info, fastapi_params.Form):
            continue  # a form sends text; "true" is how a form says yes
        pending.extend(_models(route.body_field.field_info.annotation))
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            if _is_bool(info.annotation) and not any(
                isinstance(m, Strict) and m.strict for m in info.metadata
            ):
                lax.add(f"{model.__module__}.{model.__qualname__}.{name}")
            pending.extend(_models(info.annotation))
    return lax


def test_every_request_boolean_is_strict(app: FastAPI) -> None:
    assert lax_booleans(app) == set()


class _Inner(BaseModel):
    flag: bool | None = None


class _Probe(BaseModel):
    inner: list[_Inner]


def test_the_walk_finds_request_booleans(app: FastAPI) -> None:
    # A lax boolean nested in a list must be found, or the test above proves nothing.
    probe = FastAPI()

    @probe.post("/probe")
    async def take(body: _Probe) -> None:  # pragma: no cover - never called
        return None

    assert lax_booleans(probe) == {f"{__name__}._Inner.flag"}


async def test_a_number_for_a_boolean_is_a_422_naming_the_field(
    client: AsyncClient, world: World
) -> None:
    stage = {"key": "owner", "name": "Owner", "decider": {"kind": "document_role", "role": "owner"}}
    route = await create_route(client, world, [stage])
    definition = {"stages": [stage], "allow_self_approval": 0}
    response = await client.patch(
        f"/v1/routes/{route['id']}",
        json={"definition": definition},
        headers={**world.a.policy_officer.headers, "If-Match": route["etag"]},
    )
    assert response.status_code == 422, response.text
    fields = [p["name"] for p in response.json()["invalid_params"]]
    assert any("allow_self_approval" in f for f in fields), response.json()
    unchanged = await client.get(f"/v1/routes/{route['id']}", headers=world.a.admin.headers)
    assert unchanged.headers["ETag"] == route["etag"]

"""Every string a request can carry, found by walking the app's routes: JSON bodies (nested
models, lists, dicts), query parameters and form fields. Shared by the text-policy tests."""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import FastAPI
from fastapi import params as fastapi_params
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from services.domain.text import TextPolicy


@dataclass(frozen=True)
class RequestString:
    where: str  # "module.Model.field" for a body, "GET /path ?name" for a parameter
    model: type[BaseModel] | None
    field: str
    policy: TextPolicy | None


def _policy(metadata: list[Any]) -> TextPolicy | None:
    return next((m for m in metadata if isinstance(m, TextPolicy)), None)


def _strings(
    annotation: Any,
    metadata: list[Any],
    where: str,
    model: type[BaseModel] | None,
    field: str,
    seen: set[type[BaseModel]],
) -> Iterator[RequestString]:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        base, *extra = typing.get_args(annotation)
        yield from _strings(base, [*metadata, *extra], where, model, field, seen)
        return
    if annotation is str:
        yield RequestString(where, model, field, _policy(metadata))
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield from model_strings(annotation, seen)
        return
    # Constraints on "str | None" belong to the str; those on a list or dict do not reach in.
    keep = metadata if origin in (typing.Union, types.UnionType) else []
    for arg in typing.get_args(annotation):
        if arg is Ellipsis or isinstance(arg, str):
            continue  # Literal values, tuple[...]
        yield from _strings(arg, keep, where, model, field, seen)


def model_strings(model: type[BaseModel], seen: set[type[BaseModel]]) -> Iterator[RequestString]:
    if model in seen:
        return
    seen.add(model)
    for name, info in model.model_fields.items():
        where = f"{model.__module__}.{model.__qualname__}.{name}"
        yield from _strings(info.annotation, list(info.metadata), where, model, name, seen)


def _bodies(dependant: Dependant) -> Iterator[Any]:
    yield from dependant.body_params
    for sub in dependant.dependencies:
        yield from _bodies(sub)


def request_strings(app: FastAPI) -> list[RequestString]:
    """Strings of JSON bodies, query parameters and form fields (paths and headers are ids,
    tokens and ETags, checked where they are read)."""
    seen: set[type[BaseModel]] = set()
    found: list[RequestString] = []
    for context in iter_route_contexts(app.routes):
        route = context.route
        if not isinstance(route, APIRoute):
            continue
        label = f"{sorted(route.methods)[0]} {route.path}"
        for param in get_flat_params(route.dependant):
            if isinstance(param.field_info, fastapi_params.Query):
                info = param.field_info
                found.extend(
                    _strings(
                        info.annotation,
                        list(info.metadata),
                        f"{label} ?{param.name}",
                        None,
                        param.name,
                        seen,
                    )
                )
        for body in _bodies(route.dependant):
            info = body.field_info
            found.extend(
                _strings(
                    info.annotation,
                    list(info.metadata),
                    f"{label} body:{body.name}",
                    None,
                    body.name,
                    seen,
                )
            )
    return found

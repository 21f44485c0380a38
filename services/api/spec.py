"""Touches to the generated OpenAPI document that FastAPI cannot express from the routes."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts

from services.api.errors import COMMON_RESPONSES
from services.api.examples import add_examples

MULTIPART = "multipart/form-data"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "head", "patch"})
CHANGES = frozenset({"put", "post", "patch", "delete"})
# The helpers that put an ETag on a response (services/api/etag.py, services/api/files.py).
ETAG_SETTERS = {"set_etag", "version_file", "ETag"}
ETAG_HEADER = {
    "ETag": {
        "description": "The version of what was returned: send it back as If-Match to change it.",
        "schema": {"type": "string"},
    }
}


def _mark_files_binary(schema: dict[str, Any]) -> None:
    # FastAPI gives an UploadFile only contentMediaType (JSON Schema 2020-12); client generators
    # look for OpenAPI 3.0's format: binary, and without it send the file as a text part (422).
    components = schema.get("components", {}).get("schemas", {})
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            content = operation.get("requestBody", {}).get("content", {})
            ref = content.get(MULTIPART, {}).get("schema", {}).get("$ref", "")
            body = components.get(ref.rsplit("/", 1)[-1], {})
            for field in body.get("properties", {}).values():
                for option in [field, *field.get("anyOf", []), field.get("items", {})]:
                    if "contentMediaType" in option:
                        option["format"] = "binary"


def _calls(function: Callable[..., Any]) -> set[str]:
    """The names the function calls; ETag among them when it sets `headers["ETag"]` itself."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError):
        return set()
    called = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            called.add(node.func.id)
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.slice, ast.Constant)
            and node.slice.value == "ETag"
        ):
            called.add("ETag")
    return called


def sends_etag(function: Callable[..., Any], seen: set[str] | None = None) -> bool:
    """Whether the endpoint, or a helper of our API it calls, puts an ETag on the response."""
    seen = set() if seen is None else seen
    called = _calls(function)
    if called & ETAG_SETTERS:
        return True
    for name in called - seen:
        seen.add(name)
        helper = function.__globals__.get(name)
        if (
            inspect.isfunction(helper)
            and helper.__module__.startswith("services.api.")
            and sends_etag(helper, seen)
        ):
            return True
    return False


def _document_etags(app: Any, schema: dict[str, Any]) -> None:
    # The ETag header is set in the endpoint, so FastAPI cannot see it: read the code for it,
    # so that the documentation follows what the code does.
    for context in iter_route_contexts(app.routes):
        route = context.route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        if not sends_etag(route.endpoint):
            continue
        item = schema["paths"].get(context.path or route.path, {})
        for method in route.methods or ():
            responses = item.get(method.lower(), {}).get("responses", {})
            for status, response in responses.items():
                if status.startswith("2"):
                    response.setdefault("headers", {}).update(ETAG_HEADER)


def problem_statuses(method: str, operation: dict[str, Any]) -> set[int]:
    """The problems an operation can give, from what it takes (its parameters and body)."""
    parameters = {(p["in"], p["name"]): p for p in operation.get("parameters", [])}
    body = operation.get("requestBody", {}).get("content", {})
    can = {503}  # a database outage or a full heavy-work pool, anywhere
    if operation.get("security"):
        can |= {401, 403}
    if parameters or body:
        can.add(422)  # a parameter or field out of its schema, or a business rule
    if body:
        can |= {400, 413}  # a body that cannot be parsed; a body over its limit
    ids = any(where == "query" and name.endswith("_id") for where, name in parameters)
    if body or ids or any(where == "path" for where, _ in parameters):
        can.add(404)  # an id not in the caller's organisation
    if ("query", "cursor") in parameters or ("header", "Idempotency-Key") in parameters:
        can.add(400)  # a cursor not ours, a malformed Idempotency-Key
    if MULTIPART in body:
        can.add(415)  # a file of a type the service does not read
    if method in CHANGES:
        can.add(409)  # the record's state, a concurrent change, an Idempotency-Key in flight
    if_match = parameters.get(("header", "If-Match"))
    if if_match is not None:
        can.add(412)
        if if_match.get("required"):
            can.add(428)
    return can


def _trim_problem_statuses(schema: dict[str, Any]) -> None:
    # Every operation was given every common problem; keep those it can give, and any an
    # operation declared in its own words (errors.declared_problem).
    common = {str(status): r["description"] for status, r in COMMON_RESPONSES.items()}
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            can = problem_statuses(method, operation)
            responses = operation.get("responses", {})
            for status in list(responses):
                declared_here = responses[status].get("description") != common.get(status)
                if status in common and int(status) not in can and not declared_here:
                    del responses[status]


def document(app: Any) -> None:
    """Apply the touches to the app's OpenAPI document, once, when it is first built."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            _mark_files_binary(schema)
            _document_etags(app, schema)
            _trim_problem_statuses(schema)
            add_examples(schema)
        result: dict[str, Any] = build()
        return result

    app.openapi = openapi

"""Touches to the generated OpenAPI document that FastAPI cannot express from the routes."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts

MULTIPART = "multipart/form-data"
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


def document(app: Any) -> None:
    """Apply the touches to the app's OpenAPI document, once, when it is first built."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            _mark_files_binary(schema)
            _document_etags(app, schema)
        result: dict[str, Any] = build()
        return result

    app.openapi = openapi

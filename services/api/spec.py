"""Touches to the generated OpenAPI document that FastAPI cannot express from the routes."""

from __future__ import annotations

from typing import Any

MULTIPART = "multipart/form-data"


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


def document(app: Any) -> None:
    """Apply the touches to the app's OpenAPI document, once, when it is first built."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _mark_files_binary(build())
        result: dict[str, Any] = build()
        return result

    app.openapi = openapi

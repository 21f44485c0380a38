"""ETags on single resources and the If-Match rule for changes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Response

from services.domain.errors import PreconditionFailed, PreconditionRequired


def etag_for(row_version: int) -> str:
    return f'"r{row_version}"'


def set_etag(response: Response, row_version: int) -> None:
    response.headers["ETag"] = etag_for(row_version)


IfMatchHeader = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The ETag you last read. Required: a stale value answers 412.",
    ),
]


def document(app: Any) -> None:
    """Declare If-Match as required in the OpenAPI document wherever an operation takes it.

    The parameter is optional in Python so that a missing one answers 428 Precondition
    Required (RFC 6585) rather than a validation error; every operation that takes it answers
    428 without it, so for clients (and generated ones) it is required.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    for parameter in operation.get("parameters", []):
                        if parameter.get("in") == "header" and parameter.get("name") == "If-Match":
                            parameter["required"] = True
                            parameter["schema"] = {"type": "string", "minLength": 1}
        result: dict[str, Any] = build()
        return result

    app.openapi = openapi


def expected_version(if_match: str | None) -> int:
    """The row version the caller last saw; 428 if they sent none, 412 if it is malformed."""
    if not if_match:
        raise PreconditionRequired(
            "Send If-Match with the ETag you last read, so changes made meanwhile are not lost."
        )
    for candidate in if_match.split(","):
        tag = candidate.strip().removeprefix("W/")
        if tag.startswith('"r') and tag.endswith('"') and tag[2:-1].isdigit():
            return int(tag[2:-1])
    raise PreconditionFailed("If-Match does not match the current ETag.")

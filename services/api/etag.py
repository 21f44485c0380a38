"""ETags on single resources and the If-Match rule for changes."""

from __future__ import annotations

from typing import Annotated

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

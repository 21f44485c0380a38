"""Input types shared by the schemas: text PostgreSQL can store, page sizes."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints


def _storable(value: str) -> str:
    # PostgreSQL text cannot hold NUL, and lone surrogates are not UTF-8: refuse both here,
    # as a 422, rather than letting the database fail later.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text") from exc
    return value


def text_field(max_length: int, min_length: int = 0) -> object:
    return Annotated[
        str,
        StringConstraints(min_length=min_length, max_length=max_length, strip_whitespace=True),
        AfterValidator(_storable),
    ]


Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, strip_whitespace=True),
    AfterValidator(_storable),
]
ShortText = Annotated[str, StringConstraints(max_length=200), AfterValidator(_storable)]
LongText = Annotated[str, StringConstraints(max_length=5000), AfterValidator(_storable)]
Tag = Annotated[
    str,
    StringConstraints(min_length=1, max_length=80, strip_whitespace=True),
    AfterValidator(_storable),
]
PageSize = Annotated[int, Field(ge=1, le=200, description="Items per page (1-200).")]

"""Input types shared by the schemas: text (one policy, services/domain/text.py), page sizes,
dates."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field

from services.domain.text import TextPolicy


def text_field(
    max_length: int,
    min_length: int = 0,
    *,
    multiline: bool = False,
    strip: bool = True,
    pattern: str | None = None,
) -> TextPolicy:
    """The text policy for one field (services/domain/text.py): ``Annotated[str, text_field(300)]``
    with ``max_length`` its column's length."""
    return TextPolicy(max_length, min_length, multiline=multiline, strip=strip, pattern=pattern)


Name = Annotated[str, text_field(200, 1)]
ShortText = Annotated[str, text_field(200, strip=False)]
LongText = Annotated[str, text_field(5000, multiline=True, strip=False)]
Tag = Annotated[str, text_field(80, 1)]
# An opaque list position; its own checks (a signature) come when it is read.
Cursor = Annotated[str, text_field(2000, strip=False)]
PageSize = Annotated[int, Field(ge=1, le=200, description="Items per page (1-200).")]


def _iso_text(pattern: str) -> Any:
    # Pydantic reads numbers as Unix timestamps ("0" is 1970-01-01); the schema promises
    # ISO 8601 text, so anything else is a 422.
    def check(value: Any) -> Any:
        if isinstance(value, str) and not re.match(pattern, value):
            raise ValueError("must be ISO 8601 text")
        if isinstance(value, int | float):
            raise ValueError("must be ISO 8601 text, not a number")
        return value

    return BeforeValidator(check)


def _plausible_year(value: Any) -> Any:
    # Governance dates fall within a few centuries of now; the far ends of the calendar would
    # overflow date arithmetic (a deadline three months after 9999-12-20) into a 500.
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"the year must be between {FIRST_YEAR} and {LAST_YEAR}")
    return value


FIRST_YEAR, LAST_YEAR = 1900, 2999
IsoDate = Annotated[date, _iso_text(r"\d{4}-\d{2}-\d{2}$"), AfterValidator(_plausible_year)]
IsoDateTime = Annotated[
    AwareDatetime, _iso_text(r"\d{4}-\d{2}-\d{2}[Tt ]"), AfterValidator(_plausible_year)
]


def fits_column(max_length: int) -> Any:
    """A validator refusing a URL longer than its column once normalised (punycode and
    percent-encoding can make it longer than what was sent)."""

    def check(url: Any) -> Any:
        if len(str(url)) > max_length:
            raise ValueError(f"URL should have at most {max_length} characters once normalised")
        return url

    return AfterValidator(check)

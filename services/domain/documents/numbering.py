"""Version numbering.

# Cafcass 4.11: drafts are 0.1, 0.2, ...; the issued version becomes 1.0; amendments after
# issue are 1.1, 1.2, ...; the next issue is 2.0.
"""

from __future__ import annotations

import re

Number = tuple[int, int]
NUMBER = re.compile(r"^(\d{1,4})\.(\d{1,4})$")


def next_number(latest: Number | None, *, issue: bool) -> Number:
    """The number of the version that follows ``latest`` (None when there is none yet)."""
    major, minor = latest or (0, 0)
    if issue:
        return (major + 1, 0)
    return (major, minor + 1)


def is_issued(number: Number) -> bool:
    """Issued versions are whole numbers (1.0, 2.0); everything else is a draft."""
    return number[0] > 0 and number[1] == 0


def format_number(number: Number) -> str:
    return f"{number[0]}.{number[1]}"


def parse_number(value: str) -> Number | None:
    """'1.2' -> (1, 2); None if ``value`` is not a version number."""
    match = NUMBER.match(value)
    return (int(match[1]), int(match[2])) if match else None

"""What a "You said, we did" summary may not say: it is public, and the respondents were
never asked whether they may be named or quoted.

The response form asks no consent to publish a name or a comment, so the summary's words must
be the policy team's own: no consultee's name or email address, and no run of
``QUOTE_WORDS`` words copied from a response's comments. (A paraphrase of what several people
said is what a "You said, we did" page is for.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from services.domain.errors import Invalid

# Twelve words in a row copied from one comment is a quotation, not a summary.
QUOTE_WORDS = 12
_WORD = re.compile("[\\w'\u2019]+")


def _words(text: str) -> list[str]:
    return [w.casefold().replace("\u2019", "'") for w in _WORD.findall(text)]


def _runs(words: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _names(names: Iterable[str]) -> list[re.Pattern[str]]:
    """A person's full name (two words or more) as whole words, any case; one word alone
    ("Police", "Sam") would refuse ordinary sentences."""
    found = []
    for name in names:
        parts = _WORD.findall(name)
        if len(parts) >= 2:
            found.append(re.compile(r"\b" + r"\s+".join(map(re.escape, parts)) + r"\b", re.I))
    return found


def check_words(
    fields: Sequence[tuple[str, str]],
    *,
    names: Iterable[str],
    emails: Iterable[str],
    comments: Iterable[str],
) -> None:
    """Invalid, naming the first field (``themes.2.said``) that names a consultee, gives an
    email address of one, or quotes ``QUOTE_WORDS`` words in a row of a response."""
    patterns = _names(names)
    addresses = [e.casefold() for e in emails if e]
    quoted: set[tuple[str, ...]] = set()
    for comment in comments:
        quoted |= _runs(_words(comment), QUOTE_WORDS)
    for field, text in fields:
        if not text:
            continue
        lowered = text.casefold()
        if any(pattern.search(text) for pattern in patterns) or any(
            address in lowered for address in addresses
        ):
            raise Invalid(
                "The summary is public: it may not name a consultee (the response form did "
                "not ask their agreement). Describe who said it instead ('two partner "
                "agencies').",
                field=field,
            )
        if quoted and _runs(_words(text), QUOTE_WORDS) & quoted:
            raise Invalid(
                f"This copies {QUOTE_WORDS} or more words in a row from a response; respondents "
                "were not asked whether they may be quoted, so put it in your own words.",
                field=field,
            )

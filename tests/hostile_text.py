"""Hypothesis strategies for hostile text, and a way to use them in async API tests."""

from __future__ import annotations

from typing import TypeVar

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from services.domain.text import TextPolicy

T = TypeVar("T")

# Refused in every field: C0 but tab/LF/CR, DEL, C1, lone surrogates, U+FFFE, U+FFFF.
NEVER = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))]
NEVER += ["\ud800", "\udbff", "\udc00", "\udfff", "\ufffe", "\uffff"]
# Refused in a one-line field only.
LINE_BREAKS = ["\t", "\n", "\r", "\u2028", "\u2029"]
# Text a person can type: letters, digits, punctuation, spaces, symbols (no controls).
typed = st.text(
    st.characters(
        blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\ufffe\uffff"
    ),
    max_size=20,
)
# What PostgreSQL can store (no NUL, no lone surrogate): what an export may meet.
storable = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1
)


@st.composite
def hostile(draw: st.DrawFn, refused: list[str]) -> str:
    """Typed text with at least one refused character somewhere in it."""
    return draw(typed) + draw(st.sampled_from(refused)) + draw(typed)


def hostile_for(policy: TextPolicy) -> st.SearchStrategy[str]:
    """What a field with ``policy`` must refuse: a refused character, or one too many."""
    refused = NEVER if policy.multiline else NEVER + LINE_BREAKS
    too_long = st.integers(1, 20).map(lambda n: "a" * (policy.max_length + n))
    return st.one_of(hostile(refused), too_long)


def examples(strategy: st.SearchStrategy[T], count: int = 25) -> list[T]:
    """``count`` values drawn by Hypothesis, for a test that must await each one (Hypothesis's
    own runner cannot drive the async client)."""
    found: list[T] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: T) -> None:
        found.append(value)

    collect()
    return found

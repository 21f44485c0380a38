"""What changed between two versions of a policy, paragraph by paragraph.

Works on the text that ``documents.text.extract_text`` gives: a paragraph is a non-blank line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

ChangeKind = Literal["added", "removed", "changed"]


@dataclass(frozen=True)
class Change:
    """One paragraph added, removed or reworded; line numbers count paragraphs from 1."""

    kind: ChangeKind
    before: str | None
    after: str | None
    before_line: int | None
    after_line: int | None


def _paragraphs(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _comparable(paragraph: str) -> str:
    # Re-wrapping or a double space after a full stop is not a change a reader cares about.
    return " ".join(paragraph.split())


def diff_texts(before: str, after: str) -> list[Change]:
    """The paragraphs added, removed and changed from ``before`` to ``after``, in order."""
    old, new = _paragraphs(before), _paragraphs(after)
    matcher = SequenceMatcher(
        None, [_comparable(p) for p in old], [_comparable(p) for p in new], autojunk=False
    )
    changes: list[Change] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        # In a replaced block the n-th old paragraph is read as the n-th new one reworded;
        # whatever has no counterpart was removed or added.
        paired = min(i2 - i1, j2 - j1)
        for k in range(paired):
            changes.append(Change("changed", old[i1 + k], new[j1 + k], i1 + k + 1, j1 + k + 1))
        for i in range(i1 + paired, i2):
            changes.append(Change("removed", old[i], None, i + 1, None))
        for j in range(j1 + paired, j2):
            changes.append(Change("added", None, new[j], None, j + 1))
    return changes


def summarise(changes: Iterable[Change]) -> dict[str, int]:
    """How many paragraphs were added, removed and changed (every kind present, maybe 0)."""
    counts = {"added": 0, "removed": 0, "changed": 0}
    for change in changes:
        counts[change.kind] += 1
    return counts

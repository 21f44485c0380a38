"""What changed between two versions of a policy, paragraph by paragraph.

Works on the text that ``documents.text.extract_text`` gives: a paragraph is a non-blank line.

The paragraphs are matched by patience diff: paragraphs that occur once in each text anchor the
match, and the stretches between anchors are matched the same way. A stretch with no such anchor
(repetitive text) is matched by Myers' O(ND) algorithm, within a budget of steps; beyond it the
stretch is reported as reworded, added or removed. So the cost stays near linear in the number of
paragraphs whatever the text, where ``difflib.SequenceMatcher`` took 43 s on 20,000 paragraphs.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

ChangeKind = Literal["added", "removed", "changed"]
# Steps Myers' algorithm may take on one stretch without anchors (about a second of CPU).
MYERS_BUDGET = 2_000_000


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


def diff_texts(before: str, after: str, *, myers_budget: int = MYERS_BUDGET) -> list[Change]:
    """The paragraphs added, removed and changed from ``before`` to ``after``, in order."""
    old, new = _paragraphs(before), _paragraphs(after)
    matches = match_paragraphs(
        [_comparable(p) for p in old], [_comparable(p) for p in new], myers_budget=myers_budget
    )
    changes: list[Change] = []
    i = j = 0
    for mi, mj in [*matches, (len(old), len(new))]:
        # In a replaced block the n-th old paragraph is read as the n-th new one reworded;
        # whatever has no counterpart was removed or added.
        paired = min(mi - i, mj - j)
        for k in range(paired):
            changes.append(Change("changed", old[i + k], new[j + k], i + k + 1, j + k + 1))
        for r in range(i + paired, mi):
            changes.append(Change("removed", old[r], None, r + 1, None))
        for a in range(j + paired, mj):
            changes.append(Change("added", None, new[a], None, a + 1))
        i, j = mi + 1, mj + 1
    return changes


def match_paragraphs(
    a: Sequence[str], b: Sequence[str], *, myers_budget: int = MYERS_BUDGET
) -> list[tuple[int, int]]:
    """Pairs ``(i, j)`` with ``a[i] == b[j]``, increasing in both: the paragraphs kept."""
    matches: list[tuple[int, int]] = []
    # Regions still to match, as (alo, ahi, blo, bhi); a stack, not recursion, so no depth limit.
    regions = [(0, len(a), 0, len(b))]
    while regions:
        alo, ahi, blo, bhi = regions.pop()
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            matches.append((alo, blo))
            alo, blo = alo + 1, blo + 1
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi, bhi = ahi - 1, bhi - 1
            matches.append((ahi, bhi))
        if alo == ahi or blo == bhi:
            continue
        anchors = _unique_anchors(a, alo, ahi, b, blo, bhi)
        if anchors:
            previous = (alo - 1, blo - 1)
            for anchor in [*anchors, (ahi, bhi)]:
                regions.append((previous[0] + 1, anchor[0], previous[1] + 1, anchor[1]))
                previous = anchor
            matches.extend(anchors)
        else:
            found = _myers(a[alo:ahi], b[blo:bhi], myers_budget)
            matches.extend((alo + i, blo + j) for i, j in found)
    matches.sort()
    return matches


def _unique_anchors(
    a: Sequence[str], alo: int, ahi: int, b: Sequence[str], blo: int, bhi: int
) -> list[tuple[int, int]]:
    """The longest increasing run of paragraphs that occur exactly once in each side."""
    in_a: dict[str, int] = {}
    for i in range(alo, ahi):
        in_a[a[i]] = -1 if a[i] in in_a else i
    in_b: dict[str, int] = {}
    for j in range(blo, bhi):
        in_b[b[j]] = -1 if b[j] in in_b else j
    pairs = [(i, in_b[p]) for p, i in in_a.items() if i >= 0 and in_b.get(p, -1) >= 0]
    pairs.sort()
    # Patience sorting: the longest subsequence of pairs increasing in j.
    tops: list[int] = []
    top_index: list[int] = []
    back: list[int] = []
    for n, (_, j) in enumerate(pairs):
        pile = bisect_left(tops, j)
        back.append(top_index[pile - 1] if pile else -1)
        if pile == len(tops):
            tops.append(j)
            top_index.append(n)
        else:
            tops[pile], top_index[pile] = j, n
    chain: list[tuple[int, int]] = []
    n = top_index[-1] if top_index else -1
    while n >= 0:
        chain.append(pairs[n])
        n = back[n]
    chain.reverse()
    return chain


def _myers(a: Sequence[str], b: Sequence[str], budget: int) -> list[tuple[int, int]]:
    """A shortest edit script's kept pairs (Myers 1986), or none once ``budget`` steps are spent:
    the whole stretch then reads as reworded, which is never wrong, only less precise."""
    n, m = len(a), len(b)
    offset = n + m + 1
    v = array("l", [0]) * (2 * offset + 1)
    trace: list[array[int]] = []
    spent = 0
    for d in range(n + m + 1):
        trace.append(v[offset - d : offset + d + 1])
        spent += 2 * d + 1
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v[offset + k - 1] < v[offset + k + 1]):
                x = v[offset + k + 1]
            else:
                x = v[offset + k - 1] + 1
            y = x - k
            start = x
            while x < n and y < m and a[x] == b[y]:
                x, y = x + 1, y + 1
            spent += x - start
            v[offset + k] = x
            if x >= n and y >= m:
                return _backtrack(trace, n, m)
        if spent > budget:
            return []
    return []  # pragma: no cover - the loop always reaches (n, m)


def _backtrack(trace: list[array[int]], x: int, y: int) -> list[tuple[int, int]]:
    kept: list[tuple[int, int]] = []
    for d in range(len(trace) - 1, 0, -1):
        before = trace[d]  # V after step d - 1, for k in -d..d

        def at(k: int, before: array[int] = before, d: int = d) -> int:
            return before[k + d]

        k = x - y
        prev_k = k + 1 if k == -d or (k != d and at(k - 1) < at(k + 1)) else k - 1
        prev_x = at(prev_k)
        prev_y = prev_x - prev_k
        while x > prev_x and y > prev_y:
            x, y = x - 1, y - 1
            kept.append((x, y))
        x, y = prev_x, prev_y
    while x > 0 and y > 0:
        x, y = x - 1, y - 1
        kept.append((x, y))
    kept.reverse()
    return kept


def summarise(changes: Iterable[Change]) -> dict[str, int]:
    """How many paragraphs were added, removed and changed (every kind present, maybe 0)."""
    counts = {"added": 0, "removed": 0, "changed": 0}
    for change in changes:
        counts[change.kind] += 1
    return counts

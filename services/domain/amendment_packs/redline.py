"""A section-level redline: two texts split at their headings, each section either unchanged
(named, not shown) or shown with the words inserted and deleted.

Works on the text ``documents.text.extract_text`` keeps (one paragraph per line). Paragraphs are
matched as the version diff matches them (``documents.diff.match_paragraphs``: patience, then
Myers within a budget); inside a reworded paragraph, words are matched by ``difflib``, within a
bound, so a reader sees "within <del>four</del><ins>six</ins> weeks" rather than two whole
paragraphs.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from services.domain.documents.diff import match_paragraphs

SegmentKind = Literal["same", "ins", "del"]
ParagraphKind = Literal["same", "added", "removed", "changed", "gap"]
SectionChange = Literal["unchanged", "changed", "added", "removed"]

# A Markdown heading, or a short numbered title such as "3.4 Scheduled Updates" (NCT's own
# numbering); a numbered step that is a sentence ("1. A plan is agreed ...") is not one.
_MARKDOWN_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(\S.*?)\s*#*\s*$")
_NUMBERED_HEADING = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2}){0,3}\.?)\s+([A-Z][^.:;!?]{0,80})$")
_BOLD_HEADING = re.compile(r"^\s*\*\*([^*]{1,100})\*\*\s*$")
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
# Words in one paragraph beyond which it is shown as deleted and inserted whole: difflib is
# quadratic in the worst case.
MAX_WORD_TOKENS = 4_000
# Unchanged paragraphs shown on each side of a change inside a changed section.
CONTEXT = 1


@dataclass(frozen=True)
class Segment:
    kind: SegmentKind
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of a changed section; a ``gap`` stands for ``skipped`` unchanged ones."""

    kind: ParagraphKind
    segments: tuple[Segment, ...] = ()
    is_heading: bool = False
    skipped: int = 0


@dataclass
class Section:
    """One heading's section; the opening text before any heading has ``title`` None."""

    title: str | None
    change: SectionChange = "unchanged"
    paragraphs: list[Paragraph] = field(default_factory=list)
    # (kind, old, new) per paragraph, before the context is cut.
    ops: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    @property
    def is_changed(self) -> bool:
        return self.change != "unchanged"


def heading_title(paragraph: str) -> str | None:
    """The title a paragraph gives its section, or None when it is not a heading."""
    if found := _MARKDOWN_HEADING.match(paragraph):
        return found.group(2)
    if found := _BOLD_HEADING.match(paragraph):
        return found.group(1).strip()
    if found := _NUMBERED_HEADING.match(paragraph):
        return f"{found.group(1)} {found.group(2).strip()}"
    return None


def _paragraphs(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _comparable(paragraph: str) -> str:
    return " ".join(paragraph.split())


def paragraph_ops(before: str, after: str) -> Iterator[tuple[str, str | None, str | None]]:
    """(kind, old, new) for every paragraph of both texts, in reading order: ``same``,
    ``changed`` (the n-th old of a replaced block read as the n-th new reworded), ``removed``,
    ``added``; as the version diff (``documents.diff.diff_texts``) pairs them."""
    old, new = _paragraphs(before), _paragraphs(after)
    matches = match_paragraphs([_comparable(p) for p in old], [_comparable(p) for p in new])
    i = j = 0
    for mi, mj in [*matches, (len(old), len(new))]:
        paired = min(mi - i, mj - j)
        for k in range(paired):
            yield "changed", old[i + k], new[j + k]
        for r in range(i + paired, mi):
            yield "removed", old[r], None
        for a in range(j + paired, mj):
            yield "added", None, new[a]
        if mi < len(old):
            yield "same", old[mi], new[mj]
        i, j = mi + 1, mj + 1


def word_segments(old: str, new: str) -> tuple[Segment, ...]:
    """``old`` reworded as ``new``: the words kept, deleted and inserted, in order."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    if len(a) > MAX_WORD_TOKENS or len(b) > MAX_WORD_TOKENS:
        return (Segment("del", old), Segment("ins", new))
    segments: list[Segment] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(Segment("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(Segment("del", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(Segment("ins", "".join(b[j1:j2])))
    return tuple(_merge(segments))


def _merge(segments: list[Segment]) -> Iterator[Segment]:
    """Adjacent segments of one kind joined; a lone space between two changes is folded into
    them, so "<del>four</del> <del>weeks</del>" reads "<del>four weeks</del>"."""
    out: list[Segment] = []
    for n, segment in enumerate(segments):
        between = (
            segment.kind == "same"
            and not segment.text.strip()
            and 0 < n < len(segments) - 1
            and segments[n - 1].kind != "same"
            and segments[n + 1].kind != "same"
        )
        if between:
            out.append(Segment("del", segment.text))
            out.append(Segment("ins", segment.text))
            continue
        out.append(segment)
    ordered: list[Segment] = []
    run: list[Segment] = []
    for segment in [*out, Segment("same", "")]:
        if segment.kind == "same":
            # Within a run of changes, every deletion first, then every insertion.
            for kind in ("del", "ins"):
                text = "".join(s.text for s in run if s.kind == kind)
                if text:
                    ordered.append(Segment(kind, text))
            run = []
            if segment.text:
                if ordered and ordered[-1].kind == "same":
                    ordered[-1] = Segment("same", ordered[-1].text + segment.text)
                else:
                    ordered.append(segment)
        else:
            run.append(segment)
    yield from ordered


def _display(paragraph: str) -> str:
    found = _MARKDOWN_HEADING.match(paragraph)
    return found.group(2) if found else paragraph


def sections(before: str, after: str) -> list[Section]:
    """The sections of ``after`` (and those only ``before`` had), each with its change and, when
    changed, its paragraphs marked; unchanged paragraphs far from a change are cut to gaps."""
    found: list[Section] = [Section(None)]
    for kind, old, new in paragraph_ops(before, after):
        title = heading_title(new if new is not None else old or "")
        if title is not None:
            found.append(Section(title))
        found[-1].ops.append((kind, old, new))
    result = [s for s in found if s.ops]
    for section in result:
        kinds = {kind for kind, _, _ in section.ops}
        if kinds == {"same"}:
            continue
        section.change = (
            "added" if kinds == {"added"} else "removed" if kinds == {"removed"} else "changed"
        )
        section.paragraphs = _marked(section.ops)
    return result


def _marked(ops: list[tuple[str, str | None, str | None]]) -> list[Paragraph]:
    """The paragraphs of a changed section: each change, with ``CONTEXT`` unchanged ones on
    each side and the rest as gaps."""
    near: set[int] = set()
    for n, (kind, _, _) in enumerate(ops):
        if kind != "same":
            near.update(range(n - CONTEXT, n + CONTEXT + 1))
    out: list[Paragraph] = []
    for n, (kind, old, new) in enumerate(ops):
        text = new if new is not None else old or ""
        is_heading = heading_title(text) is not None
        if kind == "same" and is_heading:
            continue  # the section's own title, shown as its heading
        if kind == "same" and n not in near:
            if out and out[-1].kind == "gap":
                out[-1] = Paragraph("gap", skipped=out[-1].skipped + 1)
            else:
                out.append(Paragraph("gap", skipped=1))
            continue
        if kind == "changed":
            segments = word_segments(_display(old or ""), _display(new or ""))
        else:
            mark: SegmentKind = {"same": "same", "added": "ins", "removed": "del"}[kind]  # type: ignore[assignment]
            segments = (Segment(mark, _display(text)),)
        out.append(Paragraph(kind, segments, is_heading=is_heading))  # type: ignore[arg-type]
    return out

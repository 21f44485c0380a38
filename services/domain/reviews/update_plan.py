"""Reading a Tri.x Update Plan: recommended amendments, one per chapter (NCT 3.4 a i).

The plan arrives as a spreadsheet saved as CSV, or as JSON items. Headers are read tolerantly
("Chapter", "Chapter reference", "Procedure"; "Recommendation", "Recommended amendment"...),
as are a byte-order mark, semicolon or tab separators and a Windows-1252 file from Excel.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from services.domain.errors import Invalid

MAX_ITEMS = 2000
CHAPTER_MAX = 300
RECOMMENDATION_MAX = 20000
CHAPTER_HEADERS = frozenset(
    {
        "chapter",
        "chapterreference",
        "chapterref",
        "chaptertitle",
        "chaptername",
        "procedure",
        "procedurereference",
        "proceduretitle",
        "document",
        "documentreference",
        "reference",
        "ref",
        "title",
    }
)
RECOMMENDATION_HEADERS = frozenset(
    {
        "recommendation",
        "recommendations",
        "recommendedamendment",
        "recommendedamendments",
        "recommendedchange",
        "recommendedchanges",
        "amendment",
        "amendments",
        "change",
        "changes",
        "details",
        "description",
        "summary",
    }
)


@dataclass(frozen=True)
class PlanItem:
    """One recommended amendment, for the chapter the plan names (a reference or a title)."""

    chapter: str
    recommendation: str


def _header_key(header: str) -> str:
    return re.sub(r"[^a-z]", "", header.lower())


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV" on Windows.
        return content.decode("cp1252", errors="replace")


def _column(headers: list[str], wanted: frozenset[str]) -> int | None:
    keys = [_header_key(h) for h in headers]
    # The first exact name wins, so "Chapter" beats a later "Title" column.
    for index, key in enumerate(keys):
        if key in wanted:
            return index
    return None


def check_items(items: Iterable[PlanItem], rows: Iterable[int] | None = None) -> list[PlanItem]:
    """The items with surrounding spaces trimmed; Invalid naming the first bad one (by its
    spreadsheet row when ``rows`` numbers them, else by its position from 1)."""
    checked: list[PlanItem] = []
    numbers = iter(rows) if rows is not None else None
    where = "row" if numbers is not None else "item"
    for position, item in enumerate(items, start=1):
        number = next(numbers) if numbers is not None else position
        chapter, recommendation = item.chapter.strip(), item.recommendation.strip()
        problem, field = None, "recommendation"
        if not chapter:
            problem, field = "the chapter is empty", "chapter"
        elif not recommendation:
            problem = "the recommendation is empty"
        elif len(chapter) > CHAPTER_MAX:
            problem, field = f"a chapter has at most {CHAPTER_MAX} characters", "chapter"
        elif len(recommendation) > RECOMMENDATION_MAX:
            problem = f"a recommendation has at most {RECOMMENDATION_MAX} characters"
        elif "\x00" in chapter + recommendation:
            problem = "it contains a NUL character"
        if problem:
            raise Invalid(f"{where.title()} {number}: {problem}.", field=field, row=number)
        checked.append(PlanItem(chapter, recommendation))
        if len(checked) > MAX_ITEMS:
            raise Invalid(f"An Update Plan has at most {MAX_ITEMS} items.", field="items")
    if not checked:
        raise Invalid("The Update Plan has no recommended amendments.", field="items")
    return checked


def read_csv(content: bytes) -> list[PlanItem]:
    """The items of an Update Plan saved as CSV; Invalid names the row at fault.

    Rows are numbered as a spreadsheet shows them (the header is row 1). Blank rows are skipped.
    """
    text = _decode(content)
    # The header row decides the separator: recommendations are prose full of commas.
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise Invalid(f"The file is not readable as CSV: {exc}.", field="file") from exc
    # Numbered as a spreadsheet shows them: the header is row 1, blank rows count.
    numbered = [(n, r) for n, r in enumerate(rows, start=1) if any(c.strip() for c in r)]
    if not numbered:
        raise Invalid("The file is empty.", field="file")
    headers = numbered[0][1]
    chapter_at = _column(headers, CHAPTER_HEADERS)
    recommendation_at = _column(headers, RECOMMENDATION_HEADERS)
    if chapter_at is None or recommendation_at is None:
        found = ", ".join(repr(h.strip()) for h in headers)[:500]
        raise Invalid(
            "The first row must name a chapter column and a recommendation column; "
            f"found: {found}.",
            field="file",
        )
    width = max(chapter_at, recommendation_at) + 1
    items = []
    for _, row in numbered[1:]:
        cells = row + [""] * (width - len(row))
        items.append(PlanItem(cells[chapter_at], cells[recommendation_at]))
    return check_items(items, rows=[n for n, _ in numbered[1:]])

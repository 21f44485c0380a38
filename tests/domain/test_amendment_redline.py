"""The section-level redline of an amendment pack (NCT 3.4 a v: amendments are tracked): which
paragraphs are headings, which sections changed, and the words marked inside a paragraph."""

from __future__ import annotations

from services.domain.amendment_packs.redline import (
    MAX_WORD_TOKENS,
    Segment,
    heading_title,
    sections,
    word_segments,
)


def test_markdown_bold_and_short_numbered_titles_are_headings_but_numbered_steps_are_not() -> None:
    assert heading_title("## Visits") == "Visits"
    assert heading_title("**Scheduled Reviews**") == "Scheduled Reviews"
    assert heading_title("3.4 Scheduled Updates") == "3.4 Scheduled Updates"
    assert heading_title("1. A plan is agreed within 10 working days.") is None
    assert heading_title("**Purpose:** This procedure describes") is None
    assert heading_title("Ordinary paragraph") is None


def test_only_the_words_that_changed_are_marked() -> None:
    assert word_segments("Visit every four weeks.", "Visit every six weeks.") == (
        Segment("same", "Visit every "),
        Segment("del", "four"),
        Segment("ins", "six"),
        Segment("same", " weeks."),
    )


def test_neighbouring_changed_words_read_as_one_deletion_and_one_insertion() -> None:
    assert word_segments("seen by a social worker", "visited by the team") == (
        Segment("del", "seen"),
        Segment("ins", "visited"),
        Segment("same", " by "),
        Segment("del", "a social worker"),
        Segment("ins", "the team"),
    )


def test_a_paragraph_too_long_to_compare_word_by_word_is_replaced_whole() -> None:
    old, new = "word " * MAX_WORD_TOKENS, "word " * (MAX_WORD_TOKENS - 1) + "other"
    assert word_segments(old, new) == (Segment("del", old), Segment("ins", new))


BEFORE = "\n".join(
    [
        "# Title",
        "## Purpose",
        "Why.",
        "## Visits",
        *(f"Paragraph {n}." for n in range(1, 7)),
        "## Old section",
        "Gone.",
    ]
)


def test_unchanged_sections_are_named_changed_ones_cut_to_the_change_and_its_context() -> None:
    after = BEFORE.replace("Paragraph 5.", "Paragraph five.").replace(
        "## Old section\nGone.", "## New section\nArrived."
    )
    found = {s.title: s for s in sections(BEFORE, after)}
    assert [(t, s.change) for t, s in found.items()] == [
        ("Title", "unchanged"),
        ("Purpose", "unchanged"),
        ("Visits", "changed"),
        ("New section", "changed"),
    ]
    assert found["Purpose"].paragraphs == []
    kinds = [(p.kind, p.skipped) for p in found["Visits"].paragraphs]
    # Paragraphs 1 to 3 far from the change, 4 and 6 beside it; its own title not repeated.
    assert kinds == [("gap", 3), ("same", 0), ("changed", 0), ("same", 0)]
    renamed = found["New section"].paragraphs[0]
    assert renamed.is_heading and renamed.segments == (
        Segment("del", "Old"),
        Segment("ins", "New"),
        Segment("same", " section"),
    )


def test_a_new_text_is_all_inserted_and_a_removed_section_is_marked_removed() -> None:
    assert {s.change for s in sections("", "# New\n\nText.")} == {"added"}
    removed = sections("# A\n\nKept.\n\n## B\n\nDropped.", "# A\n\nKept.")
    assert [(s.title, s.change) for s in removed] == [("A", "unchanged"), ("B", "removed")]

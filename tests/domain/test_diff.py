"""The change list between two versions of a policy's text."""

from __future__ import annotations

import dataclasses

import pytest

from services.domain.documents.diff import Change, diff_texts, summarise

POLICY = "Medication Policy\n\nScope\nStorage of medicines\nDisposal of medicines\nReview"


def test_identical_texts_have_no_changes() -> None:
    assert diff_texts(POLICY, POLICY) == []


def test_whitespace_inside_a_paragraph_and_blank_lines_are_not_changes() -> None:
    reflowed = (
        "Medication   Policy\n\n\n\n Scope \nStorage\tof medicines\nDisposal of medicines\nReview"
    )
    assert diff_texts(POLICY, reflowed) == []


def test_an_inserted_paragraph_is_added_with_its_number_in_the_new_text() -> None:
    after = POLICY.replace("Scope\n", "Scope\nWho this applies to\n")
    assert diff_texts(POLICY, after) == [Change("added", None, "Who this applies to", None, 3)]


def test_a_deleted_paragraph_is_removed_with_its_number_in_the_old_text() -> None:
    after = POLICY.replace("Disposal of medicines\n", "")
    assert diff_texts(POLICY, after) == [Change("removed", "Disposal of medicines", None, 4, None)]


def test_a_reworded_paragraph_is_changed_and_numbers_count_paragraphs_not_lines() -> None:
    # "Scope" is on line 3 of the text but is the 2nd paragraph: the blank line does not count.
    after = POLICY.replace("Scope", "Scope and purpose")
    assert diff_texts(POLICY, after) == [Change("changed", "Scope", "Scope and purpose", 2, 2)]


def test_a_change_reports_the_original_text_not_the_normalised_one() -> None:
    after = POLICY.replace("Review", "Review  every   year")
    (change,) = diff_texts(POLICY, after)
    assert change.after == "Review  every   year"


def test_a_replaced_block_pairs_paragraphs_then_reports_extra_old_ones_as_removed() -> None:
    before = "Intro\nA one\nB one\nC one\nOutro"
    after = "Intro\nA two\nOutro"
    assert diff_texts(before, after) == [
        Change("changed", "A one", "A two", 2, 2),
        Change("removed", "B one", None, 3, None),
        Change("removed", "C one", None, 4, None),
    ]


def test_a_replaced_block_pairs_paragraphs_then_reports_extra_new_ones_as_added() -> None:
    before = "Intro\nA one\nOutro"
    after = "Intro\nA two\nB two\nOutro"
    assert diff_texts(before, after) == [
        Change("changed", "A one", "A two", 2, 2),
        Change("added", None, "B two", None, 3),
    ]


def test_changes_come_in_document_order_across_several_places() -> None:
    before = "Title\nOne\nTwo\nThree\nFour"
    after = "Title\nZero\nOne\nTwo\nThree changed\nFour"
    assert [(c.kind, c.before_line, c.after_line) for c in diff_texts(before, after)] == [
        ("added", None, 2),
        ("changed", 4, 5),
    ]


def test_everything_is_added_when_the_first_version_is_empty() -> None:
    assert diff_texts("", "One\n\nTwo") == [
        Change("added", None, "One", None, 1),
        Change("added", None, "Two", None, 2),
    ]


def test_a_change_is_immutable() -> None:
    change = Change("added", None, "One", None, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        change.kind = "removed"  # type: ignore[misc]


def test_summarise_counts_each_kind() -> None:
    before = "A\nB\nC\nD"
    after = "A\nB changed\nD\nE\nF"
    assert summarise(diff_texts(before, after)) == {"added": 2, "removed": 1, "changed": 1}


def test_summarise_of_no_changes_reports_every_kind_as_zero() -> None:
    assert summarise([]) == {"added": 0, "removed": 0, "changed": 0}

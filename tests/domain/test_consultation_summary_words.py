"""What a public "You said, we did" may not say (no consultee named, no response quoted), and
its PDF's typography with and without a Unicode font."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest

from services.domain.consultations.summary_checks import QUOTE_WORDS, check_words
from services.domain.consultations.summary_pdf import latin1, write_pdf
from services.domain.consultations.summary_view import ChangeLink, PublicSummary, PublicTheme
from services.domain.errors import Invalid

COMMENT = (
    "The section on return home interviews does not say who offers them within "
    "seventy-two hours or what happens when the child declines."
)
# An en dash, curly double quotes and a pound sign.
INTRODUCTION = "Thank you \u2013 we heard \u201ca lot\u201d, and it cost \u00a30."
PEOPLE = {"names": ["Ben Okafor", "Police"], "emails": ["ben@alpha.example.org"]}


def check(text: str) -> None:
    check_words([("themes.0.said", text)], comments=[COMMENT], **PEOPLE)


def test_a_paraphrase_of_the_responses_passes() -> None:
    check("Several respondents asked who offers return home interviews, and when.")
    # One word of a name alone is an ordinary word ("the Police were consulted").
    check("The Police and health partners asked for clearer thresholds.")


@pytest.mark.parametrize(
    "text",
    ["As BEN  OKAFOR put it, the thresholds are unclear.", "Write to ben@alpha.example.org."],
)
def test_a_consultee_named_or_addressed_is_refused(text: str) -> None:
    with pytest.raises(Invalid) as refused:
        check(text)
    assert refused.value.extra["field"] == "themes.0.said"
    assert "name a consultee" in refused.value.detail


def test_twelve_words_in_a_row_from_a_response_is_a_quotation() -> None:
    words = COMMENT.split()
    eleven = " ".join(words[: QUOTE_WORDS - 1])
    twelve = " ".join(words[:QUOTE_WORDS])
    check(f"You told us \u201c{eleven}\u201d.")  # eleven words: a phrase, not a quotation
    with pytest.raises(Invalid) as refused:
        # Case, curly apostrophes and line breaks do not hide it.
        check(f"One said: {twelve.upper().replace(' ', chr(10), 3)}")
    assert "put it in your own words" in refused.value.detail


def test_latin1_spells_typography_the_core_fonts_cannot_hold() -> None:
    typography = "\u2018Quoted\u2019 \u2013 \u201cfine\u201d \u2014 \u00a35\u2026 \u2603"
    assert latin1(typography) == "'Quoted' - \"fine\" - \u00a35... ?"


def _view() -> PublicSummary:
    return PublicSummary(
        summary_id=uuid.uuid4(),
        consultation_id=uuid.uuid4(),
        organisation_name="Birmingham City Council",
        consultation_title="Children missing from care",
        document_reference="CS-PR-012",
        document_title="Children missing from care",
        consulted_version="0.3",
        issued_version="1.0",
        published_at=datetime(2026, 12, 5, 12, tzinfo=UTC),
        introduction=INTRODUCTION,
        themes=(
            PublicTheme(
                "Contacts", "Three asked.", "changed", "We changed the policy", "", ("p2",)
            ),
        ),
        changes=(ChangeLink("p2", "changed", "Old text.", "New \u2018text\u2019."),),
        changes_total=1,
    )


def _text(pdf: bytes) -> str:
    return " ".join(
        "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages).split()
    )


def test_the_pdf_keeps_curly_quotes_dashes_and_pounds_with_a_unicode_font() -> None:
    text = _text(write_pdf(_view()))
    assert INTRODUCTION in text
    assert "After: New \u2018text\u2019." in text


def test_without_a_unicode_font_the_pdf_spells_them_safely(tmp_path: Path) -> None:
    text = _text(write_pdf(_view(), (tmp_path,)))
    assert 'Thank you - we heard "a lot", and it cost £0.' in text
    assert "After: New 'text'." in text

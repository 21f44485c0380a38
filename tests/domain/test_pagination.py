from __future__ import annotations

import pytest

from services.domain.pagination import InvalidCursor, decode_cursor, encode_cursor


def test_a_cursor_round_trips_for_the_same_filters() -> None:
    cursor = encode_cursor("s", ["PROC-014", "id-1"], {"kind": "procedure"})
    assert decode_cursor("s", cursor, {"kind": "procedure"}) == ["PROC-014", "id-1"]


def test_a_cursor_signed_with_another_secret_is_refused() -> None:
    cursor = encode_cursor("other", ["A", "id"], {})
    with pytest.raises(InvalidCursor):
        decode_cursor("s", cursor, {})


def test_a_cursor_for_other_filters_is_refused() -> None:
    cursor = encode_cursor("s", ["A", "id"], {"kind": "policy"})
    with pytest.raises(InvalidCursor, match="different filters"):
        decode_cursor("s", cursor, {"kind": "procedure"})


@pytest.mark.parametrize("cursor", ["", ".", "abc", "abc.def", "e30.AAAA", "\u00e9.\u00e9"])
def test_malformed_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor("s", cursor, {})

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import DateTime, Uuid, column, select, values
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.pagination import (
    InvalidCursor,
    after_position,
    before_row,
    decode_cursor,
    encode_cursor,
)
from services.domain.tokens import Keyring

KEYS = Keyring("s")
ID = uuid.UUID("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")
BY_REFERENCE = (str, uuid.UUID)


def test_a_cursor_round_trips_for_the_same_filters_as_typed_values() -> None:
    cursor = encode_cursor(KEYS, ["PROC-014", str(ID)], {"kind": "procedure"})
    assert decode_cursor(KEYS, cursor, {"kind": "procedure"}, BY_REFERENCE) == ["PROC-014", ID]
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    cursor = encode_cursor(KEYS, [moment.isoformat(), "2026-03-31", 7, 0.25], {})
    assert decode_cursor(KEYS, cursor, {}, (datetime, date, int, float)) == [
        moment,
        date(2026, 3, 31),
        7,
        0.25,
    ]


def test_a_cursor_signed_with_another_secret_is_refused() -> None:
    cursor = encode_cursor(Keyring("other"), ["A", str(ID)], {})
    with pytest.raises(InvalidCursor):
        decode_cursor(KEYS, cursor, {}, BY_REFERENCE)


def test_during_a_rotation_the_previous_key_verifies_and_a_third_does_not() -> None:
    rotated = Keyring("new", previous=("old", "older"))
    for signer in ("new", "old", "older"):
        cursor = encode_cursor(Keyring(signer), ["A", str(ID)], {})
        assert decode_cursor(rotated, cursor, {}, BY_REFERENCE) == ["A", ID]
    with pytest.raises(InvalidCursor):
        decode_cursor(
            rotated, encode_cursor(Keyring("third"), ["A", str(ID)], {}), {}, BY_REFERENCE
        )
    # New cursors are signed with the current key only.
    with pytest.raises(InvalidCursor):
        decode_cursor(Keyring("old"), encode_cursor(rotated, ["A", str(ID)], {}), {}, BY_REFERENCE)


def test_a_cursor_for_other_filters_is_refused() -> None:
    cursor = encode_cursor(KEYS, ["A", str(ID)], {"kind": "policy"})
    with pytest.raises(InvalidCursor, match="different filters"):
        decode_cursor(KEYS, cursor, {"kind": "procedure"}, BY_REFERENCE)


@pytest.mark.parametrize("cursor", ["", ".", "abc", "abc.def", "e30.AAAA", "\u00e9.\u00e9"])
def test_malformed_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(KEYS, cursor, {}, BY_REFERENCE)


@pytest.mark.parametrize(
    "position",
    [
        [],
        ["A"],
        ["A", str(ID), "extra"],
        ["A", "not-a-uuid"],
        [1, str(ID)],
        [None, str(ID)],
        [["A"], str(ID)],
        ["A\x00", str(ID)],
        ["\ud800", str(ID)],
    ],
)
def test_a_well_signed_position_of_the_wrong_shape_is_refused(position: list[Any]) -> None:
    # Signed with the right key: only a leaked key or a bug could make one, but it must still
    # never reach the database as something it cannot compare.
    with pytest.raises(InvalidCursor):
        decode_cursor(KEYS, encode_cursor(KEYS, position, {}), {}, BY_REFERENCE)


@pytest.mark.parametrize(
    ("shape", "value"),
    [
        ((datetime,), "2026-01-02T03:04:05"),  # no offset: timestamptz cannot compare it
        ((datetime,), "yesterday"),
        ((date,), "2026-02-30"),
        ((int,), 2**63),
        ((int,), True),
        ((int,), "1"),
        ((float,), "NaN"),
        ((float,), 1e400),
    ],
)
def test_each_value_is_read_as_its_type_or_refused(shape: tuple[type, ...], value: Any) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(KEYS, encode_cursor(KEYS, [value], {}), {}, shape)


async def test_keyset_pages_visit_every_row_once_through_ties_both_ways(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    # Seven rows, four of them at one moment: a page boundary falls inside the tie.
    first = datetime(2026, 1, 2, 9, tzinfo=UTC)
    later = datetime(2026, 1, 2, 10, tzinfo=UTC)
    ids = [uuid.UUID(int=n) for n in range(1, 8)]
    moments = [first, later, later, later, later, first, datetime(2026, 1, 3, tzinfo=UTC)]
    rows = values(
        column("moment", DateTime(timezone=True)), column("id", Uuid()), name="rows"
    ).data(list(zip(moments, ids, strict=True)))
    ascending = sorted(zip(moments, ids, strict=True))

    async with sessionmaker() as session:
        seen: list[tuple[datetime, uuid.UUID]] = []
        after = None
        while True:
            query = after_position(
                select(rows.c.moment, rows.c.id), rows.c.moment, rows.c.id, after
            )
            page = [tuple(row) for row in (await session.execute(query.limit(3))).all()]
            if not page:
                break
            seen += page
            after = page[-1]
        assert seen == ascending

        seen, before = [], None
        while True:
            query = select(rows.c.moment, rows.c.id)
            if before is not None:
                query = query.where(before_row(rows.c.moment, rows.c.id, before))
            query = query.order_by(rows.c.moment.desc(), rows.c.id.desc()).limit(3)
            page = [tuple(row) for row in (await session.execute(query)).all()]
            if not page:
                break
            seen += page
            before = page[-1]
        assert seen == ascending[::-1]

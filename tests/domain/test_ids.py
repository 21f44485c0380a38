"""Ids are UUIDv7 and, within a process, each is greater than the one before: rows made in
one go (an Update Plan's items, a tracker's documents) sort by id in the order they were made
when they share a created_at, as the lists ordered by (created_at, id) expect."""

from __future__ import annotations

import itertools
import time
import uuid

from services.domain.db import new_id


def test_ids_made_in_one_go_increase_in_the_order_they_were_made() -> None:
    # Thousands a millisecond: the random bits alone would put two of one millisecond in any
    # order (an Update Plan's owner was told of its items out of plan order, now and then).
    ids = [new_id() for _ in range(20_000)]
    assert all(earlier < later for earlier, later in itertools.pairwise(ids))
    assert len(set(ids)) == len(ids)


def test_an_id_is_a_uuid7_of_now() -> None:
    before = time.time_ns() // 1_000_000
    made = new_id()
    after = time.time_ns() // 1_000_000
    assert made.version == 7
    assert made.variant == uuid.RFC_4122
    assert before <= made.int >> 80 <= after + 1

"""Keyset pagination: opaque, tamper-checked cursors, and the "after this row" filters.

A cursor is a position and a digest of the filters it was issued for, signed with the current
key (any key of the ring verifies). Decoding checks the signature, then that the position has
the shape its list expects, value by value: whatever a client sends, a cursor either decodes to
typed values the query can use or is an InvalidCursor (400), never an error from the database.
List endpoints take and give cursors through ``services/api/paging.py``, one dependency for
every list.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, tuple_

from services.domain.errors import DomainError
from services.domain.tokens import Keyring

# PostgreSQL's bigint: a larger integer in a cursor cannot be compared with a column.
BIGINT = 2**63 - 1


NOT_OURS = "The cursor is not one this service issued."


class InvalidCursor(DomainError):
    status, title, slug = 400, "Invalid cursor", "invalid-cursor"


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not text")
    # PostgreSQL text holds no NUL; a lone surrogate cannot be encoded for it.
    value.encode("utf-8")
    if "\x00" in value:
        raise ValueError("NUL in text")
    return value


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(_text(value))
    if moment.tzinfo is None:
        raise ValueError("a moment without an offset")
    return moment


def _day(value: Any) -> date:
    return date.fromisoformat(_text(value))


def _uuid(value: Any) -> uuid.UUID:
    return uuid.UUID(_text(value))


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > BIGINT:
        raise ValueError("not a bigint")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError("not a finite number")
    return float(value)


# The types a position may hold, and how each is read back from the cursor's JSON.
READERS: dict[type, Callable[[Any], Any]] = {
    datetime: _moment,
    date: _day,
    uuid.UUID: _uuid,
    str: _text,
    int: _integer,
    float: _number,
}


def filter_fingerprint(filters: dict[str, Any]) -> str:
    """A short digest of the filters a cursor was issued for."""
    canonical = json.dumps(filters, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _signature(keyring: Keyring, payload: bytes, key: str | None = None) -> bytes:
    return keyring.digest(payload, key)[:16]


def encode_cursor(keyring: Keyring, position: list[Any], filters: dict[str, Any]) -> str:
    """A cursor pointing after ``position`` (JSON values), signed with the current key."""
    body = json.dumps({"p": position, "f": filter_fingerprint(filters)}, separators=(",", ":"))
    payload = base64.urlsafe_b64encode(body.encode()).rstrip(b"=")
    sig = _signature(keyring, payload)
    return f"{payload.decode()}.{base64.urlsafe_b64encode(sig).rstrip(b'=').decode()}"


def decode_cursor(
    keyring: Keyring, cursor: str, filters: dict[str, Any], shape: tuple[type, ...]
) -> list[Any]:
    """The position a cursor points after, one value of each type in ``shape``; InvalidCursor
    if it is forged, malformed, of another shape, or issued for other filters."""
    try:
        payload, sig = cursor.split(".", 1)
        given = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
        if not any(
            hmac.compare_digest(_signature(keyring, payload.encode(), key), given)
            for key in keyring.keys
        ):
            raise ValueError("bad signature")
        body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        position, fingerprint = body["p"], body["f"]
    except (ValueError, KeyError, TypeError, UnicodeError) as exc:
        raise InvalidCursor(NOT_OURS) from exc
    if fingerprint != filter_fingerprint(filters):
        raise InvalidCursor(
            "The cursor was issued for different filters; start again without a cursor."
        )
    try:
        if not isinstance(position, list) or len(position) != len(shape):
            raise ValueError("a position of another shape")
        return [READERS[kind](value) for kind, value in zip(shape, position, strict=True)]
    except (ValueError, TypeError, UnicodeError) as exc:
        raise InvalidCursor(NOT_OURS) from exc


def after_row(moment: Any, row_id: Any, after: Sequence[Any]) -> ColumnElement[bool]:
    """Rows after ``after`` in ascending (moment, id) order (or any column and a unique
    tie-breaker). A row value comparison: an index
    on (moment, id) serves it as one range."""
    return tuple_(moment, row_id) > tuple_(*after)


def before_row(moment: Any, row_id: Any, before: Sequence[Any]) -> ColumnElement[bool]:
    """Rows before ``before`` in ascending (moment, id) order: the next page of a list that is
    newest first."""
    return tuple_(moment, row_id) < tuple_(*before)


def after_position(
    query: Select[Any], moment: Any, row_id: Any, after: tuple[datetime, uuid.UUID] | None
) -> Select[Any]:
    """``query``'s rows after (moment, id), in (moment, id) order."""
    if after is not None:
        query = query.where(after_row(moment, row_id, after))
    return query.order_by(moment, row_id)

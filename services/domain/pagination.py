"""Opaque, tamper-checked cursors for keyset pagination."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from services.domain.errors import DomainError

T = TypeVar("T")


class InvalidCursor(DomainError):
    status, title, slug = 400, "Invalid cursor", "invalid-cursor"


def filter_fingerprint(filters: dict[str, Any]) -> str:
    """A short digest of the filters a cursor was issued for."""
    canonical = json.dumps(filters, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_cursor(secret: str, position: list[Any], filters: dict[str, Any]) -> str:
    body = json.dumps({"p": position, "f": filter_fingerprint(filters)}, separators=(",", ":"))
    payload = base64.urlsafe_b64encode(body.encode()).rstrip(b"=")
    sig = hmac.new(secret.encode(), payload, hashlib.sha256).digest()[:16]
    return f"{payload.decode()}.{base64.urlsafe_b64encode(sig).rstrip(b'=').decode()}"


def decode_cursor(secret: str, cursor: str, filters: dict[str, Any]) -> list[Any]:
    """The position a cursor points after; InvalidCursor if forged or issued for other filters."""
    try:
        payload, sig = cursor.split(".", 1)
        expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()[:16]
        given = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
        if not hmac.compare_digest(expected, given):
            raise ValueError("bad signature")
        body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        position, fingerprint = body["p"], body["f"]
        if not isinstance(position, list):
            raise ValueError("bad position")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise InvalidCursor("The cursor is not one this service issued.") from exc
    if fingerprint != filter_fingerprint(filters):
        raise InvalidCursor(
            "The cursor was issued for different filters; start again without a cursor."
        )
    return position


def time_position(secret: str, cursor: str | None, filters: dict[str, Any]) -> Any:
    """The (moment, id) a time-ordered page starts after, or None for the first page."""
    if not cursor:
        return None
    moment, last_id = decode_cursor(secret, cursor, filters)
    return datetime.fromisoformat(moment), uuid.UUID(last_id)


def time_page(
    secret: str, rows: list[T], limit: int, filters: dict[str, Any], moment: Callable[[T], datetime]
) -> tuple[list[T], str | None]:
    """Trim rows fetched with ``limit + 1`` to a page, with the cursor of the next page."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, encode_cursor(secret, [moment(last).isoformat(), str(last.id)], filters)  # type: ignore[attr-defined]

"""Signed tokens for addresses that carry their own credential: calendar feeds, consultees' links.

A token is an HMAC-SHA256 of a message naming what it opens and a version under the service's
secret; bumping the version revokes every token handed out before. Nothing is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def sign(secret_key: str, message: str) -> str:
    """The URL-safe signature of ``message``."""
    digest = hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def matches(expected: str, given: str) -> bool:
    """A constant-time comparison. Bytes, not text: compare_digest refuses non-ASCII text, and
    a token pasted into an address can hold anything."""
    return hmac.compare_digest(expected.encode(), given.encode())

"""Signed tokens for addresses that carry their own credential: calendar feeds, consultees' links.

A token is an HMAC-SHA256 of a message naming what it opens and a version under the service's
secret; bumping the version revokes every token handed out before. Nothing is stored.

The secret is a keyring: everything is signed with the current key, and a token or cursor
signed with a previous key still verifies, so a key can be rotated without breaking every
calendar subscription and consultation link handed out under the old one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass


class MissingSecretKey(Exception):
    """The service was started with no secret to sign with."""


# Published in the source of earlier versions as the default: anyone can sign with it.
PUBLISHED_KEYS = frozenset({"dev-only-secret-change-me-in-production"})


@dataclass(frozen=True)
class Keyring:
    """The key that signs, and the previous keys still accepted when verifying."""

    current: str
    previous: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.current:
            raise MissingSecretKey(
                "POLICYGOV_SECRET_KEY is not set: set it to a long random value "
                "(e.g. `openssl rand -hex 32`); `make run` makes one for you in var/secret-key"
            )
        if PUBLISHED_KEYS & {self.current, *self.previous}:
            raise MissingSecretKey(
                "POLICYGOV_SECRET_KEY (or _PREVIOUS) holds the development value once published "
                "in the source: set a new random value (e.g. `openssl rand -hex 32`)"
            )

    @property
    def keys(self) -> tuple[str, ...]:
        """Every key that verifies, the current one first."""
        return (self.current, *self.previous)

    def digest(self, data: bytes, key: str | None = None) -> bytes:
        """HMAC-SHA256 of ``data`` under ``key`` (the current key by default)."""
        return hmac.new((key or self.current).encode(), data, hashlib.sha256).digest()

    def sign(self, message: str) -> str:
        """The URL-safe signature of ``message`` under the current key."""
        return _urlsafe(self.digest(message.encode()))

    def verify(self, message: str, given: str) -> bool:
        """Whether ``given`` is the signature of ``message`` under any key of the ring."""
        return any(
            matches(_urlsafe(self.digest(message.encode(), key)), given) for key in self.keys
        )


def _urlsafe(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def matches(expected: str, given: str) -> bool:
    """A constant-time comparison. Bytes, not text: compare_digest refuses non-ASCII text, and
    a token pasted into an address can hold anything."""
    return hmac.compare_digest(expected.encode(), given.encode())

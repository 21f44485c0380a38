"""Typed domain errors. The API maps each to an RFC 9457 problem in one place (api/errors.py).

The domain never imports the web framework: an error carries its own HTTP status as a plain int
so the mapping stays declarative.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    status: int = 400
    title: str = "Bad request"
    slug: str = "bad-request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    status, title, slug = 404, "Not found", "not-found"


class Forbidden(DomainError):
    status, title, slug = 403, "Forbidden", "forbidden"


class Unauthenticated(DomainError):
    status, title, slug = 401, "Unauthenticated", "unauthenticated"


class Conflict(DomainError):
    status, title, slug = 409, "Conflict", "conflict"


class PreconditionFailed(DomainError):
    """The caller's If-Match no longer matches the stored resource."""

    status, title, slug = 412, "Precondition failed", "precondition-failed"


class PreconditionRequired(DomainError):
    status, title, slug = 428, "Precondition required", "precondition-required"


class Invalid(DomainError):
    """Input that is well-formed JSON but breaks a business rule."""

    status, title, slug = 422, "Invalid input", "invalid"


class PayloadTooLarge(DomainError):
    status, title, slug = 413, "Payload too large", "payload-too-large"


class UnsupportedMediaType(DomainError):
    status, title, slug = 415, "Unsupported media type", "unsupported-media-type"


class FileStoreUnavailable(DomainError):
    """The object store holding the file cannot be reached, or refuses us: it may work later."""

    status, title, slug = 503, "File store unavailable", "unavailable"


class FileDamaged(DomainError):
    """The stored file is missing or does not match the hash recorded when it was uploaded."""

    status, title, slug = 502, "Stored file damaged", "file-damaged"

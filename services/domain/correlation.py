"""What ties a log line, an outbox event, an email and a webhook delivery to the request that
caused them: the request id (``X-Request-ID``) and the W3C trace context.

The API binds the id for the length of a request (and notes who called); the notifier binds the
id of the row it is acting on. Whatever runs meanwhile reads it from here: the outbox stamps it
on the events it writes, and the log filter on every line.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from opentelemetry import propagate

# Long enough for a UUID, a ULID or a proxy's own ids; short enough for any log line or header.
REQUEST_ID_MAX = 128
# Version 00 is 55 characters; room for a later version's longer form.
TRACEPARENT_MAX = 100
_SANE = re.compile(rf"[A-Za-z0-9._:@/+=-]{{1,{REQUEST_ID_MAX}}}")


@dataclass
class Correlation:
    """The request (or the row) being handled; who is calling, once the API knows."""

    request_id: str
    organisation_id: uuid.UUID | None = None
    principal_id: str | None = None


_current: ContextVar[Correlation | None] = ContextVar("policygov_correlation", default=None)


def sane_request_id(offered: str | None) -> str:
    """``offered`` if it is a reasonable id (bounded, no spaces, quotes or control characters,
    nothing to forge a log line with), else a new one."""
    if offered and _SANE.fullmatch(offered):
        return offered
    return str(uuid.uuid4())


def current() -> Correlation | None:
    """The correlation bound in this context, if any."""
    return _current.get()


def current_request_id() -> str | None:
    """The request id bound in this context, if any."""
    bound = _current.get()
    return bound.request_id if bound else None


@contextmanager
def bound(request_id: str | None) -> Iterator[Correlation | None]:
    """Bind ``request_id`` (None: unbind) for the block."""
    correlation = Correlation(request_id) if request_id else None
    token = _current.set(correlation)
    try:
        yield correlation
    finally:
        _current.reset(token)


def note_caller(organisation_id: uuid.UUID, principal_id: str | None) -> None:
    """Who is calling, for the request's log line (the API, once the caller is known)."""
    bound_now = _current.get()
    if bound_now is not None:
        bound_now.organisation_id = organisation_id
        bound_now.principal_id = principal_id


def traceparent() -> str | None:
    """The W3C ``traceparent`` of the current span, when tracing is on and a span is open."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")

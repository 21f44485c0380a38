"""One request id per request, and one log line per request.

``X-Request-ID`` from the client is kept if it is sane (see ``correlation.sane_request_id``),
else replaced; either way it is returned on every response, problems included, bound for the
request (the outbox stamps it on the events it writes, the log filter on every line) and named
in the request's log line, which replaces uvicorn's access log: when, who (organisation and
principal, never a credential), which route, the outcome and how long it took.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.domain import correlation

HEADER = "X-Request-ID"
# Where the id is kept in the scope, for the server-error handler, which answers a crash
# outside this middleware (services/api/errors.py).
SCOPE_KEY = "policygov.request_id"
logger = logging.getLogger("services.api.requests")


class RequestIdMiddleware:
    """The outermost middleware: it sees every response, whoever made it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = correlation.sane_request_id(Headers(scope=scope).get(HEADER))
        scope[SCOPE_KEY] = request_id
        started = time.perf_counter()
        status = 500  # unless a response starts: an error nobody answered

        async def stamped(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        with correlation.bound(request_id) as bound:
            try:
                await self.app(scope, receive, stamped)
            finally:
                _log_request(scope, bound, status, time.perf_counter() - started)


def _log_request(
    scope: Scope, bound: correlation.Correlation | None, status: int, seconds: float
) -> None:
    if not logger.isEnabledFor(logging.INFO):
        return  # not configured to (the tests, a library use): no line to build
    route = scope.get("route")
    path = scope.get("root_path", "") + scope["path"]
    if scope.get("query_string"):
        # Capability tokens in it (a feed's ?token=) are redacted by the logging filter.
        path += "?" + scope["query_string"].decode("latin-1")
    client = scope.get("client")
    fields: dict[str, Any] = {
        "method": scope["method"],
        "path": path,
        "route": getattr(route, "path", None),
        "status": status,
        "duration_ms": round(seconds * 1000, 1),
        "organisation_id": str(bound.organisation_id) if bound and bound.organisation_id else None,
        "principal_id": bound.principal_id if bound else None,
        "client": client[0] if client else None,
    }
    logger.info(
        "%s %s %s %.1f ms", scope["method"], path, status, fields["duration_ms"], extra=fields
    )

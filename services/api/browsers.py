"""What browsers and caches need from HTTP: CORS for intranet front ends, compression of larger
responses, and conditional GET (304 Not Modified) wherever a response carries an ETag."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.api.permissions import PUBLIC
from services.domain.settings import Settings

# What a front end sends and must be able to read: conditional requests, idempotent retries,
# where a created record is, when to try again.
CORS_REQUEST_HEADERS = (
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "X-Request-ID",
)
CORS_EXPOSED_HEADERS = ("ETag", "Location", "Retry-After", "Content-Disposition", "X-Request-ID")
CORS_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
# Smaller responses gain less than the compression costs.
GZIP_MINIMUM_BYTES = 1024
# Stored files that are compressed already (a docx or xlsx is a zip package; a PDF's streams
# are deflated): gzip would spend time for nothing.
ALREADY_COMPRESSED = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
# Headers a 304 keeps (RFC 9110 15.4.5); the body and what describes it go.
NOT_MODIFIED_KEEPS = frozenset(
    {"etag", "cache-control", "content-location", "date", "expires", "vary"}
)


class _Cors(CORSMiddleware):
    """Starlette's CORS, except that a request from an origin not listed gets no CORS header
    at all (a preflight goes on to the application, which answers any OPTIONS with 405); only
    ``Vary: Origin``, so that a cache keeps its answer apart from a listed origin's."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = Headers(scope=scope).get("origin") if scope["type"] == "http" else None
        if origin is None or self.is_allowed_origin(origin):
            await super().__call__(scope, receive, send)
            return

        async def varied(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, varied)


def install(app: FastAPI, settings: Settings) -> None:
    """Add the middlewares outside the others, innermost first: a 304 is decided on the
    uncompressed answer, and CORS headers go on every answer (a 503 included). CORS only for
    the origins listed in POLICYGOV_CORS_ORIGINS: none by default."""
    app.add_middleware(NotModifiedMiddleware)
    app.add_middleware(
        GZipMiddleware,
        minimum_size=GZIP_MINIMUM_BYTES,
        compresslevel=6,
        exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES, *ALREADY_COMPRESSED),
    )
    if settings.cors_origins:
        app.add_middleware(
            _Cors,
            allow_origins=settings.cors_origins,
            allow_methods=CORS_METHODS,
            allow_headers=CORS_REQUEST_HEADERS,
            expose_headers=CORS_EXPOSED_HEADERS,
            max_age=600,
        )


def content_etag(body: bytes, *, ignoring: tuple[bytes, ...] = ()) -> str:
    """A strong ETag for a generated body; lines starting with ``ignoring`` do not count (a
    calendar's DTSTAMP says when it was generated, not what it says)."""
    digest = hashlib.sha256()
    for line in body.splitlines(keepends=True):
        if not line.startswith(ignoring):
            digest.update(line)
    return f'"c{digest.hexdigest()[:32]}"'


def matches(if_none_match: str, etag: str) -> bool:
    """The weak comparison If-None-Match uses (RFC 9110 13.1.2): W/ prefixes do not count."""
    if if_none_match.strip() == "*":
        return True
    ours = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == ours for tag in if_none_match.split(","))


class NotModifiedMiddleware:
    """A GET or HEAD whose If-None-Match matches the ETag of a 200 answer is 304, no body:
    the client already has it. The work is still done; the bytes are not sent again."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if_none_match = Headers(scope=scope).get("if-none-match")
        if not if_none_match:
            await self.app(scope, receive, send)
            return
        not_modified = False

        async def conditional(message: Message) -> None:
            nonlocal not_modified
            if message["type"] == "http.response.start":
                etag = Headers(raw=message["headers"]).get("etag")
                if message["status"] == 200 and etag and matches(if_none_match, etag):
                    not_modified = True
                    kept = MutableHeaders(raw=list(message["headers"]))
                    for name in {key.lower() for key in kept}:
                        if name not in NOT_MODIFIED_KEEPS:
                            del kept[name]
                    await send({**message, "status": 304, "headers": kept.raw})
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                    return
            elif not_modified:
                return  # the body the client already has
            await send(message)

        await self.app(scope, receive, conditional)


CALENDAR_FEED_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "An iCalendar (RFC 5545) feed.",
        "content": {"text/calendar": {"schema": {"type": "string"}}},
        "headers": {"ETag": {"schema": {"type": "string"}}},
    },
    304: {"description": "Not modified: the feed is as the ETag sent in If-None-Match."},
}


def calendar_response(request: Request, body: bytes, filename: str) -> Response:
    """A calendar feed with an ETag of what it says (so a calendar client polling it gets 304
    until it changes); for HEAD, the headers alone."""
    headers = {
        "Content-Disposition": f'inline; filename="{filename}"',
        "Cache-Control": "private, max-age=300",
        "ETag": content_etag(body, ignoring=(b"DTSTAMP",)),
    }
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        body = b""
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


def add_calendar_head(router: APIRouter, path: str, get_feed: Callable[..., Any]) -> None:
    """HEAD on a calendar feed, answered by its GET (headers alone: calendar_response)."""
    router.add_api_route(
        path,
        get_feed,
        methods=["HEAD"],
        name=get_feed.__name__.replace("get_", "head_", 1),
        response_class=Response,
        responses=CALENDAR_FEED_RESPONSES,
        dependencies=[PUBLIC],
        summary="The feed's headers alone",
        description="Its ETag and length, as a calendar client checks for a change.",
    )

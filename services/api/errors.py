"""Every error leaves as an RFC 9457 problem (application/problem+json), from this one place."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.api.imports.schemas import ImportProblem
from services.api.problems.catalogue import BY_SLUG, TYPE_BASE
from services.api.request_ids import SCOPE_KEY as REQUEST_ID_SCOPE_KEY
from services.api.sign_off.schemas import MissingGate
from services.domain.db import is_unavailable
from services.domain.errors import DomainError

logger = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
# What a client is told to wait when PostgreSQL is unavailable: about one reconnect attempt.
RETRY_AFTER_SECONDS = 5


class InvalidParam(BaseModel):
    name: str
    reason: str
    location: str | None = None


class UnmovedItem(BaseModel):
    kind: str
    id: str | None = None
    role: str
    reason: str


class Problem(BaseModel):
    """RFC 9457 problem details, with every extension member the service sends.

    `type` is `/problems/<slug>` (relative to the service), a page describing the problem.
    """

    model_config = ConfigDict(extra="allow")

    type: str = Field("about:blank", examples=["/problems/not-found"])
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    invalid_params: list[InvalidParam] | None = None
    permission: str | None = Field(None, description="403: the permissions that would allow it.")
    rule: str | None = Field(None, description="403: the relationship rule that refused it.")
    missing_gates: list[MissingGate] | None = Field(
        None, description="409: what the route needs before sign-off."
    )
    problems: list[ImportProblem] | None = Field(
        None, description="422: every problem of a rejected tracker import."
    )
    row: int | None = Field(None, description="422: the row of an update plan at fault.")
    limit: str | None = Field(None, description="409, 413, 422, 503: the setting whose limit hit.")
    limit_bytes: int | None = Field(None, description="413: the limit, in bytes.")
    versions_bytes: int | None = Field(None, description="413: the size of the paper trail.")
    accepted: list[str] | None = Field(None, description="415: the media types accepted.")
    document_status: str | None = Field(None, description="409: the document's status.")
    publication_status: str | None = Field(None, description="409: the publication's status.")
    request_status: str | None = Field(
        None, description="409: the status of a request to the policy service (triaged once)."
    )
    cancelled_reason: str | None = Field(None, description="409: why it was cancelled.")
    call: str | None = Field(None, description="409: the call to make instead.")
    trix_url: str | None = Field(None, description="409: the Tri.x page already recorded.")
    submitted_version_id: str | None = Field(None, description="409: the version submitted.")
    decision_id: str | None = Field(None, description="409: the decision already recorded.")
    current_decision_id: str | None = Field(
        None, description="409: the meeting decision to supersede."
    )
    flag_status: str | None = Field(
        None, description="409: the cascade flag's status (decided once)."
    )
    unmoved: list[UnmovedItem] | None = Field(
        None,
        description="409: every item of a reassignment that could not move, and why (nothing "
        "moved).",
    )


def problem_response(
    request: Request,
    status: int,
    *,
    slug: str | None = None,
    title: str | None = None,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug if slug else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "instance": request.url.path,
    }
    if detail:
        body["detail"] = detail
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _location_name(loc: tuple[Any, ...]) -> tuple[str, str | None]:
    parts = [str(p) for p in loc]
    where = parts[0] if parts and parts[0] in {"body", "query", "path", "header"} else None
    name = ".".join(parts[1:] if where else parts) or (where or "request")
    return name, where


# Errors the framework raises itself (no such path, a method the path does not answer, a body
# that cannot be parsed) name a problem type of ours too, rather than about:blank.
FRAMEWORK_SLUGS = {
    400: "bad-request",
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
    415: "unsupported-media-type",
}

HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def _allowed_methods(request: Request, allow: str | None) -> str:
    """Every method of the path: Starlette's 405 names only those of the first route matched."""
    methods = {m.strip() for m in (allow or "").split(",") if m.strip()}
    root, path = request.scope.get("root_path", ""), request.scope["path"]
    path = path.removeprefix(root) if root else path
    # The OpenAPI paths are public and cached; FastAPI's nested routers are not.
    for template, operations in request.app.openapi().get("paths", {}).items():
        if compile_path(template)[0].match(path):
            methods |= {m.upper() for m in operations if m in HTTP_METHODS}
    # HEAD only where it is declared (the calendar feeds): a GET route does not answer it.
    return ", ".join(sorted(methods))


def _problem_content_only(app: FastAPI) -> None:
    """Declare problems as application/problem+json only.

    FastAPI adds the route's media type (application/json) to every response with a model,
    but errors never leave as application/json.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    for response in operation.get("responses", {}).values():
                        content = response.get("content", {})
                        if PROBLEM_JSON in content:
                            content.pop("application/json", None)
        return build()

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    """Answer every error as a problem document (RFC 9457)."""
    _problem_content_only(app)
    for answered, handler in (
        (DomainError, _domain_error),
        (RequestValidationError, _validation_error),
        (StarletteHTTPException, _http_error),
        (StaleDataError, _stale),
        (IntegrityError, _integrity),
    ):
        app.exception_handler(answered)(handler)
    # Registered by class, so they are answered here rather than by the server-error handler
    # (which would log the outage as a crash). Anything else of these classes is still a 500.
    for error_class in _UNAVAILABLE_CLASSES:
        app.add_exception_handler(error_class, _unavailable_or_bug)
    app.add_exception_handler(Exception, _unexpected)


async def _domain_error(request: Request, exc: DomainError) -> JSONResponse:
    field = exc.extra.get("field")
    params = [{"name": field, "reason": exc.detail}] if field else None
    headers = None
    if exc.status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    elif exc.status == 503:  # busy, not broken: say when to come back (RFC 9110 10.2.3)
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return problem_response(
        request,
        exc.status,
        slug=exc.slug,
        title=exc.title,
        detail=exc.detail,
        invalid_params=params,
        headers=headers,
        # Extension members (RFC 9457 3.2), e.g. the gates a sign-off still needs.
        **{k: v for k, v in exc.extra.items() if k != "field"},
    )


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    params = []
    for error in exc.errors():
        name, where = _location_name(tuple(error.get("loc", ())))
        params.append({"name": name, "reason": str(error.get("msg")), "location": where})
    return problem_response(
        request,
        422,
        slug="validation",
        title="Your request is not valid",
        detail="; ".join(f"{p['name']}: {p['reason']}" for p in params)[:1000],
        invalid_params=params,
    )


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = getattr(exc, "headers", None)
    if exc.status_code == 405:
        allow = _allowed_methods(request, (headers or {}).get("Allow"))
        headers = {**(headers or {}), "Allow": allow}
    slug = FRAMEWORK_SLUGS.get(exc.status_code)
    title = BY_SLUG[slug].title if slug else None
    return problem_response(
        request, exc.status_code, slug=slug, title=title, detail=detail, headers=headers
    )


async def _stale(request: Request, exc: StaleDataError) -> JSONResponse:
    # Two writers raced past the If-Match check; the loser is told to read again.
    return problem_response(
        request,
        412,
        slug="precondition-failed",
        title="Precondition failed",
        detail="The resource changed while your request was processed; fetch it again.",
    )


async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
    # Services check first; this is the safety net for a race between two requests.
    logger.info("integrity error mapped to 409: %s", exc.orig)
    return problem_response(
        request,
        409,
        slug="conflict",
        title="Conflict",
        detail="The request conflicts with a change made at the same time; try again.",
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Answered outside the request id's middleware (by Starlette's outermost one), where the id
    # is no longer bound: named here, in the log and the answer.
    request_id = request.scope.get(REQUEST_ID_SCOPE_KEY)
    logger.exception(
        "unhandled error on %s %s",
        request.method,
        request.url.path,
        extra={"request_id": request_id},
    )
    return problem_response(
        request,
        500,
        slug="internal",
        title="Internal error",
        detail="This is a bug.",
        headers={"X-Request-ID": request_id} if isinstance(request_id, str) else None,
    )


async def _unavailable_or_bug(request: Request, exc: Exception) -> JSONResponse:
    if not is_unavailable(exc):
        return await _unexpected(request, exc)
    return unavailable(request, exc)


_UNAVAILABLE_CLASSES: tuple[type[Exception], ...] = (
    DBAPIError,
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.OperatorInterventionError,
    asyncpg.InsufficientResourcesError,
)


def unavailable(request: Request, exc: BaseException) -> JSONResponse:
    """The database is away: a 503 with a time to come back, and one log line, no traceback
    (an outage is not a bug)."""
    reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, reason)
    return problem_response(
        request,
        503,
        slug="unavailable",
        title="Service unavailable",
        detail="The database cannot be reached just now; try again shortly.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


class UnavailableMiddleware:
    """The outermost middleware: a database outage met outside a route (by a middleware such
    as the idempotency store's) is the same 503, not a crash."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            if started or not is_unavailable(exc):
                raise
            await unavailable(Request(scope), exc)(scope, receive, send)


# Declared on every operation, then trimmed by services/api/spec.py to those the operation can
# really give (by what it takes: a body, an id, If-Match...), so generated clients and
# schemathesis know each problem's shape. No 405 or 406 on an operation: a 405 is about the
# path's other methods, and nothing here answers 406. No 429: nothing limits a caller's rate.
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "model": Problem,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        "description": HTTPStatus(status).phrase,
    }
    for status in (400, 401, 403, 404, 409, 412, 413, 415, 422, 428, 503)
}
# Any operation can meet a database outage or a full heavy-work pool; both say when to retry.
COMMON_RESPONSES[503]["description"] = "Service unavailable: try again after Retry-After."
COMMON_RESPONSES[503]["headers"] = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
    }
}


def declared_problem(status: int, description: str) -> dict[str, Any]:
    """A problem an operation declares itself, in its own words: kept whatever the trimming,
    e.g. the 413 of a download that builds a file too large to send."""
    return {**COMMON_RESPONSES[status], "description": description}

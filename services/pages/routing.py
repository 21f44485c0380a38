"""The pages' routes: security headers on every answer, and a problem page (a 4xx in HTML)
instead of a problem+json document or a 500 for a link that does not work.

A page router is ``page_router()``; its routes are left out of the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import Response

from services.domain.errors import DomainError
from services.pages.deps import PUBLIC, PageProblem, refuse
from services.pages.rendering import render

# Only our own stylesheet, fonts and images; no script at all, inline or not; no framing
# (clickjacking of a confirm button); forms post only back to us.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # The token that opens the page rides in its address: never send it to another site.
    "Referrer-Policy": "no-referrer",
    # Nor keep the page (a response, a name) in a shared or back-button cache.
    "Cache-Control": "no-store",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

# What a person is told, by status, when a link cannot be used.
HEADINGS = {
    400: "This link is not complete",
    403: "This link can no longer be used",
    404: "This link does not work",
    409: "This cannot be done now",
    422: "There is a problem",
    502: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}
ADVICE = "Check that you copied the whole link from the email, or ask the person who sent it."


def problem_page(status: int, detail: str) -> Response:
    """A problem in plain words, as a page with its 4xx status."""
    return render(
        "problem.html",
        {
            "title": HEADINGS.get(status, "Sorry, there is a problem"),
            "detail": detail,
            "advice": ADVICE,
            "organisation_name": None,
        },
        status_code=status,
    )


def secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


class PageRoute(APIRoute):
    """A route whose domain errors and malformed requests become problem pages, and whose
    every answer carries the pages' security headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except (DomainError, PageProblem) as exc:
                refuse(request)  # the session dependency rolls back, then the page is sent
                response = problem_page(exc.status, exc.detail)
            except RequestValidationError:
                refuse(request)
                response = problem_page(400, "The address is missing part of the link.")
            except HTTPException as exc:
                if not 400 <= exc.status_code < 500:
                    raise
                refuse(request)  # a post the form could not have sent (a file, too many fields)
                response = problem_page(exc.status_code, "This was not sent by the page's form.")
            return secure(response)

        return page_handler


def page_router(**kwargs: Any) -> APIRouter:
    """A router for pages: public (each checks its own token), not in the OpenAPI document."""
    return APIRouter(
        route_class=PageRoute,
        include_in_schema=False,
        dependencies=[PUBLIC],
        **kwargs,
    )

"""The problem types, each at its `type` URI: an HTML page for people, JSON for programs."""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel

from services.api.permissions import PUBLIC
from services.api.problems.catalogue import BY_SLUG, PROBLEM_TYPES, ProblemType
from services.api.routing import Router
from services.domain.errors import NotFound

router = Router(prefix="/problems", tags=["problems"])


class ProblemTypeOut(BaseModel):
    type: str
    title: str
    statuses: list[int]
    description: str
    members: list[str]


def _out(problem: ProblemType) -> ProblemTypeOut:
    return ProblemTypeOut(
        type=problem.type,
        title=problem.title,
        statuses=list(problem.statuses),
        description=problem.description,
        members=list(problem.members),
    )


def _wants_html(accept: str | None) -> bool:
    # A browser asks for text/html first; programs ask for JSON or send nothing.
    return bool(accept) and "text/html" in (accept or "").split(",")[0]


def _section(problem: ProblemType) -> str:
    members = ", ".join(f"<code>{escape(m)}</code>" for m in problem.members) or "none"
    statuses = ", ".join(str(s) for s in problem.statuses)
    return (
        f'<section id="{escape(problem.slug)}"><h2><a href="{escape(problem.type)}">'
        f"{escape(problem.title)}</a></h2><p><code>{escape(problem.type)}</code> · HTTP "
        f"{statuses}</p><p>{escape(problem.description)}</p>"
        f"<p>Extension members: {members}</p></section>"
    )


def _page(title: str, problems: tuple[ProblemType, ...]) -> HTMLResponse:
    body = "".join(_section(p) for p in problems)
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title></head><body><h1>{escape(title)}</h1>{body}"
        '<p><a href="/problems">Every problem type</a></p></body></html>'
    )


HTML_TOO: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {"schema": {"type": "string"}}}}
}


@router.get("", response_model=list[ProblemTypeOut], responses=HTML_TOO, dependencies=[PUBLIC])
async def list_problem_types(request: Request) -> Response:
    """Every problem type the service answers with (HTML for a browser, JSON otherwise)."""
    if _wants_html(request.headers.get("accept")):
        return _page("policygov problem types", PROBLEM_TYPES)
    return JSONResponse([_out(p).model_dump() for p in PROBLEM_TYPES])


@router.get("/{name}", response_model=ProblemTypeOut, responses=HTML_TOO, dependencies=[PUBLIC])
async def get_problem_type(name: str, request: Request) -> Response:
    """What a problem `type` means, and the extension members it may carry."""
    problem = BY_SLUG.get(name)
    if problem is None:
        raise NotFound(f"No problem type {name!r}; GET /problems lists them.")
    if _wants_html(request.headers.get("accept")):
        return _page(problem.title, (problem,))
    return JSONResponse(_out(problem).model_dump())

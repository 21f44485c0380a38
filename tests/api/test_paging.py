"""One way to list (services/api/paging.py): every endpoint that pages takes its cursor and page
size through the Paging dependency, and no router signs or reads a cursor itself."""

from __future__ import annotations

from pathlib import Path

from fastapi.routing import APIRoute, iter_route_contexts

from services.api.app import create_app
from services.api.paging import Paging
from services.domain.tokens import Keyring

API = Path(__file__).resolve().parents[2] / "services" / "api"


def test_every_list_takes_its_cursor_through_the_paging_dependency() -> None:
    paged, by_hand = [], []
    for context in iter_route_contexts(create_app().routes):
        route = context.route
        if not isinstance(route, APIRoute):
            continue
        path = context.path or route.path
        own = {param.name for param in route.dependant.query_params}
        through_paging = any(
            dependency.call is not None
            and getattr(dependency.call, "__name__", "") == "paging"
            and {p.name for p in dependency.query_params} == {"cursor", "limit"}
            for dependency in route.dependant.dependencies
        )
        # (The forward plan's limit is how many meetings ahead, not a page.)
        if "cursor" in own:
            by_hand.append(path)
        if through_paging:
            paged.append(path)
    assert by_hand == []
    # The lists of the register, the tracker, people, audit, sign-offs, reviews, requests to the
    # policy service, dis-applications, review extensions, a document's engagement sessions, a
    # document's asks to
    # read and acknowledge, their people, one's own, monitoring actions, the news and digest
    # subscriptions, cascade flags, statutory sources (their documents and changes), the
    # documents with no active owner, and the rest.
    assert len(paged) == 33
    assert {"/v1/documents", "/v1/tracker", "/v1/people", "/v1/audit"} <= set(paged)
    assert "/v1/policy-requests" in paged


def test_no_router_signs_or_reads_a_cursor_itself() -> None:
    offenders = [
        str(path.relative_to(API))
        for path in API.rglob("*.py")
        if path.name != "paging.py"
        and any(
            name in path.read_text(encoding="utf-8")
            for name in ("decode_cursor", "encode_cursor", "limit + 1")
        )
    ]
    assert offenders == []


def test_a_page_keeps_the_rows_asked_for_and_points_after_the_last() -> None:
    paging = Paging(Keyring("a-test-secret"), cursor=None, limit=2)
    rows, cursor = paging.page([1, 2, 3], {"q": "x"}, lambda n: [n])
    assert (rows, paging.fetch) == ([1, 2], 3)
    assert cursor is not None
    following = Paging(paging.keyring, cursor, limit=2)
    assert following.after({"q": "x"}, (int,)) == [2]
    assert paging.page([1, 2], {"q": "x"}, lambda n: [n]) == ([1, 2], None)

"""Every problem `type` the code can answer with is a page the service serves itself."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from httpx import AsyncClient

from services.api.app import create_app
from services.api.errors import FRAMEWORK_SLUGS, Problem
from services.api.problems.catalogue import TYPE_BASE
from services.domain.errors import DomainError
from services.domain.settings import Settings
from tests.factories import World

SERVICES = Path(__file__).resolve().parents[2] / "services"


def _trees() -> Iterator[ast.AST]:
    for path in sorted(SERVICES.rglob("*.py")):
        yield ast.parse(path.read_text(encoding="utf-8"))


def _slugs_in_code() -> set[str]:
    """`slug = "..."` on error classes, `slug="..."` arguments, `TYPE_BASE + "..."`."""
    found = set()
    for tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                targets = [t for t in node.targets if isinstance(t, ast.Tuple | ast.Name)]
                for target in targets:
                    names = target.elts if isinstance(target, ast.Tuple) else [target]
                    values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
                    for name, value in zip(names, values, strict=False):
                        if (
                            isinstance(name, ast.Name)
                            and name.id == "slug"
                            and isinstance(value, ast.Constant)
                            and isinstance(value.value, str)
                        ):
                            found.add(value.value)
            elif isinstance(node, ast.keyword) and node.arg == "slug":
                if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                    found.add(node.value.value)
            elif (
                isinstance(node, ast.BinOp)
                and isinstance(node.left, ast.Name)
                and node.left.id == "TYPE_BASE"
                and isinstance(node.right, ast.Constant)
            ):
                found.add(node.right.value)
    return found


def _error_classes() -> set[str]:
    create_app(Settings())  # imports every module that raises
    classes, todo = set(), [DomainError]
    while todo:
        cls = todo.pop()
        classes.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return classes


def _is_super_init(node: ast.Call) -> bool:
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "__init__"
        and isinstance(func.value, ast.Call)
        and getattr(func.value.func, "id", None) == "super"
    )


def _extension_members() -> set[str]:
    """Every keyword given to a domain error (its extension members), in any module."""
    classes = _error_classes()
    members = set()
    for tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (
                getattr(node.func, "id", None) in classes
                or getattr(node.func, "attr", None) in classes  # errors.Conflict(...)
            ):
                members |= {k.arg for k in node.keywords if k.arg}
            elif isinstance(node, ast.ClassDef) and node.name in classes:
                for call in ast.walk(node):
                    if isinstance(call, ast.Call) and _is_super_init(call):
                        members |= {k.arg for k in call.keywords if k.arg}
    return members


def test_code_uses_problem_types_and_extension_members_at_all() -> None:
    # The scans below would pass vacuously if they found nothing.
    assert {"not-found", "validation", "idempotency", "invalid-cursor"} <= _slugs_in_code()
    assert {"missing_gates", "problems", "trix_url", "limit"} <= _extension_members()


async def test_every_problem_type_the_code_uses_has_a_page_and_a_json_description(
    client: AsyncClient,
) -> None:
    for slug in sorted(_slugs_in_code()):
        page = await client.get(f"/problems/{slug}", headers={"Accept": "text/html"})
        assert page.status_code == 200, slug
        assert page.headers["content-type"].startswith("text/html"), slug
        described = await client.get(f"/problems/{slug}")
        assert described.status_code == 200, slug
        assert described.json()["type"] == f"/problems/{slug}"
    listed = await client.get("/problems")
    assert {p["type"] for p in listed.json()} >= {f"/problems/{s}" for s in _slugs_in_code()}


async def test_a_problem_names_a_type_the_service_itself_describes(
    client: AsyncClient, world: World
) -> None:
    missing = await client.get(
        "/v1/documents/00000000-0000-0000-0000-000000000000", headers=world.a.reader.headers
    )
    assert missing.status_code == 404
    kind = missing.json()["type"]
    assert kind == "/problems/not-found"
    assert (await client.get(kind)).json()["statuses"] == [404]
    assert (await client.get("/problems/no-such-thing")).status_code == 404


def test_the_problem_schema_names_every_extension_member() -> None:
    named = set(Problem.model_fields)
    # `field` becomes invalid_params in api/errors.py; it is never sent as itself.
    assert _extension_members() - {"field"} <= named, sorted(_extension_members() - named)


async def test_errors_the_framework_raises_name_a_type_the_service_describes(
    client: AsyncClient, world: World
) -> None:
    h = world.a.policy_officer.headers
    nowhere = await client.get("/v1/nowhere", headers=h)
    wrong_method = await client.delete("/v1/documents", headers=h)
    unparsable = await client.post(
        "/v1/documents", content=b"\xff\xfe{", headers={**h, "Content-Type": "application/json"}
    )
    for answer, status in ((nowhere, 404), (wrong_method, 405), (unparsable, 400)):
        assert answer.status_code == status, answer.text
        kind = answer.json()["type"]
        assert kind == TYPE_BASE + FRAMEWORK_SLUGS[status]
        assert (await client.get(kind)).json()["statuses"] == [status]
    for slug in FRAMEWORK_SLUGS.values():
        assert (await client.get(f"/problems/{slug}")).status_code == 200, slug


async def test_allow_lists_head_only_where_it_is_answered(
    client: AsyncClient, world: World
) -> None:
    h = world.a.policy_officer.headers
    listing = await client.head("/v1/documents", headers=h)
    assert listing.status_code == 405
    assert listing.headers["Allow"] == "GET, POST"
    feed = await client.post(f"/v1/calendar-feeds/people/{world.a.reader.person_id}.ics")
    assert feed.status_code == 405
    assert feed.headers["Allow"] == "GET, HEAD"

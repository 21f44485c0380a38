"""Every operation names the permission it needs, and the permission matrix is made from that.

``allowed(P.X, ...)`` is a route dependency: the caller must hold one of the permissions (their
credential's role and their person's roles both grant it). It runs before the request body is
read, so a `reader` key is refused a write whatever it sends. The use case then applies the
relationship rules of ``services/domain/authz`` (the author of the draft, a member of the
board...). ``PUBLIC`` marks the few operations that take no API key (health checks, an external
consultee's link, calendar feeds: each checks its own signed token).

`python -m services.api.permissions > docs/permissions.md` writes the matrix (`make
permissions`); a test fails when the committed file and the code differ.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.params import Depends as DependsParam
from fastapi.routing import APIRoute, iter_route_contexts

from services.api.deps import CurrentPrincipal
from services.domain.authz.core import ACTIONS, RULES, Rule, require_any
from services.domain.authz.permissions import ROLES, Permission, roles_granting

EXTENSION = "x-permissions"


def allowed(*permissions: Permission) -> Any:
    """The route dependency: the caller holds one of ``permissions``."""

    async def holds_permission(principal: CurrentPrincipal) -> None:
        require_any(principal, permissions)

    holds_permission.permissions = permissions  # type: ignore[attr-defined]
    return Depends(holds_permission)


async def _public() -> None:
    """No API key: the operation checks its own signed token, or shows nothing private."""


_public.permissions = ()  # type: ignore[attr-defined]
PUBLIC = Depends(_public)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    name: str
    permissions: tuple[Permission, ...] | None  # () for public, None when undeclared


def _declared(route: APIRoute) -> tuple[Permission, ...] | None:
    found = [
        dependency.dependency.permissions  # type: ignore[union-attr]
        for dependency in route.dependencies
        if isinstance(dependency, DependsParam) and hasattr(dependency.dependency, "permissions")
    ]
    if len(found) != 1:
        return None
    permissions: tuple[Permission, ...] = found[0]
    return permissions


def operations(app: FastAPI) -> Iterator[Operation]:
    """Every operation of the app with the permissions it declares, by path."""
    seen = []
    for context in iter_route_contexts(app.routes):
        route = context.route
        if not isinstance(route, APIRoute):
            continue
        for method in sorted(route.methods or ()):
            seen.append(Operation(method, context.path or route.path, route.name, _declared(route)))
    yield from sorted(seen, key=lambda o: (o.path, o.method))


def document(router: APIRouter) -> None:
    """Show each operation's permissions in the OpenAPI document (``x-permissions``); called on
    a router before it is included, so the app's copies of its routes carry them."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            declared = _declared(route)
            if declared is not None:
                route.openapi_extra = {
                    **(route.openapi_extra or {}),
                    EXTENSION: [p.value for p in declared],
                }


def _tick(yes: bool) -> str:
    return "yes" if yes else "-"


def render(app: FastAPI) -> str:
    """The permission matrix as Markdown."""
    return "\n".join([*_HEADER, *_roles(), *_actions(), *_rules(), *_operations(app)]) + "\n"


_HEADER = (
    "# Permissions",
    "",
    "Generated from the code by `make permissions` (`python -m services.api.permissions`);",
    "a test fails when this file and the code differ. Do not edit it by hand.",
    "",
    "A request can do only what both its API key's role and its person's roles allow",
    "(a key acting for no person, such as a Tri.x upload script, has its role's",
    "permissions alone; an OIDC token's roles claim, or else the directory, gives the",
    "person's roles). Relationship rules then narrow each action to particular records.",
    "A refusal is a `403` problem whose `rule` member names what refused it (`role`, or",
    "one of the rules below) and, for `role`, the `permission` missing. A record you may",
    "not see at all answers `404`, exactly like one that does not exist.",
)


def _roles() -> list[str]:
    lines = [
        "",
        "## Roles and permissions",
        "",
        "| permission | " + " | ".join(ROLES) + " |",
        "|---|" + "---|" * len(ROLES),
    ]
    for permission in Permission:
        granted = roles_granting(permission)
        lines.append(
            f"| `{permission.value}` | "
            + " | ".join(_tick(role in granted) for role in ROLES)
            + " |"
        )
    return lines


def _actions() -> list[str]:
    lines = [
        "",
        "## Actions",
        "",
        "Each action needs its permission and, where rules are listed, one of them (the",
        "segregation-of-duties rule always applies on top).",
        "",
        "| action | what | permission | " + " | ".join(ROLES) + " | and only |",
        "|---|---|---|" + "---|" * len(ROLES) + "---|",
    ]
    for action in sorted(ACTIONS.values(), key=lambda a: a.key):
        granted = roles_granting(action.permission)
        rules = ", ".join(f"`{r.value}`" for r in action.rules) or "anyone with the permission"
        lines.append(
            f"| `{action.key}` | {action.summary} | `{action.permission.value}` | "
            + " | ".join(_tick(role in granted) for role in ROLES)
            + f" | {rules} |"
        )
    return lines


def _rules() -> list[str]:
    lines = ["", "## Relationship rules", "", "| rule | who |", "|---|---|"]
    lines += [f"| `{rule.value}` | {RULES[rule]} |" for rule in Rule]
    return lines


def _operations(app: FastAPI) -> list[str]:
    lines = [
        "",
        "## Operations",
        "",
        "The permission each operation checks before reading the request (any one of those",
        "listed); the use case behind it then applies the action's rules.",
        "",
        "| operation | permission |",
        "|---|---|",
    ]
    for operation in operations(app):
        if operation.permissions is None:
            needed = "**undeclared**"
        elif not operation.permissions:
            needed = "public (no API key; a signed token where there is one)"
        else:
            needed = ", ".join(f"`{p.value}`" for p in operation.permissions)
        lines.append(f"| `{operation.method} {operation.path}` | {needed} |")
    return lines


def main() -> None:
    from services.api.app import create_app
    from services.domain.settings import Settings

    sys.stdout.write(render(create_app(Settings())))


if __name__ == "__main__":
    main()

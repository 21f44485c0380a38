"""The permission matrix in docs/permissions.md is the code: every operation declares what it
needs, the committed document is generated from those declarations, and every role is refused
exactly the operations its permissions do not grant (a `403` naming the rule `role`)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from fastapi import FastAPI
from httpx import AsyncClient

from services.api.permissions import operations, render
from services.domain.authz.permissions import ROLE_PERMISSIONS
from tests.factories import ROLES, World

MATRIX = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def test_every_operation_declares_the_permission_it_needs(app: FastAPI) -> None:
    undeclared = [f"{o.method} {o.path}" for o in operations(app) if o.permissions is None]
    assert not undeclared, (
        f"Give each of these operations dependencies=[allowed(P....)] (or [PUBLIC]): {undeclared}"
    )


def test_the_committed_permission_matrix_is_the_one_the_code_makes(app: FastAPI) -> None:
    assert MATRIX.read_text(encoding="utf-8") == render(app), (
        "docs/permissions.md is out of date: run `make permissions`."
    )


def test_the_matrix_lists_every_operation_and_role(app: FastAPI) -> None:
    text = MATRIX.read_text(encoding="utf-8")
    for operation in operations(app):
        assert f"`{operation.method} {operation.path}`" in text
    for role in ROLES:
        assert f"| {role} " in text


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


async def test_each_role_is_refused_exactly_what_its_permissions_do_not_grant(
    app: FastAPI, client: AsyncClient, world: World
) -> None:
    checked = 0
    mismatches = []
    for operation in operations(app):
        if not operation.permissions or operation.method in ("HEAD", "OPTIONS", "TRACE"):
            continue
        url = _url(operation.path)
        for role in ROLES:
            member = world.a.members[role]
            headers = {**member.headers, "If-Match": '"r1"'}
            body = {"json": {}} if operation.method in ("POST", "PUT", "PATCH") else {}
            response = await client.request(operation.method, url, headers=headers, **body)
            refused_by_role = response.status_code == 403 and response.json().get("rule") == "role"
            granted = any(p in ROLE_PERMISSIONS[role] for p in operation.permissions)
            if refused_by_role == granted:
                mismatches.append((role, operation.method, operation.path, response.status_code))
            checked += 1
    assert not mismatches, mismatches
    assert checked > 800  # six roles, every operation that takes a key

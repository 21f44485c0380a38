"""The committed OpenAPI document is the app's, and every operation is documented alike.

Generated clients and schemathesis read openapi/openapi.json; these tests keep it true.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from services.api.app import create_app
from services.api.errors import PROBLEM_JSON
from services.api.openapi import openapi_schema, render
from services.api.spec import problem_statuses
from services.domain.settings import Settings

COMMITTED = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
# The calendar feed and an external consultee's link carry their credential in their address:
# calendar clients and people without an account send no key (as does a person's link to
# read and acknowledge).
PUBLIC_PATHS = {
    "/healthz",
    "/problems",
    "/problems/{name}",
    "/readyz",
    "/v1/calendar-feeds/boards/{board_id}.ics",
    "/v1/calendar-feeds/people/{person_id}.ics",
    "/v1/consultation-links/{token}",
    "/v1/consultation-links/{token}/draft",
    "/v1/consultation-links/{token}/response",
    "/v1/acknowledgement-links/{token}",
    "/v1/acknowledgement-links/{token}/document",
    "/v1/acknowledgement-links/{token}/confirm",
    "/v1/news-feeds/{organisation_id}.atom",
}
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
PROBLEM_REF = "#/components/schemas/Problem"


@pytest.fixture(scope="module")
def offline_app() -> FastAPI:
    return create_app(Settings())


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return openapi_schema()


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_the_committed_openapi_document_is_the_apps(schema: dict[str, Any]) -> None:
    expected = render(schema)
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    if committed != expected:
        diff = difflib.unified_diff(
            committed.splitlines(),
            expected.splitlines(),
            "openapi/openapi.json (committed)",
            "openapi/openapi.json (from the app)",
            lineterm="",
        )
        excerpt = "\n".join(list(diff)[:60])
        pytest.fail(
            f"openapi/openapi.json is out of date: run `make openapi` and commit it.\n{excerpt}"
        )


def test_the_committed_openapi_document_is_valid_openapi_3_1() -> None:
    from openapi_spec_validator import OpenAPIV31SpecValidator

    document = json.loads(COMMITTED.read_text(encoding="utf-8"))
    errors = [error.message for error in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == []


def test_every_schema_has_one_readable_name_and_its_own_title(schema: dict[str, Any]) -> None:
    # Two models of one name get module-path names (services__api__sign_off__schemas__Decision)
    # that generated clients mangle or drop, with the endpoints that use them.
    schemas = schema["components"]["schemas"]
    leaking = [name for name in schemas if "__" in name]
    assert leaking == []
    titles = [s.get("title", name) for name, s in schemas.items()]
    assert sorted(t for t in set(titles) if titles.count(t) > 1) == []


def test_every_operation_id_is_resource_action_in_snake_case_and_unique(
    schema: dict[str, Any], offline_app: FastAPI
) -> None:
    # Generated clients name their methods after these: documents_list_documents.
    names = {
        (method.lower(), route.path): route.name
        for route in _routes(offline_app)
        for method in route.methods or ()
    }
    seen: set[str] = set()
    for path, method, operation in _operations(schema):
        tag = operation["tags"][0]
        expected = f"{tag.replace('-', '_')}_{names[(method, path)]}"
        assert operation["operationId"] == expected, (method, path)
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", expected), expected
        assert expected not in seen, f"duplicate operationId {expected}"
        seen.add(expected)


def test_every_tag_is_named_like_its_paths_and_described(schema: dict[str, Any]) -> None:
    described = {t["name"]: t.get("description", "") for t in schema["tags"]}
    used = {tag for _, _, operation in _operations(schema) for tag in operation["tags"]}
    assert used == described.keys()
    for name, description in described.items():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", name), name
        assert description.strip(), name


def test_the_spec_names_its_server_relative_to_where_it_is_read(schema: dict[str, Any]) -> None:
    assert schema["servers"] == [{"url": "/"}]


def test_every_file_of_a_multipart_body_is_binary(schema: dict[str, Any]) -> None:
    # Without format: binary, generated clients send the file as a text part and get a 422.
    components = schema["components"]["schemas"]
    files = []
    for path, method, operation in _operations(schema):
        content = operation.get("requestBody", {}).get("content", {})
        if "multipart/form-data" not in content:
            continue
        body = components[content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]]
        for name, field in body["properties"].items():
            if "contentMediaType" in field:
                files.append((method, path, name))
                assert field.get("format") == "binary", (method, path, name)
    assert len(files) >= 3


def test_every_503_says_when_to_retry_and_no_429_is_promised(schema: dict[str, Any]) -> None:
    # The service answers 503 with Retry-After (outage or busy) and limits no caller's rate.
    for path, method, operation in _operations(schema):
        if path == "/readyz":  # its 503 is the readiness report, naming what is down
            continue
        unavailable = operation["responses"]["503"]
        assert unavailable["headers"]["Retry-After"]["schema"]["type"] == "integer", (method, path)
        assert "429" not in operation["responses"], (method, path)


def _routes(app: FastAPI) -> list[Any]:
    # FastAPI 0.16x nests included routers; older versions list the routes flat.
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI
        return [r for r in app.routes if getattr(r, "include_in_schema", False)]
    return [r for r in iter_route_contexts(app.routes) if getattr(r, "include_in_schema", False)]


def test_every_operation_declares_the_problems_it_can_give_as_problem_json(
    schema: dict[str, Any],
) -> None:
    assert schema["components"]["schemas"]["Problem"]["properties"]["status"]["type"] == "integer"
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        can = {str(s) for s in problem_statuses(method, operation)}
        missing = can - responses.keys()
        assert not missing, f"{method.upper()} {path} does not declare {sorted(missing)}"
        assert not {"405", "406"} & responses.keys(), (method, path)
        for status, response in responses.items():
            if status.startswith("4"):
                # Errors never leave as application/json, so they are not documented so.
                assert response["content"] == {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}, (
                    method,
                    path,
                    status,
                )


@pytest.mark.parametrize(
    ("method", "path", "problems"),
    [
        ("get", "/healthz", {"503"}),
        ("get", "/v1/documents", {"400", "401", "403", "404", "422", "503"}),
        ("get", "/v1/documents/{document_id}", {"401", "403", "404", "422", "503"}),
        (
            "patch",
            "/v1/documents/{document_id}",
            {"400", "401", "403", "404", "409", "412", "413", "422", "428", "503"},
        ),
        (
            "post",
            "/v1/documents/{document_id}/versions",
            {"400", "401", "403", "404", "409", "413", "415", "422", "503"},
        ),
        ("get", "/v1/consultation-links/{token}", {"404", "422", "503"}),
        # A download that builds a file says so itself; one of stored files, that a file
        # read from the S3 store may be damaged (502).
        (
            "get",
            "/v1/documents/{document_id}/paper-trail.zip",
            {"401", "403", "404", "413", "422", "502", "503"},
        ),
        (
            "get",
            "/v1/documents/{document_id}/versions/{version}/file",
            {"401", "403", "404", "422", "502", "503"},
        ),
    ],
)
def test_an_operation_lists_only_the_problems_it_can_give(
    schema: dict[str, Any], method: str, path: str, problems: set[str]
) -> None:
    responses = schema["paths"][path][method]["responses"]
    assert {s for s in responses if s[0] in "45"} == problems


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/v1/sign-offs"),
        ("post", "/v1/sign-offs/{sign_off_id}/decisions"),
        ("post", "/v1/meetings/{meeting_id}/decisions"),
    ],
)
def test_an_operation_that_can_issue_a_draft_says_its_file_may_be_damaged(
    schema: dict[str, Any], method: str, path: str
) -> None:
    # Issuing copies the draft's file; read from the S3 store, it is checked against its hash.
    assert "502" in schema["paths"][path][method]["responses"]


def test_every_operation_but_the_health_checks_needs_the_bearer_key(
    schema: dict[str, Any],
) -> None:
    schemes = schema["components"]["securitySchemes"]
    [bearer] = [
        name for name, s in schemes.items() if (s["type"], s.get("scheme")) == ("http", "bearer")
    ]
    for path, method, operation in _operations(schema):
        if path in PUBLIC_PATHS:
            assert "security" not in operation, (method, path)
        else:
            assert operation.get("security") == [{bearer: []}], (method, path)


def test_every_post_declares_the_idempotency_key_header() -> None:
    from services.api.app import create_app
    from services.domain.settings import Settings

    schema = create_app(Settings()).openapi()
    posts = [op for path in schema["paths"].values() for m, op in path.items() if m == "post"]
    assert posts
    for operation in posts:
        names = [p["name"] for p in operation.get("parameters", [])]
        assert names.count("Idempotency-Key") == 1, operation["operationId"]


def test_the_api_enumerations_are_the_domains() -> None:
    from typing import get_args

    from services.api.documents.schemas import LinkKind, Status
    from services.api.people.schemas import Role
    from services.domain.models.documents import LINK_KINDS, STATUSES
    from services.domain.models.people import ROLES

    assert get_args(Status) == STATUSES
    assert get_args(LinkKind) == LINK_KINDS
    assert get_args(Role) == ROLES


def test_the_audit_filter_knows_every_entity_the_domain_audits() -> None:
    from typing import get_args

    from services.api.audit.router import EntityType
    from services.domain.audit.changes import ENTITY_TYPES

    # Every record is written through audit/changes.py, whose ENTITY_TYPES names each type.
    used = set(ENTITY_TYPES.values())
    assert used and used <= set(get_args(EntityType))

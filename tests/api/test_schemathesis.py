"""The whole API against its own OpenAPI schema, with schemathesis.

Every operation is called with generated valid and invalid input, deeply as the admin of an
organisation and more lightly as each of its five other roles. The organisation holds documents,
versions, a link, people, keys and kinds; generated ids are mixed with the ids of those records
so that requests also get past "not found".
Checked: no 5xx, every status code, content type, declared header and body is the schema's,
schema-valid requests are not refused as malformed, and every other check of schemathesis that
applies to this API (see CHECKS).
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
    use_after_free,
)
from starlette.types import ASGIApp, Receive, Scope, Send

from services.api.app import create_app
from services.api.openapi import openapi_schema
from services.domain.access import service as access
from services.domain.documents import kinds, links, service, versions
from services.domain.documents.commands import NewDocument, NewKind
from services.domain.people import service as people
from services.domain.settings import Settings
from tests import snapshots
from tests.factories import ROLES, Org, World
from tests.reporting import FUZZ_REQUESTS

pytestmark = pytest.mark.slow

# Every built-in check (positive_data_acceptance with one exception, below) but
# object_level_authorization, which needs identities configured in
# schemathesis (isolation between organisations has its own tests: test_isolation, test_body_ids).


@schemathesis.check
def schema_valid_input_is_accepted(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    """positive_data_acceptance, but a cursor this service did not sign is a 400, and an
    uploaded file of a type the service does not read is a 415.

    A cursor is an opaque string, so no schema can say which strings are valid: only the ones
    this service issued. Every other schema-valid request must get past validation.
    """
    if (
        response.status_code == 400
        and "cursor" in (case.query or {})
        and str(response.json().get("type", "")).endswith("/invalid-cursor")
    ):
        return None
    # Likewise a file: the schema can only call it binary, and the service reads the bytes to
    # know its type, so a schema-valid upload (a PNG) may be a 415.
    if response.status_code == 415 and case.media_type == "multipart/form-data":
        return None
    result: bool | None = positive_data_acceptance(ctx, response, case)
    return result


CHECKS = [
    schemathesis.checks.not_a_server_error,
    schema_valid_input_is_accepted,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    missing_required_header,
    unsupported_method,
    allow_header_conformance,
    ignored_auth,
    use_after_free,
    ensure_resource_availability,
]
# In a multipart body every part is bytes: a "number" where the schema says binary is a valid
# one-line text file, so schemathesis' idea of invalid data does not hold there.
MULTIPART_CHECKS = [c for c in CHECKS if c is not negative_data_rejection]
CONFIG = {
    # A fixed seed and derandomised generation: a failure on CI reproduces locally.
    "seed": 20250101,
    "generation": {
        "mode": "all",
        # Per operation, role and mode; the coverage phase adds its boundary cases on top.
        "max-examples": 12,
        "deterministic": True,
        "database": "none",
        # Requests carry the role's key; ignored_auth checks that leaving it out answers 401.
        "with-security-parameters": False,
    },
    "checks": {
        # A schema-valid request may still be refused by the rules: your role (403), a record
        # of nobody (404; 422 when its id is in the body), a state that forbids it (409), a
        # stale ETag (412). Never as malformed (400), nor for a header the schema calls
        # optional (428: If-Match is declared required wherever it is needed).
        "positive_data_acceptance": {
            "expected-statuses": ["2XX", "403", "404", "409", "412", "413", "422"],
        },
        # Invalid input is refused as such, or, when it is large (2,001 items where 2,000 are
        # allowed), refused as too large (413) before anything reads it.
        "negative_data_rejection": {
            "expected-statuses": [
                "400",
                "401",
                "403",
                "404",
                "405",
                "406",
                "409",
                "413",
                "415",
                "422",
                "428",
                "429",
                "5xx",
            ],
        },
        # A missing If-Match is 428 Precondition Required (RFC 6585), the status made for it.
        "missing_required_header": {
            "expected-statuses": ["400", "401", "403", "406", "415", "422", "428"],
        },
    },
}
# The other five roles: fewer examples and no boundary-value phase. Most of their requests stop
# at the role's refusal, and what a request's input looks like is the admin pass's work.
ROLE_CONFIG = {
    **CONFIG,
    "generation": {**CONFIG["generation"], "max-examples": 4},  # type: ignore[dict-item]
    "phases": {"coverage": {"enabled": False}},
}


@dataclass(frozen=True)
class Seeds:
    """Records of organisation A that generated requests may aim at."""

    document_ids: list[str]
    version_refs: list[str]
    link_ids: list[str]
    person_ids: list[str]
    api_key_ids: list[str]
    kind_ids: list[str]
    kind_keys: list[str]


class _Target:
    """The app and records the module-level schema aims at, set by fixtures.

    The schema must exist when tests are collected, the app and the data only once the test
    database does; schemathesis sends every request, including its checks' own, to this app.
    """

    def __init__(self) -> None:
        self.app: ASGIApp | None = None
        self.seeds: Seeds | None = None
        self.requests = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None, "the fuzz_app fixture sets the app"
        if scope["type"] == "http":
            self.requests += 1
        await self.app(scope, receive, send)


TARGET = _Target()
# The schema the app serves, built without connecting to anything.
schema = schemathesis.openapi.from_dict(
    openapi_schema(), config=schemathesis.Config.from_dict(CONFIG)
)
schema.app = TARGET
role_schema = schemathesis.openapi.from_dict(
    openapi_schema(), config=schemathesis.Config.from_dict(ROLE_CONFIG)
)
role_schema.app = TARGET
OTHER_ROLES = [role for role in ROLES if role != "admin"]


@pytest.fixture(scope="module")
def fuzz_app(settings: Settings, request: pytest.FixtureRequest) -> Iterator[None]:
    # schemathesis drives ASGI apps from an event loop of its own (one thread per process); the
    # session `app` has connections bound to the test loop, so this app gets its own pool.
    TARGET.app = create_app(settings)
    sent_before = TARGET.requests
    yield
    asgi.shutdown_lifespans()
    TARGET.app = None
    # Printed at the end of the run, summed over the workers (tests/conftest.py). A worker may
    # set this fixture up more than once (pytest-xdist's worksteal): count each time's own.
    stash = request.config.stash
    stash[FUZZ_REQUESTS] = stash.get(FUZZ_REQUESTS, 0) + TARGET.requests - sent_before


async def _seed(world: World, org: Org) -> Seeds:
    async with world.sessionmaker() as session, session.begin():
        admin = await access.authenticate_api_key(session, org.admin.key)
        leaver = await people.create_person(
            session,
            admin,
            organisation_id=org.id,
            name="Pat Leaver",
            email="pat.leaver@example.org",
            roles=["author"],
        )
        spare_key = await access.create_api_key(
            session, admin, organisation_id=org.id, role="reader", name="spare"
        )
        kind = await kinds.create_kind(
            session,
            admin,
            NewKind.of({"key": "briefing", "label": "Briefing", "requires_owner": False}),
        )
        documents = []
        for n, kind_key in enumerate(("policy", "procedure", "form")):
            documents.append(
                await service.create_document(
                    session,
                    admin,
                    NewDocument.of(
                        {
                            "reference": f"SEED-{n}",
                            "title": f"Seeded {kind_key}",
                            "summary": "For schemathesis.",
                            "kind": kind_key,
                            "owner_id": org.approver.person_id,
                            "responsible_officer_id": org.author.person_id,
                            "review_interval_months": 12,
                            "tags": ["seed"],
                        }
                    ),
                )
            )
        first = []
        for document in (documents[0], documents[1]):
            for issue, content in ((False, b"Draft\n\nOne"), (True, b"# Issued\n\nOne\n\nTwo")):
                version = await versions.add_version(
                    session,
                    admin,
                    document,
                    filename="policy.md",
                    content=content,
                    declared_media_type="text/markdown",
                    change_summary="seed",
                    issue=issue,
                    max_bytes=1024 * 1024,
                )
                if document is documents[0]:
                    first.append(version)
        link = await links.create_link(
            session, admin, documents[0], target_id=documents[1].id, kind="governs"
        )
    return Seeds(
        # The first document has versions and a link: aim at it most.
        document_ids=[str(documents[0].id), str(documents[0].id), *(str(d.id) for d in documents)],
        version_refs=["0.1", "1.0", *(str(v.id) for v in first)],
        link_ids=[str(link.id)],
        # Not the admin's own person or key: the admin pass must not lock itself out.
        person_ids=[str(leaver.id), str(org.reader.person_id)],
        api_key_ids=[str(spare_key.api_key.id)],
        kind_ids=[str(kind.id)],
        kind_keys=["policy", "briefing"],
    )


@pytest.fixture
async def seeds(world: World, _emptying_script: str) -> AsyncIterator[Seeds]:
    # Built once a process, its rows (with the world's) put back for each case (tests/snapshots).
    built = await snapshots.built_once(
        world.sessionmaker, "fuzz_seeds", lambda: _seed(world, world.a), _emptying_script
    )
    TARGET.seeds = copy.deepcopy(built)
    yield TARGET.seeds
    TARGET.seeds = None


def _mixed(generated: Any, known: list[str]) -> st.SearchStrategy[Any]:
    """Seven times in eight one of the known values, else the generated one."""
    return st.integers(0, 7).flatmap(
        lambda n: st.just(generated) if n == 7 else st.sampled_from(known)
    )


Pools = dict[str, tuple[list[str], Callable[[Any], bool]]]


def _aim(values: Any, pools: Pools) -> st.SearchStrategy[Any]:
    """``values`` with the entries named in ``pools`` maybe swapped for a known value.

    Only a value its pool's check finds valid is swapped: an invalid one was generated on
    purpose (negative mode), and schemathesis expects that request to be refused.
    """
    if not isinstance(values, dict):
        return st.just(values)
    strategy: st.SearchStrategy[dict[str, Any]] = st.just(dict(values))
    for name, value in values.items():
        if name in pools and pools[name][1](value):
            known = pools[name][0]
            strategy = strategy.flatmap(
                lambda current, name=name, known=known: _mixed(current[name], known).map(
                    lambda swapped, current=current, name=name: {**current, name: swapped}
                )
            )
    return strategy


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_uuid_or_none(value: Any) -> bool:
    return value is None or _is_uuid(value)


def _is_kind_key(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[a-z0-9_]{1,40}", value) is not None


def flatmap_path_parameters(context: Any, path_parameters: Any) -> st.SearchStrategy[Any]:
    seeds = TARGET.seeds
    if seeds is None:  # explicit examples are drawn while collecting, before any fixture
        return st.just(path_parameters)
    return _aim(
        path_parameters,
        {
            "document_id": (seeds.document_ids, _is_uuid),
            "version": (seeds.version_refs, _is_str),
            "other": (seeds.version_refs, _is_str),
            "link_id": (seeds.link_ids, _is_uuid),
            "person_id": (seeds.person_ids, _is_uuid),
            "key_id": (seeds.api_key_ids, _is_uuid),
            "kind_id": (seeds.kind_ids, _is_uuid),
        },
    )


DOCUMENT_PATHS = {"/v1/documents", "/v1/documents/{document_id}"}


def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    seeds = TARGET.seeds
    if seeds is None:
        return st.just(body)
    pools: Pools = {
        "target_id": (seeds.document_ids, _is_uuid),
        "owner_id": (seeds.person_ids, _is_uuid_or_none),
        "responsible_officer_id": (seeds.person_ids, _is_uuid_or_none),
        "author_id": (seeds.person_ids, _is_uuid_or_none),
        "person_id": (seeds.person_ids, _is_uuid_or_none),
    }
    if context.operation is not None and context.operation.path in DOCUMENT_PATHS:
        # A document's kind (a link's kind is another thing).
        pools["kind"] = (seeds.kind_keys, _is_kind_key)
    return _aim(body, pools)


def flatmap_headers(context: Any, headers: Any) -> st.SearchStrategy[Any]:
    # Every change needs If-Match: send plausible ETags too, so that some get past it.
    if context.operation is None or context.operation.method.upper() not in ("PATCH", "DELETE"):
        return st.just(headers)
    headers = {"If-Match": None, **(headers or {})}
    etags = ['"r1"', '"r2"', '"r3"']
    return _aim(headers, {"If-Match": (etags, lambda v: v is None or _is_str(v))}).map(
        lambda sent: {k: v for k, v in sent.items() if v is not None}
    )


for _fuzzed in (schema, role_schema):
    for _hook in (flatmap_path_parameters, flatmap_body, flatmap_headers):
        _fuzzed.hook(_hook)

HEALTH = settings(
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ]
)


def _call(case: schemathesis.Case, headers: dict[str, str]) -> None:
    checks = MULTIPART_CHECKS if case.media_type == "multipart/form-data" else CHECKS
    case.call_and_validate(headers=headers, checks=checks)


# One world per operation and role, shared by its examples on purpose: the records stay put.
# The role parameter, though only one, names the operation in the node id too: without it every
# admin case had the same id, and pytest-xdist, which schedules by id, ran one case of 187.
@pytest.mark.parametrize("role", ["admin"])
@schema.parametrize()
@HEALTH
def test_every_operation_conforms_to_the_schema_and_never_fails(
    case: schemathesis.Case, role: str, world: World, seeds: Seeds, fuzz_app: None
) -> None:
    _call(case, getattr(world.a, role).headers)


@pytest.mark.parametrize("role", OTHER_ROLES)
@role_schema.parametrize()
@HEALTH
def test_every_operation_as_every_role(
    case: schemathesis.Case, role: str, world: World, seeds: Seeds, fuzz_app: None
) -> None:
    _call(case, getattr(world.a, role).headers)

"""Every list that takes a cursor answers 400 for a cursor it did not issue: garbage, a
well-signed cursor of the wrong shape, or one signed with the key once published in the source.
Issue 14: forged cursors gave 500s on ten list endpoints and /v1/audit."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from services.domain.models.acknowledgements import Acknowledgement
from services.domain.pagination import encode_cursor, filter_fingerprint
from services.domain.settings import Settings
from tests.factories import World, document_body
from tests.pages.acknowledgement_support import ask_reader

PUBLISHED_DEFAULT = "dev-only-secret-change-me-in-production"
GARBAGE = ["garbage", "a.b", ".", "%00.%00", "\u00e9.\u00e9", "e30.AAAA", "x" * 2000]
WRONG_SHAPES: list[list[Any]] = [
    [],
    ["x"],
    [1, 2],
    ["x", "y"],
    [None, None],
    [{"a": 1}, []],
    ["2026-01-01T00:00:00", "not-a-uuid"],
    [2**70],
    ["\x00", "\x00"],
    [1.5, str(uuid.uuid4()), "extra"],
]
# Extra query strings per path, for lists whose cursor has another shape with them.
VARIANTS = {"/v1/documents": [{}, {"q": "care"}]}
OTHER_FILTERS = "issued for different filters"


def signed_with(key: str, position: list[Any], filters: dict[str, Any]) -> str:
    """A cursor as the service once signed them, under any key (the published one included)."""
    body = json.dumps({"p": position, "f": filter_fingerprint(filters)}, separators=(",", ":"))
    payload = base64.urlsafe_b64encode(body.encode()).rstrip(b"=")
    sig = hmac.new(key.encode(), payload, hashlib.sha256).digest()[:16]
    return f"{payload.decode()}.{base64.urlsafe_b64encode(sig).rstrip(b'=').decode()}"


def cursor_operations(app: FastAPI) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            if "cursor" in names:
                assert method == "get", path
                found.append((path, operation))
    return found


def filter_candidates(operation: dict[str, Any], ids: dict[str, str], extra: dict[str, str]):
    """The filters a list may fingerprint with only its required parameters given: either the
    given ones alone, or every filter named with None for those not given."""
    required, optional = dict(extra), {}
    for parameter in operation.get("parameters", []):
        name = parameter["name"]
        if name in ("cursor", "limit") or name in extra:
            continue
        if parameter.get("required"):
            required[name] = ids[name]
        else:
            optional[name] = parameter.get("schema", {}).get("default")
    return [required, {**optional, **required}]


async def test_every_list_answers_400_for_a_cursor_it_did_not_issue(
    client: AsyncClient, app: FastAPI, world: World, settings: Settings
) -> None:
    h = world.a.admin.headers
    created = await client.post("/v1/documents", json=document_body(), headers=h)
    assert created.status_code == 201, created.text
    hook = await client.post("/v1/webhooks", json={"url": "https://93.184.215.14/hook"}, headers=h)
    assert hook.status_code == 201, hook.text
    ids = {"document_id": created.json()["id"], "subscription_id": hook.json()["id"]}
    source = await client.post(
        "/v1/statutory-sources",
        json={"title": "Children Act 1989", "kind": "act", "url": "https://example.org/ca"},
        headers=h,
    )
    assert source.status_code == 201, source.text
    ids["source_id"] = source.json()["id"]
    # An ask to read and acknowledge, whose people are a list of their own.
    acknowledgement_id, _ = await ask_reader(client, world, settings, "CURSOR-1")
    async with world.sessionmaker() as session:
        acknowledgement = await session.get(Acknowledgement, acknowledgement_id)
        assert acknowledgement is not None
        ids["request_id"] = str(acknowledgement.request_id)

    operations = cursor_operations(app)
    assert len(operations) >= 18  # the issue found 11 failing; every list is walked
    failures, unreached = [], []
    for template, operation in operations:
        path = template.format(**ids)
        for extra in VARIANTS.get(template, [{}]):
            params = {
                p["name"]: ids[p["name"]]
                for p in operation.get("parameters", [])
                if p["in"] == "query" and p.get("required")
            } | extra
            candidates = filter_candidates(operation, ids, extra)
            cursors = [(c, False) for c in GARBAGE]
            for filters in candidates:
                cursors += [
                    (encode_cursor(settings.keyring, s, filters), True) for s in WRONG_SHAPES
                ]
                right_shape = ["2026-01-01T00:00:00+00:00", str(uuid.uuid4())]
                cursors.append((signed_with(PUBLISHED_DEFAULT, right_shape, filters), False))
            reached_shape = False
            for cursor, is_well_signed in cursors:
                response = await client.get(path, params={**params, "cursor": cursor}, headers=h)
                if (
                    response.status_code != 400
                    or response.headers["content-type"] != "application/problem+json"
                ):
                    failures.append((path, extra, cursor[:60], response.status_code))
                    continue
                assert response.json()["title"] == "Invalid cursor"
                if is_well_signed:
                    reached_shape |= OTHER_FILTERS not in response.json()["detail"]
            if not reached_shape:
                unreached.append((path, extra))
    assert not failures, failures
    # Some cursor of each list carried its own filters' fingerprint, so the shape was tested.
    assert not unreached, unreached

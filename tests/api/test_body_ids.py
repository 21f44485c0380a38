"""Ids in request bodies: an id of another organisation's record answers exactly like an id that
does not exist (same status, same problem), for every id field of every operation. The fields
are found by walking the OpenAPI document, so a new one fails this test until it has a case."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient, Response

from services.domain.clock import london_today
from services.domain.gates.checklist import QUESTIONS as FITNESS_QUESTIONS
from tests.api.boards_support import create_board, create_meeting, in_days
from tests.api.sign_off_support import (
    create_document,
    create_route,
    decide,
    hold_meeting,
    people_stage,
    person_stage,
    submit,
    upload_draft,
)
from tests.api.test_isolation import _b_resources
from tests.factories import World, document_body

# --- the fields, from the OpenAPI document -----------------------------------------------------


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _id_fields(
    spec: dict[str, Any], schema: dict[str, Any], path: str, seen: tuple[str, ...]
) -> set[str]:
    ref = schema.get("$ref")
    if ref in seen:
        return set()
    seen = (*seen, ref) if ref else seen
    schema = _resolve(spec, schema)
    if schema.get("format") == "uuid":
        return {path}
    found: set[str] = set()
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found |= _id_fields(spec, sub, path, seen)
    if schema.get("type") == "array" and "items" in schema:
        found |= _id_fields(spec, schema["items"], path + "[]", seen)
    for name, sub in (schema.get("properties") or {}).items():
        found |= _id_fields(spec, sub, f"{path}.{name}", seen)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        found |= _id_fields(spec, extra, path + "{}", seen)
    return found


def body_id_fields(spec: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(method, path template, field) of every id a request body can carry."""
    found = set()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            for media in content.values():
                for name in _id_fields(spec, media["schema"], "", ()):
                    found.add((method.upper(), path, name))
    return found


def _set(body: Any, field_path: str, value: str) -> None:
    """Put ``value`` at ``field_path`` (".a.b[].c", "[]": the first item, "{}": the first key)."""
    parts = [p for p in field_path.split(".") if p]
    target = body
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        name, suffix = part, ""
        for marker in ("[]", "{}"):
            if name.endswith(marker):
                name, suffix = name[: -len(marker)], marker
        if suffix == "":
            if last:
                target[name] = value
            else:
                target = target[name]
            continue
        container = target[name]
        if suffix == "{}":
            key = next(iter(container))
            if last or parts[index + 1 :] == []:
                container[key][0] = value  # "{}" maps to a list of ids here
                return
            target = container[key]
            continue
        if last:
            container[0] = value
        else:
            target = container[0]


# --- organisation a, as the requests need it ---------------------------------------------------


@dataclass
class A:
    """Organisation a's records, built on demand; every request is valid as built."""

    client: AsyncClient
    world: World
    cache: dict[str, Any] = field(default_factory=dict)
    days: int = 40  # meetings are days apart, so none clashes

    @property
    def team(self) -> dict[str, str]:
        return self.world.a.policy_officer.headers

    def person(self, role: str) -> str:
        return str(self.world.a.members[role].person_id)

    async def etag(self, url: str, headers: dict[str, str] | None = None) -> dict[str, str]:
        headers = headers or self.team
        got = await self.client.get(url, headers=headers)
        assert got.status_code == 200, (url, got.text)
        return {**headers, "If-Match": got.headers["ETag"]}

    async def draft(self, **overrides: Any) -> tuple[str, str]:
        """A new procedure (RSM: the approver; author and RO: the author) with draft 0.1."""
        document_id = await create_document(self.client, self.world, **overrides)
        draft = await upload_draft(self.client, self.world, document_id)
        return document_id, draft["id"]

    async def published(self) -> str:
        document_id = await create_document(self.client, self.world)
        issued = await self.client.post(
            f"/v1/documents/{document_id}/versions",
            files={"file": ("live.txt", b"In force.", "text/plain")},
            data={"issued": "true"},
            headers=self.team,
        )
        assert issued.status_code == 201, issued.text
        return document_id

    async def board(self) -> dict[str, Any]:
        if "board" not in self.cache:
            self.cache["board"] = await create_board(self.client, self.world)
        board: dict[str, Any] = self.cache["board"]
        return board

    async def meeting(self) -> str:
        board = await self.board()
        self.days += 1
        meeting = await create_meeting(self.client, self.world, board["id"], in_days(self.days))
        return str(meeting["id"])

    async def item(self, meeting_id: str | None = None) -> dict[str, Any]:
        board = await self.board()
        body = {"board_id": board["id"], "title": "An item", "ask": "information"}
        if meeting_id:
            body["meeting_id"] = meeting_id
        item = await self.client.post("/v1/agenda-items", json=body, headers=self.team)
        assert item.status_code == 201, item.text
        data: dict[str, Any] = item.json()
        return data

    async def held_meeting_with_item(self) -> tuple[str, str]:
        meeting_id = await self.meeting()
        item = await self.item(meeting_id)
        await hold_meeting(self.client, self.world, meeting_id)
        return meeting_id, item["id"]

    async def consultation(self, **audience: Any) -> dict[str, Any]:
        document_id, version_id = await self.draft()
        opened = await self.client.post(
            "/v1/consultations",
            json={
                "document_id": document_id,
                "version_id": version_id,
                "kind": "internal",
                "audience": audience or {"people": [self.person("reader")]},
            },
            headers=self.team,
        )
        assert opened.status_code == 201, opened.text
        data: dict[str, Any] = opened.json()
        return data

    async def route(self, stages: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        key = f"r{uuid.uuid4().hex[:8]}"
        return await create_route(self.client, self.world, stages, key=key, **extra)

    async def sign_off(self, stages: list[dict[str, Any]]) -> dict[str, Any]:
        route = await self.route(stages, is_alternative=True)
        document_id, version_id = await self.draft()
        submitted = await submit(
            self.client, self.world, document_id, version_id, route_id=route["id"]
        )
        assert submitted.status_code == 201, submitted.text
        data: dict[str, Any] = submitted.json()
        return data

    async def cycle(self) -> dict[str, Any]:
        opened = await self.client.post(
            "/v1/update-cycles",
            json={
                "name": f"Cycle {uuid.uuid4().hex[:6]}",
                "items": [{"chapter": "Unmatched chapter", "recommendation": "Update it."}],
            },
            headers=self.team,
        )
        assert opened.status_code == 201, opened.text
        data: dict[str, Any] = opened.json()
        return data


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    body: dict[str, Any]
    headers: dict[str, str]


Build = Callable[[A, str], Awaitable[Request]]
CASES: dict[tuple[str, str], Build] = {}


def case(method: str, path: str) -> Callable[[Build], Build]:
    def register(build: Build) -> Build:
        CASES[(method, path)] = build
        return build

    return register


def _today() -> str:
    return london_today().isoformat()


# --- documents, people, keys, organisation ------------------------------------------------------


@case("POST", "/v1/documents")
async def _(a: A, field_path: str) -> Request:
    body = document_body(
        kind="procedure",
        owner_id=a.person("approver"),
        author_id=a.person("author"),
        responsible_officer_id=a.person("author"),
    )
    return Request("POST", "/v1/documents", body, a.team)


@case("PATCH", "/v1/documents/{document_id}")
async def _(a: A, field_path: str) -> Request:
    document_id = await create_document(a.client, a.world)
    value = {".owner_id": "admin", ".author_id": "reader", ".responsible_officer_id": "reader"}
    url = f"/v1/documents/{document_id}"
    return Request("PATCH", url, {field_path[1:]: a.person(value[field_path])}, await a.etag(url))


@case("POST", "/v1/documents/{document_id}/links")
async def _(a: A, field_path: str) -> Request:
    source = await create_document(a.client, a.world)
    target = await create_document(a.client, a.world)
    body = {"target_id": target, "kind": "relates_to"}
    return Request("POST", f"/v1/documents/{source}/links", body, a.team)


@case("POST", "/v1/api-keys")
async def _(a: A, field_path: str) -> Request:
    body = {"name": "reading key", "role": "reader", "person_id": a.person("reader")}
    return Request("POST", "/v1/api-keys", body, a.world.a.admin.headers)


@case("PATCH", "/v1/organisation")
async def _(a: A, field_path: str) -> Request:
    headers = await a.etag("/v1/organisation", a.world.a.admin.headers)
    return Request(
        "PATCH", "/v1/organisation", {"escalation_contact_id": a.person("approver")}, headers
    )


@case("POST", "/v1/posts")
async def _(a: A, field_path: str) -> Request:
    body = {"post": f"post_{uuid.uuid4().hex[:8]}", "person_id": a.person("approver")}
    return Request("POST", "/v1/posts", body, a.team)


@case("PATCH", "/v1/posts/{post_id}")
async def _(a: A, field_path: str) -> Request:
    body = {"post": f"post_{uuid.uuid4().hex[:8]}", "person_id": a.person("approver")}
    created = await a.client.post("/v1/posts", json=body, headers=a.team)
    url = f"/v1/posts/{created.json()['id']}"
    return Request("PATCH", url, {"person_id": a.person("admin")}, await a.etag(url))


@case("PUT", "/v1/escalation-ladder")
async def _(a: A, field_path: str) -> Request:
    if field_path.endswith("board_id"):
        notify = {"kind": "board", "board_id": (await a.board())["id"]}
    else:
        notify = {"kind": "person", "person_id": a.person("approver")}
    body = {"rungs": [{"after": {"amount": 1, "unit": "months"}, "notify": notify}]}
    return Request("PUT", "/v1/escalation-ladder", body, a.team)


# --- boards and meetings ------------------------------------------------------------------------


@case("POST", "/v1/boards")
async def _(a: A, field_path: str) -> Request:
    body = {
        "name": f"Board {uuid.uuid4().hex[:8]}",
        "members": [
            {"person_id": a.person("approver"), "role": "chair", "delegate_id": a.person("author")}
        ],
        "escalation_person_id": a.person("admin"),
    }
    return Request("POST", "/v1/boards", body, a.team)


@case("PATCH", "/v1/boards/{board_id}")
async def _(a: A, field_path: str) -> Request:
    board = await create_board(a.client, a.world, name=f"Board {uuid.uuid4().hex[:8]}")
    url = f"/v1/boards/{board['id']}"
    return Request("PATCH", url, {"escalation_person_id": a.person("admin")}, await a.etag(url))


@case("POST", "/v1/boards/{board_id}/members")
async def _(a: A, field_path: str) -> Request:
    board = await create_board(a.client, a.world, name=f"Board {uuid.uuid4().hex[:8]}")
    body = {"person_id": a.person("author"), "delegate_id": a.person("admin")}
    return Request("POST", f"/v1/boards/{board['id']}/members", body, a.team)


@case("PUT", "/v1/boards/{board_id}/members/{member_id}")
async def _(a: A, field_path: str) -> Request:
    board = await create_board(a.client, a.world, name=f"Board {uuid.uuid4().hex[:8]}")
    member = next(m for m in board["members"] if m["role"] == "member")
    url = f"/v1/boards/{board['id']}/members/{member['id']}"
    return Request("PUT", url, {"delegate_id": a.person("author")}, await a.etag(url))


@case("POST", "/v1/meetings")
async def _(a: A, field_path: str) -> Request:
    board = await a.board()
    a.days += 1
    body = {"board_id": board["id"], "starts_at": in_days(a.days)}
    return Request("POST", "/v1/meetings", body, a.team)


@case("POST", "/v1/agenda-items")
async def _(a: A, field_path: str) -> Request:
    board = await a.board()
    document_id, version_id = await a.draft()
    body = {
        "board_id": board["id"],
        "title": "Draft for decision",
        "ask": "decision",
        "document_id": document_id,
        "version_id": version_id,
        "meeting_id": await a.meeting(),
        "presenter_id": a.person("author"),
    }
    return Request("POST", "/v1/agenda-items", body, a.team)


@case("PATCH", "/v1/agenda-items/{item_id}")
async def _(a: A, field_path: str) -> Request:
    board = await a.board()
    document_id, _ = await a.draft()
    created = await a.client.post(
        "/v1/agenda-items",
        json={
            "board_id": board["id"],
            "title": "Draft",
            "ask": "decision",
            "document_id": document_id,
            "meeting_id": await a.meeting(),
        },
        headers=a.team,
    )
    assert created.status_code == 201, created.text
    url = f"/v1/agenda-items/{created.json()['id']}"
    later = await upload_draft(a.client, a.world, document_id, b"Second draft.")
    value = {
        ".meeting_id": await a.meeting(),
        ".presenter_id": a.person("approver"),
        ".version_id": later["id"],
    }[field_path]
    return Request("PATCH", url, {field_path[1:]: value}, await a.etag(url))


@case("POST", "/v1/meetings/{meeting_id}/actions")
async def _(a: A, field_path: str) -> Request:
    meeting_id, item_id = await a.held_meeting_with_item()
    body = {
        "description": "Brief the teams",
        "owner_id": a.person("reader"),
        "due_on": (london_today() + timedelta(days=14)).isoformat(),
        "agenda_item_id": item_id,
    }
    return Request("POST", f"/v1/meetings/{meeting_id}/actions", body, a.team)


@case("PATCH", "/v1/meetings/{meeting_id}/actions/{action_id}")
async def _(a: A, field_path: str) -> Request:
    meeting_id, _ = await a.held_meeting_with_item()
    created = await a.client.post(
        f"/v1/meetings/{meeting_id}/actions",
        json={
            "description": "Brief the teams",
            "owner_id": a.person("reader"),
            "due_on": (london_today() + timedelta(days=14)).isoformat(),
        },
        headers=a.team,
    )
    assert created.status_code == 201, created.text
    url = f"/v1/meetings/{meeting_id}/actions/{created.json()['id']}"
    return Request(
        "PATCH",
        url,
        {"owner_id": a.person("author")},
        {**a.team, "If-Match": created.headers["ETag"]},
    )


@case("PUT", "/v1/meetings/{meeting_id}/attendance")
async def _(a: A, field_path: str) -> Request:
    meeting_id, _ = await a.held_meeting_with_item()
    body = {
        "attendance": [
            {"person_id": a.person("approver"), "status": "present"},
            {
                "person_id": a.person("reader"),
                "status": "delegate_attended",
                "delegate_id": a.person("author"),
            },
        ],
        "chaired_by_id": a.person("approver"),
    }
    if field_path == ".attendance[].delegate_id":
        body["attendance"].reverse()  # the entry with a delegate first
    return Request("PUT", f"/v1/meetings/{meeting_id}/attendance", body, a.team)


@case("POST", "/v1/meetings/{meeting_id}/decisions")
async def _(a: A, field_path: str) -> Request:
    meeting_id, item_id = await a.held_meeting_with_item()
    url = f"/v1/meetings/{meeting_id}/decisions"
    body: dict[str, Any] = {
        "agenda_item_id": item_id,
        "outcome": "noted",
        "method": "chair",
        "decided_by_id": a.person("approver"),
    }
    if field_path == ".supersedes_id":
        first = await a.client.post(url, json=body, headers=a.team)
        assert first.status_code == 201, first.text
        body = {**body, "supersedes_id": first.json()["id"], "text": "Corrected."}
    return Request("POST", url, body, a.team)


# --- sign-off and routes ------------------------------------------------------------------------


def _route_stage(a: A, field_path: str, board_id: str) -> dict[str, Any]:
    people = {"kind": "people", "people": [a.person("approver")]}
    board = {"kind": "board", "board_id": board_id}
    stage = person_stage("rsm")
    if field_path.endswith("decider.people[]"):
        stage["decider"] = people
    if field_path.endswith("decider.board_id"):
        stage["decider"] = board
    if field_path.endswith("refer_to.people[]"):
        stage["refer_to"] = people
    if field_path.endswith("refer_to.board_id"):
        stage["refer_to"] = board
    if field_path.endswith("inform.people[]"):
        stage["inform"] = {"people": [a.person("approver")]}
    return stage


@case("POST", "/v1/routes")
async def _(a: A, field_path: str) -> Request:
    board = await a.board()
    body = {
        "key": f"r{uuid.uuid4().hex[:8]}",
        "name": "Route",
        "is_alternative": True,
        "definition": {"stages": [_route_stage(a, field_path, board["id"])]},
    }
    return Request("POST", "/v1/routes", body, a.team)


@case("PATCH", "/v1/routes/{route_id}")
async def _(a: A, field_path: str) -> Request:
    board = await a.board()
    route = await a.route([person_stage("rsm")], is_alternative=True)
    url = f"/v1/routes/{route['id']}"
    body = {"definition": {"stages": [_route_stage(a, field_path, board["id"])]}}
    return Request("PATCH", url, body, {**a.team, "If-Match": route["etag"]})


@case("POST", "/v1/sign-offs")
async def _(a: A, field_path: str) -> Request:
    document_id, version_id = await a.draft()
    body: dict[str, Any] = {"document_id": document_id, "version_id": version_id}
    if field_path in (".route_id", ".approvers{}[]"):
        route = await a.route([people_stage("rsms", [])], is_alternative=True)
        body["route_id"] = route["id"]
        body["approvers"] = {"rsms": [a.person("approver")]}
    else:
        await a.route([person_stage("rsm")], is_alternative=False)
    return Request("POST", "/v1/sign-offs", body, a.world.a.author.headers)


@case("POST", "/v1/sign-offs/{sign_off_id}/amendments")
async def _(a: A, field_path: str) -> Request:
    sign_off = await a.sign_off([person_stage("rsm")])
    conditions = await decide(
        a.client, sign_off, a.world.a.approver.headers, "approved_with_conditions", conditions=["x"]
    )
    assert conditions.status_code == 201, conditions.text
    amended = await upload_draft(a.client, a.world, sign_off["document_id"], b"Amended.")
    url = f"/v1/sign-offs/{sign_off['id']}/amendments"
    return Request("POST", url, {"version_id": amended["id"]}, a.world.a.author.headers)


@case("POST", "/v1/sign-offs/{sign_off_id}/decisions")
async def _(a: A, field_path: str) -> Request:
    both = [a.person("approver"), a.person("admin")]
    sign_off = await a.sign_off([people_stage("rsms", both, rule="all")])
    stage = sign_off["stages"][0]
    body: dict[str, Any] = {
        "version_id": sign_off["version_id"],
        "outcome": "approved",
        "stage_id": stage["id"],
    }
    if field_path == ".supersedes_id":
        first = await decide(a.client, sign_off, a.world.a.approver.headers)
        assert first.status_code == 201, first.text
        body["supersedes_id"] = first.json()["decisions"][0]["id"]
    if field_path.startswith(".refer_to"):
        body["outcome"] = "deferred"
        board = await a.board()
        body["refer_to"] = (
            {"kind": "people", "people": [a.person("admin")]}
            if field_path.endswith("people[]")
            else {"kind": "board", "board_id": board["id"]}
        )
    url = f"/v1/sign-offs/{sign_off['id']}/decisions"
    return Request("POST", url, body, a.world.a.approver.headers)


@case("POST", "/v1/delegations")
async def _(a: A, field_path: str) -> Request:
    body = {
        "delegator_id": a.person("approver"),
        "delegate_id": a.person("admin"),
        "starts_on": _today(),
        "ends_on": _today(),
    }
    return Request("POST", "/v1/delegations", body, a.team)


# --- dis-applications ---------------------------------------------------------------------------


@case("POST", "/v1/documents/{document_id}/dis-applications")
async def _(a: A, field_path: str) -> Request:
    document_id = await a.published()
    body = {
        "section": "4.2 Home visits",
        "applies_to": "South West team",
        "reasons": "Staff off sick.",
        "risks": "Visits are late.",
        "mitigation": "Phone contact.",
        "starts_on": _today(),
        "ends_on": _today(),
        "discussed_with_id": a.person("approver"),
    }
    url = f"/v1/documents/{document_id}/dis-applications"
    return Request("POST", url, body, a.world.a.reader.headers)


# --- monitoring (Cafcass 7.4, Dorset xi) -------------------------------------------------------


def _monitoring_body(a: A) -> dict[str, Any]:
    return {"title": "Audit the files", "owner_id": a.person("reader"), "due_on": _today()}


@case("POST", "/v1/documents/{document_id}/monitoring-actions")
async def _(a: A, field_path: str) -> Request:
    document_id = await a.published()
    url = f"/v1/documents/{document_id}/monitoring-actions"
    return Request("POST", url, _monitoring_body(a), a.team)


@case("PATCH", "/v1/monitoring-actions/{action_id}")
async def _(a: A, field_path: str) -> Request:
    document_id = await a.published()
    created = await a.client.post(
        f"/v1/documents/{document_id}/monitoring-actions", json=_monitoring_body(a), headers=a.team
    )
    assert created.status_code == 201, created.text
    url = created.headers["Location"]
    return Request("PATCH", url, {"owner_id": a.person("author")}, await a.etag(url))


# --- handover (issue 20, orphaned owners) ------------------------------------------------------


@case("POST", "/v1/people/{person_id}/reassignments")
async def _(a: A, field_path: str) -> Request:
    # A new procedure whose RO is the author: handed over to the approver.
    document_id, _ = await a.draft()
    url = f"/v1/people/{a.person('author')}/reassignments"
    body = {
        "to_person_id": a.person("approver"),
        "items": [{"kind": "document", "role": "responsible_officer", "id": document_id}],
    }
    return Request("POST", url, body, a.team)


async def _tabling(a: A) -> dict[str, Any]:
    board = await a.board()
    return {"board_id": board["id"], "meeting_id": await a.meeting()}


@case("POST", "/v1/documents/{document_id}/implementation-report/tabling")
async def _(a: A, field_path: str) -> Request:
    document_id = await a.published()
    url = f"/v1/documents/{document_id}/implementation-report/tabling"
    return Request("POST", url, await _tabling(a), a.team)


@case("POST", "/v1/implementation-report/tabling")
async def _(a: A, field_path: str) -> Request:
    return Request("POST", "/v1/implementation-report/tabling", await _tabling(a), a.team)


# --- communication plans -----------------------------------------------------------------------


def _plan_body(a: A, board_id: str) -> dict[str, Any]:
    return {
        "audience": "Team and Service Managers",
        "channel": "team_meetings",
        "planned_on": _today(),
        "board_ids": [board_id],
        "owner_id": a.person("author"),
    }


@case("POST", "/v1/documents/{document_id}/versions/{version}/communication-plan")
async def _(a: A, field_path: str) -> Request:
    document_id, version_id = await a.draft()
    board = await a.board()
    url = f"/v1/documents/{document_id}/versions/{version_id}/communication-plan"
    return Request("POST", url, _plan_body(a, board["id"]), a.team)


@case("PATCH", "/v1/communication-plan-items/{item_id}")
async def _(a: A, field_path: str) -> Request:
    document_id, version_id = await a.draft()
    board = await a.board()
    created = await a.client.post(
        f"/v1/documents/{document_id}/versions/{version_id}/communication-plan",
        json={"audience": "All staff", "channel": "email", "planned_on": _today()},
        headers=a.team,
    )
    assert created.status_code == 201, created.text
    url = created.headers["Location"]
    body = _plan_body(a, board["id"])
    return Request("PATCH", url, body, await a.etag(url))


# --- engagement sessions -----------------------------------------------------------------------


def _engagement_body(a: A, version_id: str) -> dict[str, Any]:
    return {
        "kind": "review_session",
        "title": "Review Session",
        "held_on": _today(),
        "version_id": version_id,
        "facilitator_id": a.person("author"),
        "attendees": [{"person_id": a.person("reader")}],
        "actions": [{"text": "Amend 3.2", "owner_id": a.person("author")}],
    }


@case("POST", "/v1/documents/{document_id}/engagement-sessions")
async def _(a: A, field_path: str) -> Request:
    document_id, version_id = await a.draft()
    url = f"/v1/documents/{document_id}/engagement-sessions"
    return Request("POST", url, _engagement_body(a, version_id), a.team)


@case("PATCH", "/v1/engagement-sessions/{session_id}")
async def _(a: A, field_path: str) -> Request:
    document_id, version_id = await a.draft()
    created = await a.client.post(
        f"/v1/documents/{document_id}/engagement-sessions",
        json={"kind": "workshop", "title": "Workshop", "held_on": _today()},
        headers=a.team,
    )
    assert created.status_code == 201, created.text
    url = created.headers["Location"]
    body = _engagement_body(a, version_id)
    del body["kind"]
    return Request("PATCH", url, body, await a.etag(url))


# --- proposals and assessments ------------------------------------------------------------------


def _proposal_body(a: A, document_id: str) -> dict[str, Any]:
    return {
        "title": "A new procedure",
        "document_id": document_id,
        "sponsor_id": a.person("approver"),
        "lead_officer_id": a.person("author"),
    }


@case("POST", "/v1/proposals")
async def _(a: A, field_path: str) -> Request:
    document_id = await create_document(a.client, a.world)
    return Request("POST", "/v1/proposals", _proposal_body(a, document_id), a.team)


@case("PATCH", "/v1/proposals/{proposal_id}")
async def _(a: A, field_path: str) -> Request:
    created = await a.client.post("/v1/proposals", json={"title": "P"}, headers=a.team)
    url = f"/v1/proposals/{created.json()['id']}"
    document_id = await create_document(a.client, a.world)
    body = _proposal_body(a, document_id)
    body.pop("title")
    return Request("PATCH", url, body, {**a.team, "If-Match": created.headers["ETag"]})


@case("POST", "/v1/proposals/{proposal_id}/submit")
async def _(a: A, field_path: str) -> Request:
    created = await a.client.post("/v1/proposals", json={"title": "P"}, headers=a.team)
    board = await a.board()
    body = {"board_id": board["id"], "meeting_id": await a.meeting()}
    headers = {**a.team, "If-Match": created.headers["ETag"]}
    return Request("POST", f"/v1/proposals/{created.json()['id']}/submit", body, headers)


@case("POST", "/v1/statutory-sources/{source_id}/documents")
async def _(a: A, field_path: str) -> Request:
    source = await a.client.post(
        "/v1/statutory-sources",
        json={"title": f"Act {uuid.uuid4()}", "kind": "act", "url": "https://example.org/act"},
        headers=a.world.a.policy_officer.headers,
    )
    assert source.status_code == 201, source.text
    url = f"/v1/statutory-sources/{source.json()['id']}/documents"
    body = {"document_id": await a.published(), "reason": "Section 17."}
    return Request("POST", url, body, a.world.a.policy_officer.headers)


@case("POST", "/v1/policy-requests")
async def _(a: A, field_path: str) -> Request:
    body = {
        "kind": "change",
        "document_id": await a.published(),
        "title": "Reflect the new statutory guidance",
        "details": "Working Together changed the timescales.",
    }
    return Request("POST", "/v1/policy-requests", body, a.world.a.reader.headers)


@case("POST", "/v1/policy-requests/{request_id}/accept")
async def _(a: A, field_path: str) -> Request:
    made = await a.client.post(
        "/v1/policy-requests",
        json={"kind": "new_document", "title": "A new procedure", "details": "It is needed."},
        headers=a.world.a.reader.headers,
    )
    assert made.status_code == 201, made.text
    url = f"/v1/policy-requests/{made.json()['id']}"
    body = {"into": "proposal", "sponsor_id": a.person("approver")}
    body["lead_officer_id"] = a.person("author")
    return Request("POST", f"{url}/accept", body, await a.etag(url))


@case("POST", "/v1/equality-assessments")
async def _(a: A, field_path: str) -> Request:
    document_id, version_id = await a.draft()
    body = {
        "document_id": document_id,
        "version_id": version_id,
        "kind": "screening",
        "assessor_id": a.person("author"),
    }
    return Request("POST", "/v1/equality-assessments", body, a.team)


@case("PATCH", "/v1/equality-assessments/{assessment_id}")
async def _(a: A, field_path: str) -> Request:
    document_id, version_id = await a.draft()
    created = await a.client.post(
        "/v1/equality-assessments",
        json={"document_id": document_id, "version_id": version_id, "kind": "screening"},
        headers=a.team,
    )
    assert created.status_code == 201, created.text
    url = f"/v1/equality-assessments/{created.json()['id']}"
    headers = {**a.team, "If-Match": created.headers["ETag"]}
    return Request("PATCH", url, {"assessor_id": a.person("approver")}, headers)


@case("POST", "/v1/fitness-checks")
async def _(a: A, field_path: str) -> Request:
    document_id, version_id = await a.draft()
    answers = {key: {"answer": "yes"} for key, _ in FITNESS_QUESTIONS}
    body = {"document_id": document_id, "version_id": version_id, "answers": answers}
    return Request("POST", "/v1/fitness-checks", body, a.team)


@case("POST", "/v1/no-material-change-statements")
async def _(a: A, field_path: str) -> Request:
    # The RO carries a fitness check of 0.1 to 0.2.
    document_id, first = await a.draft()
    answers = {key: {"answer": "yes"} for key, _ in FITNESS_QUESTIONS}
    check = await a.client.post(
        "/v1/fitness-checks",
        json={"document_id": document_id, "version_id": first, "answers": answers},
        headers=a.team,
    )
    assert check.status_code == 201, check.text
    second = await upload_draft(a.client, a.world, document_id, b"Contact details only.")
    body: dict[str, Any] = {
        "assessment_kind": "fitness_check",
        "assessment_id": check.json()["id"],
        "version_id": second["id"],
        "reason": "Only the contact details changed.",
    }
    author = a.world.a.author.headers
    if field_path == ".supersedes_id":
        first_statement = await a.client.post(
            "/v1/no-material-change-statements", json=body, headers=author
        )
        assert first_statement.status_code == 201, first_statement.text
        body["supersedes_id"] = first_statement.json()["id"]
    return Request("POST", "/v1/no-material-change-statements", body, author)


@case("POST", "/v1/legal-reviews")
async def _(a: A, field_path: str) -> Request:
    document_id, version_id = await a.draft()
    body = {
        "document_id": document_id,
        "version_id": version_id,
        "question": "Is this lawful?",
        "reviewer_id": a.person("reader"),
    }
    return Request("POST", "/v1/legal-reviews", body, a.team)


# --- consultations ------------------------------------------------------------------------------


@case("POST", "/v1/consultations")
async def _(a: A, field_path: str) -> Request:
    document_id, version_id = await a.draft()
    board = await a.board()
    body: dict[str, Any] = {
        "document_id": document_id,
        "version_id": version_id,
        "kind": "internal",
        "audience": {"people": [a.person("reader")], "boards": [board["id"]]},
    }
    if field_path == ".meeting_id":
        body["meeting_id"] = await a.meeting()
        body["closing_rule"] = {"relative_to": "meeting", "amount": 3, "unit": "working_days"}
    return Request("POST", "/v1/consultations", body, a.team)


@case("POST", "/v1/consultations/{consultation_id}/consultees")
async def _(a: A, field_path: str) -> Request:
    consultation = await a.consultation()
    board = await a.board()
    body = {"people": [a.person("approver")], "boards": [board["id"]]}
    return Request("POST", f"/v1/consultations/{consultation['id']}/consultees", body, a.team)


@case("POST", "/v1/consultations/{consultation_id}/report/agreement")
async def _(a: A, field_path: str) -> Request:
    consultation = await a.consultation()
    closed = await a.client.post(f"/v1/consultations/{consultation['id']}/close", headers=a.team)
    assert closed.status_code == 200, closed.text
    board = await a.board()
    body: dict[str, Any] = {"board_id": board["id"], "agreed_by_id": a.person("approver")}
    if field_path == "meeting_id":
        body["meeting_id"], _ = await a.held_meeting_with_item()
    url = f"/v1/consultations/{consultation['id']}/report/agreement"
    return Request("POST", url, body, a.team)


# --- read and acknowledge -----------------------------------------------------------------------


def _audience(a: A, board_id: str) -> dict[str, Any]:
    return {"person_ids": [a.person("reader")], "board_ids": [board_id]}


@case("PUT", "/v1/documents/{document_id}/acknowledgement-audience")
async def _(a: A, field_path: str) -> Request:
    document_id = await a.published()
    board = await a.board()
    url = f"/v1/documents/{document_id}/acknowledgement-audience"
    return Request("PUT", url, _audience(a, board["id"]), a.team)


@case("POST", "/v1/documents/{document_id}/acknowledgement-requests")
async def _(a: A, field_path: str) -> Request:
    document_id = await a.published()
    board = await a.board()
    body = {"audience": _audience(a, board["id"])}
    url = f"/v1/documents/{document_id}/acknowledgement-requests"
    return Request("POST", url, body, a.team)


@case("POST", "/v1/consultations/{consultation_id}/responses")
async def _(a: A, field_path: str) -> Request:
    consultation = await a.consultation(external=[{"name": "Ofsted", "email": "o@ofsted.example"}])
    consultees = await a.client.get(
        f"/v1/consultations/{consultation['id']}/consultees", headers=a.team
    )
    body = {"consultee_id": consultees.json()[0]["id"], "position": "no_view"}
    return Request("POST", f"/v1/consultations/{consultation['id']}/responses", body, a.team)


@case("PATCH", "/v1/consultations/{consultation_id}/responses/{response_id}")
async def _(a: A, field_path: str) -> Request:
    consultation = await a.consultation()
    response = await a.client.put(
        f"/v1/consultations/{consultation['id']}/response",
        json={"position": "object", "comments": "Section 4 is wrong."},
        headers=a.world.a.reader.headers,
    )
    assert response.status_code == 201, response.text
    later = await upload_draft(a.client, a.world, consultation["document_id"], b"Handled.")
    url = f"/v1/consultations/{consultation['id']}/responses/{response.json()['id']}"
    body = {"addressed_in_version_id": later["id"], "handling": "accepted"}
    return Request("PATCH", url, body, await a.etag(url))


# --- reviews and update cycles ------------------------------------------------------------------


@case("POST", "/v1/reviews")
async def _(a: A, field_path: str) -> Request:
    document_id = await a.published()
    body = {"document_id": document_id, "kind": "scheduled", "requested_by_id": a.person("reader")}
    return Request("POST", "/v1/reviews", body, a.team)


async def _review(a: A) -> tuple[str, dict[str, Any]]:
    document_id = await a.published()
    started = await a.client.post(
        "/v1/reviews", json={"document_id": document_id, "kind": "scheduled"}, headers=a.team
    )
    assert started.status_code == 201, started.text
    return document_id, started.json()


@case("POST", "/v1/reviews/{review_id}/amended")
async def _(a: A, field_path: str) -> Request:
    document_id, review = await _review(a)
    draft = await upload_draft(a.client, a.world, document_id, b"Amended.")
    url = f"/v1/reviews/{review['id']}/amended"
    return Request(
        "POST", url, {"version_id": draft["id"]}, await a.etag(f"/v1/reviews/{review['id']}")
    )


@case("POST", "/v1/reviews/{review_id}/documents")
async def _(a: A, field_path: str) -> Request:
    _, review = await _review(a)
    other = await create_document(a.client, a.world)
    body = {"documents": [{"document_id": other, "reason": "Same change."}]}
    return Request("POST", f"/v1/reviews/{review['id']}/documents", body, a.team)


@case("PATCH", "/v1/update-cycle-items/{item_id}")
async def _(a: A, field_path: str) -> Request:
    cycle = await a.cycle()
    url = f"/v1/update-cycle-items/{cycle['items'][0]['id']}"
    document_id = await create_document(a.client, a.world)
    body = (
        {"document_id": document_id}
        if field_path == ".document_id"
        else {"assigned_to_id": a.person("approver")}
    )
    return Request("PATCH", url, body, await a.etag(url))


@case("POST", "/v1/update-cycles/{cycle_id}/close")
async def _(a: A, field_path: str) -> Request:
    cycle = await a.cycle()
    following = await a.cycle()
    url = f"/v1/update-cycles/{cycle['id']}/close"
    return Request("POST", url, {"next_cycle_id": following["id"]}, a.team)


# --- organisation b's ids, by the kind of record a field names ----------------------------------


async def _b_ids(client: AsyncClient, world: World) -> dict[str, str]:
    ids = await _b_resources(client, world)
    h = world.b.admin.headers
    sign_off = (await client.get(f"/v1/sign-offs/{ids['sign_off_id']}", headers=h)).json()
    ids["stage_id"] = sign_off["stages"][0]["id"]
    decided = await client.post(
        f"/v1/sign-offs/{ids['sign_off_id']}/decisions",
        json={"version_id": sign_off["version_id"], "outcome": "approved"},
        headers=world.b.approver.headers,
    )
    assert decided.status_code == 201, decided.text
    ids["sign_off_decision_id"] = decided.json()["decisions"][0]["id"]
    board = ids["board_id"]
    meeting = await client.post(
        "/v1/meetings", json={"board_id": board, "starts_at": in_days(30)}, headers=h
    )
    item = await client.post(
        "/v1/agenda-items",
        json={
            "board_id": board,
            "title": "B",
            "ask": "information",
            "meeting_id": meeting.json()["id"],
        },
        headers=h,
    )
    got = await client.get(f"/v1/meetings/{meeting.json()['id']}", headers=h)
    await client.patch(
        f"/v1/meetings/{meeting.json()['id']}",
        json={"starts_at": in_days(-1)},
        headers={**h, "If-Match": got.headers["ETag"]},
    )
    minuted = await client.post(
        f"/v1/meetings/{meeting.json()['id']}/decisions",
        json={"agenda_item_id": item.json()["id"], "outcome": "noted", "method": "consensus"},
        headers=h,
    )
    assert minuted.status_code == 201, minuted.text
    ids["meeting_decision_id"] = minuted.json()["id"]
    return ids


PEOPLE = {
    "author_id", "owner_id", "responsible_officer_id", "person_id", "delegate_id",
    "escalation_person_id", "escalation_contact_id", "presenter_id", "assessor_id",
    "reviewer_id", "lead_officer_id", "sponsor_id", "requested_by_id", "decided_by_id",
    "chaired_by_id", "delegator_id", "assigned_to_id", "people[]", "approvers{}[]",
    "discussed_with_id", "facilitator_id", "agreed_by_id", "person_ids[]", "to_person_id",
}  # fmt: skip


def _foreign(b: dict[str, str], method: str, path: str, field_path: str) -> str:
    """Organisation b's id of the kind of record ``field_path`` names."""
    name = field_path.rsplit(".", 1)[-1]
    if name in PEOPLE:
        return b["person_id"]
    by_name = {
        "document_id": b["document_id"],
        "target_id": b["document_id"],
        "version_id": b["version"],
        "addressed_in_version_id": b["version"],
        "board_id": b["board_id"],
        "boards[]": b["board_id"],
        "board_ids[]": b["board_id"],
        "meeting_id": b["meeting_id"],
        "agenda_item_id": b["item_id"],
        "consultee_id": b["consultee_id"],
        "route_id": b["route_id"],
        "stage_id": b["stage_id"],
        "next_cycle_id": b["update_cycle_id"],
    }
    if name == "supersedes_id":
        if "statements" in path:
            return b["statement_id"]
        return b["meeting_decision_id"] if "meetings" in path else b["sign_off_decision_id"]
    if name == "assessment_id":
        return b["fitness_check_id"]
    if field_path == ".items[].id" and path.endswith("/reassignments"):
        return b["document_id"]  # a document the leaver would hold, of organisation b
    return by_name[name]


def _answer(response: Response, sent: str | None) -> tuple[int, str]:
    """The status and problem, apart from the request's own address and the id it sent (a
    message may echo what was asked for: that tells nothing about what exists)."""
    problem = response.json()
    if isinstance(problem, dict):
        problem.pop("instance", None)
    text = json.dumps(problem, sort_keys=True)
    return response.status_code, text.replace(sent, "<id>") if sent else text


async def test_every_id_field_in_a_request_body_is_covered_by_a_case(app: FastAPI) -> None:
    fields = body_id_fields(app.openapi())
    assert len(fields) > 80
    missing = sorted({(m, p) for m, p, _ in fields} - set(CASES))
    assert not missing, f"add a case for the id fields of {missing}"


async def test_an_id_of_another_organisation_in_a_body_answers_like_one_that_does_not_exist(
    app: FastAPI, client: AsyncClient, world: World
) -> None:
    b = await _b_ids(client, world)
    a = A(client, world)
    failures = []
    checked = 0
    for method, path, field_path in sorted(body_id_fields(app.openapi())):
        build = CASES[(method, path)]
        # Missing and foreign ids go into the same request, on the same records: refused,
        # neither changes anything. The organisation's own id then gets a request of its own.
        request = await build(a, field_path)
        answers, sent = {}, {}
        for which in ("missing", "foreign"):
            body = copy.deepcopy(request.body)
            sent[which] = (
                str(uuid.uuid4()) if which == "missing" else _foreign(b, method, path, field_path)
            )
            _set(body, field_path, sent[which])
            answers[which] = await client.request(
                request.method, request.url, json=body, headers=request.headers
            )
        own_request = await build(a, field_path)
        answers["own"] = await client.request(
            own_request.method, own_request.url, json=own_request.body, headers=own_request.headers
        )
        missing = _answer(answers["missing"], sent["missing"])
        foreign = _answer(answers["foreign"], sent["foreign"])
        own = _answer(answers["own"], None)
        where = f"{method} {path} {field_path}"
        if missing[0] < 400 or missing != foreign:
            failures.append((where, missing, foreign))
        elif own == missing:
            # The field must matter: with organisation a's own id the answer differs.
            failures.append((where, "own id answered like a missing one", own))
        checked += 1
    assert not failures, "\n".join(map(str, failures))
    assert checked > 80

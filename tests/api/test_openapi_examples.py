"""The examples on the main request bodies are valid bodies: each is checked against the schema
it illustrates (formats included), and one is sent to the API as it stands."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from services.api.examples import EXAMPLES
from services.api.openapi import openapi_schema
from tests.factories import World

MAIN_BODIES = {
    "DocumentCreate", "DocumentUpdate", "ConsultationCreate", "ResponseBody", "RouteCreate",
    "SignOffCreate", "SignOffDecisionCreate", "BoardCreate", "MeetingCreate", "ReviewCreate",
    "ProposalCreate", "WebhookCreate", "PersonCreate", "ApiKeyCreate", "Uploaded",
}  # fmt: skip


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return openapi_schema()


def validator(spec: dict[str, Any], name: str) -> Draft202012Validator:
    registry = Registry().with_resource(
        "urn:policygov", Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": f"urn:policygov#/components/schemas/{name}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def test_every_main_body_has_an_example_in_the_spec(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    assert {n for n in MAIN_BODIES if schemas[n].get("examples")} == MAIN_BODIES


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_each_example_is_valid_against_its_schema(spec: dict[str, Any], name: str) -> None:
    [example] = spec["components"]["schemas"][name]["examples"]
    errors = [f"{list(e.path)}: {e.message}" for e in validator(spec, name).iter_errors(example)]
    assert errors == []


def test_a_broken_example_would_be_caught(spec: dict[str, Any]) -> None:
    broken = {**EXAMPLES["DocumentCreate"], "owner_id": "not-a-uuid", "kind": 7}
    assert len(list(validator(spec, "DocumentCreate").iter_errors(broken))) == 2


async def test_the_document_example_creates_a_document(client: AsyncClient, world: World) -> None:
    people = {"owner_id": world.a.approver.person_id, "author_id": world.a.author.person_id}
    body = {
        **EXAMPLES["DocumentCreate"],
        **{k: str(v) for k, v in people.items()},
        "responsible_officer_id": str(world.a.author.person_id),
    }
    created = await client.post("/v1/documents", json=body, headers=world.a.policy_officer.headers)
    assert created.status_code == 201, created.text
    assert created.json()["title"] == EXAMPLES["DocumentCreate"]["title"]

"""An organisation's own words (issue 13, item 9): role titles and citations, read by every
member and set by admins on ``/v1/organisation``, used in its messages."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient, Response

from tests.factories import World, document_body

NEUTRAL = {
    "owner": "owner",
    "responsible_officer": "responsible officer",
    "author": "author",
    "policy_team": "policy team",
    "escalation_contact": "escalation contact",
    "citations": {
        "business_case": None,
        "equality_screening": None,
        "equality_reassessment": None,
        "fit_for_purpose": None,
        "review_escalation": None,
    },
}
NCT = {
    "owner": "Responsible Strategic Manager",
    "responsible_officer": "Responsible Officer",
    "policy_team": "Policy and Procedures Officer",
}


def with_etag(headers: dict[str, str], response: Response) -> dict[str, str]:
    return {**headers, "If-Match": response.headers["ETag"]}


async def set_words(client: AsyncClient, world: World, words: dict[str, Any]) -> Response:
    org = await client.get("/v1/organisation", headers=world.a.admin.headers)
    return await client.patch(
        "/v1/organisation", json={"words": words}, headers=with_etag(world.a.admin.headers, org)
    )


async def test_an_organisation_speaks_neutrally_until_an_admin_sets_its_own_words(
    client: AsyncClient, world: World
) -> None:
    read = await client.get("/v1/organisation", headers=world.a.reader.headers)
    assert read.status_code == 200
    assert read.json()["words"] == NEUTRAL

    not_admin = await client.patch(
        "/v1/organisation",
        json={"words": NCT},
        headers=with_etag(world.a.policy_officer.headers, read),
    )
    assert not_admin.status_code == 403

    changed = await set_words(
        client, world, {**NCT, "citations": {"review_escalation": "  Terms of reference 8.3 "}}
    )
    assert changed.status_code == 200, changed.text
    words = changed.json()["words"]
    # What was left out is the neutral default; spaces around a title are not kept.
    assert words == {
        **NEUTRAL,
        **NCT,
        "citations": {**NEUTRAL["citations"], "review_escalation": "Terms of reference 8.3"},
    }
    again = await client.get("/v1/organisation", headers=world.a.author.headers)
    assert again.json()["words"] == words
    assert again.headers["ETag"] != read.headers["ETag"]
    # Another organisation keeps its own.
    other = await client.get("/v1/organisation", headers=world.b.reader.headers)
    assert other.json()["words"] == NEUTRAL

    # Words as a whole: sending only the owner puts the others back to neutral.
    reset = await set_words(client, world, {"owner": "Policy Sponsor"})
    assert reset.json()["words"] == {**NEUTRAL, "owner": "Policy Sponsor"}


@pytest.mark.parametrize(
    "words",
    [
        {"owner": ""},
        {"owner": "x" * 81},
        {"owner": "Responsible\nStrategic Manager"},
        {"owner": "<b>Sponsor</b>"},
        {"owner": None},
        {"chief": "Chief Executive"},
        {"citations": {"appendix_9": "Cafcass appendix 9"}},
        {"citations": {"equality_screening": "c" * 121}},
        None,
    ],
    ids=[
        "empty",
        "too-long",
        "line-break",
        "markup",
        "null-title",
        "unknown-role",
        "unknown-citation",
        "long-citation",
        "null",
    ],
)
async def test_words_are_short_plain_text_for_known_roles_and_sources_only(
    words: Any, client: AsyncClient, world: World
) -> None:
    response = await set_words(client, world, words)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["invalid_params"]
    after = await client.get("/v1/organisation", headers=world.a.reader.headers)
    assert after.json()["words"] == NEUTRAL


async def test_a_procedure_without_its_owner_is_refused_in_the_organisations_words(
    client: AsyncClient, world: World
) -> None:
    """NCT: a procedure always has a Responsible Strategic Manager. The message used to say
    "owner (RSM)" to every organisation."""
    h = world.a.policy_officer.headers
    neutral = await client.post("/v1/documents", json=document_body(kind="procedure"), headers=h)
    assert neutral.status_code == 422
    assert neutral.json()["detail"] == "A procedure must name its owner."
    assert (await set_words(client, world, NCT)).status_code == 200
    refused = await client.post("/v1/documents", json=document_body(kind="procedure"), headers=h)
    assert refused.json()["detail"] == "A procedure must name its Responsible Strategic Manager."
    other = await client.post(
        "/v1/documents",
        json=document_body(kind="procedure"),
        headers=world.b.policy_officer.headers,
    )
    assert other.json()["detail"] == "A procedure must name its owner."

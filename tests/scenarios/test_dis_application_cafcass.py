"""Cafcass Policy Development Framework (seed 002), phase four, 6.1, through the HTTP API on the
seeded organisation:

    "6.1 Once a policy has been formally 'signed off' and launched, it must be adhered to unless
    there are exceptional circumstances justifying a variation from the policy. Whenever a
    member of staff thinks that a policy should not be applied, s/he should discuss this with
    his/her line manager³ before acting. The policy can only be dis-applied if the Policy
    Sponsor (usually the Corporate Director) agrees that the circumstances are exceptional and
    that variation is justified.

    ³ In the case of self employed practitioners, the reference will be to the contract
    manager, not the line manager"

So: a member of staff asks, naming the line manager they discussed it with; only a policy
that is signed off and launched (in force) can be dis-applied; only its Policy Sponsor (the
document's owner, Cafcass's default ``dis_application_decider``) decides, not another Corporate
Director; approving is agreeing both that the circumstances are exceptional and that the
variation is justified. And (8.1) "All Cafcass policies are subject to an annual review": a
dis-application lasts at most twelve months.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import london_today
from services.domain.dis_applications.rules import latest_end
from tests.scenarios.seeded import document_by_reference, get_json, seed

SAFEGUARDING_POLICY = "POL-001"  # sponsored by Mark Penrose, Corporate Director, Operations
IN_CONSULTATION = "POL-002"  # not yet signed off and launched


async def test_a_safeguarding_policy_is_dis_applied_only_when_its_sponsor_agrees(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    cafcass = await seed(
        sessionmaker,
        "cafcass",
        {
            "sunita": "reader",  # Head of Profession: a member of staff
            "yasmin": "author",  # Regional Director: her line manager
            "mark": "approver",  # Corporate Director, Operations: POL-001's Policy Sponsor
            "catherine": "approver",  # Corporate Director, Resources: not its sponsor
            "ifeoma": "policy_officer",  # National Policy Manager
        },
    )
    staff = cafcass.headers("sunita")
    policy = await document_by_reference(client, staff, SAFEGUARDING_POLICY)
    assert policy["owner_id"] == cafcass.id("mark")
    today = london_today()
    ask: dict[str, Any] = {
        "section": "4.1 Joint home visits with the local authority social worker",
        "applies_to": "North East region",
        "reasons": "The local authority has suspended joint visits while it restructures.",
        "risks": "Information held by the local authority reaches the adviser later.",
        "mitigation": "A telephone strategy discussion with the allocated social worker "
        "before every visit, recorded on the case file.",
        "starts_on": today.isoformat(),
        "discussed_with_id": cafcass.id("yasmin"),
    }
    url = f"/v1/documents/{policy['id']}/dis-applications"

    # Annual review (8.1): not for longer than a year.
    too_long = {**ask, "ends_on": (latest_end(today) + timedelta(days=1)).isoformat()}
    refused = await client.post(url, json=too_long, headers=staff)
    assert refused.status_code == 422, refused.text
    assert refused.json()["invalid_params"][0]["name"] == "ends_on"

    # "Once a policy has been formally 'signed off' and launched": not a draft in consultation.
    draft = await document_by_reference(client, cafcass.headers("ifeoma"), IN_CONSULTATION)
    not_launched = await client.post(
        f"/v1/documents/{draft['id']}/dis-applications",
        json={**ask, "ends_on": (today + timedelta(days=90)).isoformat()},
        headers=staff,
    )
    assert not_launched.status_code == 409, not_launched.text

    # "s/he should discuss this with his/her line manager before acting".
    asked = await client.post(
        url, json={**ask, "ends_on": (today + timedelta(days=90)).isoformat()}, headers=staff
    )
    assert asked.status_code == 201, asked.text
    made = asked.json()
    assert (made["status"], made["discussed_with_id"]) == ("requested", cafcass.id("yasmin"))
    decide = f"/v1/dis-applications/{made['id']}/decision"
    agree = {
        "outcome": "approved",
        "note": "The local authority's restructure is outside our control and time-limited; "
        "the strategy discussion keeps the information flowing.",
        "circumstances_exceptional": True,
        "variation_justified": True,
    }

    # "only ... if the Policy Sponsor ... agrees": not another Corporate Director.
    other_director = await client.post(decide, json=agree, headers=cafcass.headers("catherine"))
    assert other_director.status_code == 403, other_director.text
    assert other_director.json()["rule"] == "dis_application_decider"
    # "... that the circumstances are exceptional and that variation is justified": both.
    only_exceptional = await client.post(
        decide, json={**agree, "variation_justified": False}, headers=cafcass.headers("mark")
    )
    assert only_exceptional.status_code == 422, only_exceptional.text
    agreed = await client.post(decide, json=agree, headers=cafcass.headers("mark"))
    assert agreed.status_code == 200, agreed.text
    assert (agreed.json()["status"], agreed.json()["is_in_force"]) == ("approved", True)
    again = await client.post(decide, json=agree, headers=cafcass.headers("mark"))
    assert again.status_code == 409, again.text

    # The register of those in force, and the policy's own list, show it to every member of staff.
    register = await get_json(client, "/v1/dis-applications?in_force=true", staff)
    assert made["id"] in [d["id"] for d in register["items"]]
    on_policy = await get_json(client, url, staff)
    assert made["id"] in [d["id"] for d in on_policy["in_force"]]
    timeline = await get_json(
        client, f"/v1/documents/{policy['id']}/timeline", cafcass.headers("ifeoma")
    )
    mine = [e for e in timeline["entries"] if e["refs"].get("dis_application_id") == made["id"]]
    assert [(e["type"], e["actor_name"]) for e in mine] == [
        ("dis_application.requested", "Sunita Mehra"),
        ("dis_application.decided", "Mark Penrose"),
    ]


async def test_the_demo_shows_one_in_force_one_ending_soon_and_one_refused(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    cafcass = await seed(sessionmaker, "cafcass", {"gareth": "reader"})
    staff = cafcass.headers("gareth")
    everything = await get_json(client, "/v1/dis-applications", staff)
    by_applies_to = {d["applies_to"]: d for d in everything["items"]}
    assert {k: v["status"] for k, v in by_applies_to.items()} == {
        "South West region (Bristol team)": "approved",
        "Cafcass Legal": "approved",
        "London region": "refused",
    }
    soon = f"{(london_today() + timedelta(days=14)).isoformat()}"
    ending = await get_json(client, f"/v1/dis-applications?in_force=true&ending_by={soon}", staff)
    assert [d["applies_to"] for d in ending["items"]] == ["Cafcass Legal"]
    in_force = await get_json(client, "/v1/dis-applications?in_force=true", staff)
    assert [d["applies_to"] for d in in_force["items"]] == [
        "Cafcass Legal",
        "South West region (Bristol team)",
    ]
    # Seeding again adds nothing.
    again = await seed(sessionmaker, "cafcass", {})
    assert again.organisation_id == cafcass.organisation_id
    assert len((await get_json(client, "/v1/dis-applications", staff))["items"]) == 3

"""Templates of kinds of document, at Dorset, through the HTTP API on the seeded organisation.

Dorset PPP Group terms of reference (seed 004), aims:

    "v) Develop guidelines and templates for the distinct types of governance document
    (policies, procedures, forms etc.)"

and the Procedure Library's appendix: "Dorset Council's policies must use the council's policy
template."

So each kind may carry a template: a file to start a draft from, the guidelines for writing
one, and the headings every draft of the kind keeps. Dorset's routes hold a draft that does not
keep its kind's headings (the ``template_followed`` gate), saying which are missing.
"""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.scenarios.seeded import get_json, register_document, seed, upload_draft


async def _gate(
    client: AsyncClient, headers: dict[str, str], document_id: str, version: str
) -> Any:
    ready = await get_json(
        client, f"/v1/sign-offs/readiness?document_id={document_id}&version_id={version}", headers
    )
    [gate] = [g for g in ready["gates"] if g["gate"] == "template_followed"]
    return gate


async def test_dorset_drafts_keep_their_kinds_template(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    dorset = await seed(
        sessionmaker,
        "dorset",
        {
            "nicola": "policy_officer",  # Project and Policy Officer: the PPP Group's templates
            "dev": "author",  # Quality Assurance Manager: writes a procedure
            "megan": "approver",  # Head of Service, Fostering and Permanence
        },
    )
    team, author = dorset.headers("nicola"), dorset.headers("dev")
    kinds = {k["key"]: k for k in await get_json(client, "/v1/document-kinds", author)}
    procedure_kind = kinds["procedure"]["id"]
    # v: the guidelines and the template of each kind, for anyone writing one.
    template = await get_json(client, f"/v1/document-kinds/{procedure_kind}/template", author)
    assert template["required_headings"] == ["Purpose", "Scope"]
    assert "governed by a policy" in template["guidelines"]
    started = await client.get(f"/v1/document-kinds/{procedure_kind}/template/file", headers=author)
    assert started.status_code == 200 and b"**Scope:**" in started.content
    policy = await get_json(client, f"/v1/document-kinds/{kinds['policy']['id']}/template", author)
    assert policy["filename"] == "Dorset Council policy template.md"

    new = await register_document(
        client, team, reference="PROC-090", title="Private Fostering Procedure",
        kind="procedure", service_area="Fostering", owner_id=dorset.id("megan"),
        responsible_officer_id=dorset.id("dev"), author_id=dorset.id("dev"),
    )  # fmt: skip
    # A draft that did not start from the template: held, naming what is missing.
    loose = await upload_draft(client, author, new["id"], "# Private fostering\nPurpose: x.")
    gate = await _gate(client, author, new["id"], loose["id"])
    assert not gate["is_met"] and "no heading 'Scope'" in gate["detail"], gate
    refused = await client.post(
        "/v1/sign-offs", json={"document_id": new["id"], "version_id": loose["id"]}, headers=author
    )
    assert refused.status_code == 409, refused.text
    assert [g["gate"] for g in refused.json()["missing_gates"]] == ["template_followed"]
    # Written on the template: it goes to the PPP Group.
    kept = await upload_draft(
        client, author, new["id"],
        "# Private Fostering Procedure\n\n**Purpose:** Notifications of private fostering.\n\n"
        "**Scope:** Fostering and MASH teams.\n\n1. Visit within 7 working days.",
    )  # fmt: skip
    assert (await _gate(client, author, new["id"], kept["id"]))["is_met"]
    submitted = await client.post(
        "/v1/sign-offs", json={"document_id": new["id"], "version_id": kept["id"]}, headers=author
    )
    assert submitted.status_code == 201, submitted.text

    # Only the policy team changes a template; a new heading applies to drafts from then on.
    form = {
        "guidelines": "Name the Mosaic recording.",
        "required_headings": ["Purpose", "Recording"],
    }
    upload = {"file": ("procedure.md", b"**Purpose:**\n**Recording:**", "text/markdown")}
    url = f"/v1/document-kinds/{procedure_kind}/template"
    denied = await client.put(url, data=form, files=upload, headers=author)
    assert denied.status_code == 403, denied.text
    replaced = await client.put(url, data=form, files=upload, headers=team)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["required_headings"] == ["Purpose", "Recording"]
    gate = await _gate(client, author, new["id"], kept["id"])
    assert not gate["is_met"] and "'Recording'" in gate["detail"]
    # Removed: drafts of the kind need no headings.
    assert (await client.delete(url, headers=team)).status_code == 204
    assert (await client.get(url, headers=author)).status_code == 404
    assert (await _gate(client, author, new["id"], kept["id"]))["is_met"]
    audit = await get_json(client, "/v1/audit?entity_type=kind_template", team)
    actions = [e["action"] for e in audit["items"]]  # oldest first: the demo set it
    assert actions[0] == "document_kind.template_set"
    assert actions[-2:] == ["document_kind.template_replaced", "document_kind.template_removed"]

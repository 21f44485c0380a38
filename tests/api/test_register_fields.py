"""The register fields Dorset asks for (issue 19 item 8), through the HTTP API: who approved the
version in force and when, the document that governs it, and whether its forms are aligned; on
the document, the tracker, its export and its import."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from httpx import AsyncClient

from services.domain.clock import london_today
from tests.api.test_imports import csv_file, upload
from tests.factories import World, document_body

HEADER = (
    "Reference,Title,Kind,Service area,RO email,RSM email,Last reviewed,Next review due,"
    "Trix URL,Approved by,Approved on,Governing document,Forms aligned on"
)


def _day(days: int) -> str:
    return (london_today() + timedelta(days=days)).isoformat()


async def _document(client: AsyncClient, world: World, **fields: Any) -> dict[str, Any]:
    body = document_body(**{"status": "published", "next_review_due": _day(60), **fields})
    response = await client.post("/v1/documents", json=body, headers=world.a.policy_officer.headers)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


async def _patch(
    client: AsyncClient, world: World, document_id: str, headers: dict[str, str], **fields: Any
) -> Any:
    current = await client.get(f"/v1/documents/{document_id}", headers=headers)
    return await client.patch(
        f"/v1/documents/{document_id}",
        json=fields,
        headers={**headers, "If-Match": current.headers["ETag"]},
    )


async def _link(
    client: AsyncClient, world: World, source: dict[str, Any], target: dict[str, Any], kind: str
) -> None:
    response = await client.post(
        f"/v1/documents/{source['id']}/links",
        json={"target_id": target["id"], "kind": kind},
        headers=world.a.policy_officer.headers,
    )
    assert response.status_code == 201, response.text


async def _tracker(client: AsyncClient, world: World, **params: Any) -> dict[str, dict[str, Any]]:
    response = await client.get("/v1/tracker", params=params, headers=world.a.admin.headers)
    assert response.status_code == 200, response.text
    return {row["reference"]: row for row in response.json()["items"]}


async def test_the_policy_team_records_who_approved_and_when_others_may_not(
    client: AsyncClient, world: World
) -> None:
    document = await _document(
        client,
        world,
        reference="PROC-7",
        kind="procedure",
        owner_id=str(world.a.approver.person_id),
    )
    team = world.a.policy_officer.headers
    changed = await _patch(
        client,
        world,
        document["id"],
        team,
        approved_by="Director of Children's Services",
        approved_on="2026-05-12",
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["approved_by"], changed.json()["approved_on"]) == (
        "Director of Children's Services",
        "2026-05-12",
    )
    shown = await client.get(f"/v1/documents/{document['id']}", headers=world.a.reader.headers)
    assert shown.json()["approved_by"] == "Director of Children's Services"
    # An author may edit the document but not the register's record of its approval.
    refused = await _patch(client, world, document["id"], world.a.author.headers, approved_by="Me")
    assert refused.status_code in (403, 404), refused.text
    too_long = await _patch(client, world, document["id"], team, approved_by="x" * 201)
    assert too_long.status_code == 422


async def test_the_governing_document_and_the_forms_alignment_follow_the_links(
    client: AsyncClient, world: World
) -> None:
    policy = await _document(client, world, reference="POL-1", title="Values and principles")
    other_policy = await _document(client, world, reference="POL-9", title="Another policy")
    procedure = await _document(
        client,
        world,
        reference="PROC-1",
        kind="procedure",
        owner_id=str(world.a.approver.person_id),
    )
    form = await _document(client, world, reference="FORM-1", kind="form")
    await _link(client, world, other_policy, procedure, "governs")
    await _link(client, world, policy, procedure, "governs")
    rows = await _tracker(client, world)
    # Several govern it: the first by reference is shown.
    assert rows["PROC-1"]["governing_reference"] == "POL-1"
    assert rows["POL-1"]["governing_reference"] is None
    # No forms: no answer.
    assert rows["PROC-1"]["forms_aligned"] is None

    await _link(client, world, form, procedure, "form_for")
    team = world.a.policy_officer.headers
    await _patch(client, world, procedure["id"], team, approved_on=_day(-10))
    rows = await _tracker(client, world)
    assert rows["PROC-1"]["forms_aligned"] is False
    assert list(await _tracker(client, world, forms_aligned="false")) == ["PROC-1"]
    assert list(await _tracker(client, world, forms_aligned="true")) == []
    shown = await client.get(f"/v1/documents/{procedure['id']}", headers=team)
    assert (shown.json()["governing_reference"], shown.json()["forms_aligned"]) == ("POL-1", False)

    # A confirmation before the approval of the version in force does not hold.
    await _patch(client, world, procedure["id"], team, forms_aligned_on=_day(-11))
    assert (await _tracker(client, world))["PROC-1"]["forms_aligned"] is False
    confirmed = await _patch(
        client,
        world,
        procedure["id"],
        team,
        forms_aligned_on=_day(-10),
        forms_aligned_by="PPP Group",
    )
    assert confirmed.json()["forms_aligned"] is True
    rows = await _tracker(client, world, forms_aligned="true")
    assert list(rows) == ["PROC-1"] and rows["PROC-1"]["forms_aligned_on"] == _day(-10)
    assert list(await _tracker(client, world, forms_aligned="false")) == []


async def test_the_import_reads_the_register_fields_and_links_the_governing_document(
    client: AsyncClient, world: World
) -> None:
    h = world.a.policy_officer.headers
    await _document(client, world, reference="POL-1", title="Values and principles")
    content = csv_file(
        # Governed by a document further down the same file.
        "PROC-2,Permanence,procedure,,,approver@alpha.example.org,,2027-01-31,,"
        "PPP Group,14/03/2026,POL-3,",
        "PROC-1,Early help,procedure,,,approver@alpha.example.org,,2027-01-31,,"
        "PPP Group,2026-03-14,POL-1,2026-04-01",
        "POL-3,Permanence policy,policy,,,,,2027-01-31,,Cabinet,2026-02-01,,",
        header=HEADER,
    )
    response = await upload(client, h, content)
    assert response.status_code == 200, response.text
    assert response.json()["problems"] == []
    rows = await _tracker(client, world)
    assert (rows["PROC-2"]["approved_by"], rows["PROC-2"]["approved_on"]) == (
        "PPP Group",
        "2026-03-14",
    )
    assert rows["PROC-2"]["governing_reference"] == "POL-3"
    assert rows["PROC-1"]["governing_reference"] == "POL-1"
    assert rows["PROC-1"]["forms_aligned_on"] == "2026-04-01"
    assert rows["POL-3"]["approved_by"] == "Cabinet"

    # The export carries them and imports again with nothing to change.
    exported = await client.get("/v1/tracker/export.csv", headers=world.a.reader.headers)
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0] == HEADER.split(",")
    by_reference = {r[0]: r for r in table[1:]}
    assert by_reference["PROC-2"][9:13] == ["PPP Group", "2026-03-14", "POL-3", ""]
    assert by_reference["PROC-1"][9:13] == ["PPP Group", "2026-03-14", "POL-1", "2026-04-01"]
    again = await upload(client, h, exported.content, dry_run=True)
    assert again.json()["problems"] == []
    assert {a["action"] for a in again.json()["actions"]} == {"unchanged"}
    xlsx = await client.get("/v1/tracker/export.xlsx", headers=world.a.reader.headers)
    again = await upload(client, h, xlsx.content, name="tracker.xlsx", dry_run=True)
    assert again.json()["problems"] == []
    assert {a["action"] for a in again.json()["actions"]} == {"unchanged"}


async def test_an_unknown_governing_document_is_a_row_problem_and_nothing_is_imported(
    client: AsyncClient, world: World
) -> None:
    content = csv_file(
        "PROC-1,Early help,procedure,,,approver@alpha.example.org,,2027-01-31,,,,POL-404,",
        "PROC-2,Itself,procedure,,,approver@alpha.example.org,,2027-01-31,,,,PROC-2,",
        "PROC-3,Bad date,procedure,,,approver@alpha.example.org,,2027-01-31,,,soon,,",
        header=HEADER,
    )
    response = await upload(client, world.a.policy_officer.headers, content)
    assert response.status_code == 422, response.text
    problems = {(p["row"], p["column"]): p["message"] for p in response.json()["problems"]}
    assert problems == {
        (2, "Governing document"): "No document 'POL-404' in this organisation or in this file.",
        (3, "Governing document"): "A document cannot govern itself.",
        (4, "Approved on"): "'soon' is not a date (use 2026-03-31 or 31/03/2026).",
    }
    assert await _tracker(client, world) == {}


async def test_another_organisations_reference_does_not_govern(
    client: AsyncClient, world: World
) -> None:
    other = document_body(reference="POL-B", status="published", next_review_due=_day(30))
    made = await client.post("/v1/documents", json=other, headers=world.b.policy_officer.headers)
    assert made.status_code == 201, made.text
    content = csv_file(
        "PROC-1,Early help,procedure,,,approver@alpha.example.org,,2027-01-31,,,,POL-B,",
        header=HEADER,
    )
    response = await upload(client, world.a.policy_officer.headers, content)
    assert response.status_code == 422
    assert response.json()["problems"][0]["message"] == (
        "No document 'POL-B' in this organisation or in this file."
    )

"""Dorset PPP Group terms of reference (seed 004): the register of governance assets, through
the HTTP API on the seeded organisation.

Aim 3 i: "To maintain a comprehensive and up-to-date register of all governance assets of
Children's Services". 4.5: the routes to approval (the Group, a Director, interim approval by a
Head of Service), so the register says who approved the version in force and when.
Procedure: "Every procedure should in principle be governed by a policy; the governing document
for the Children's Services Procedures Library is *Children's Services Policies, Values and
Principles*."
Forms: "It is therefore of the highest importance that the forms we use (for example, on the
Mosaic ICS system) are aligned with their governing policies and procedures. Through maintaining
an up-to-date Asset List, the PPP Group will ensure that any changes to our policies or
procedures are mirrored in the relevant forms."
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import london_today
from tests.scenarios.seeded import (
    decided_at_meeting,
    document_by_reference,
    get_json,
    seed,
    upload_draft,
)

PPP = "Practice, Policy and Procedures Group"


async def _tracker(client: AsyncClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    found = await get_json(
        client, "/v1/tracker?" + "&".join(f"{k}={v}" for k, v in params.items()), headers
    )
    return {row["reference"]: row for row in found["items"]}


async def test_the_asset_list_shows_approval_governing_policy_and_forms_out_of_line(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    dorset = await seed(
        sessionmaker,
        "dorset",
        {
            "nicola": "policy_officer",  # Project and Policy Officer, chairs the PPP Group
            "louise": "author",  # Early Help: the procedure's responsible officer
        },
    )
    team = dorset.headers("nicola")
    rows = await _tracker(client, team)
    early_help = rows["PROC-001"]
    # "Every procedure should in principle be governed by a policy": the governing document.
    assert early_help["governing_reference"] == "POL-001"
    assert rows["PROC-002"]["governing_reference"] == "POL-001"
    # Who approved the version in force, and when.
    assert early_help["approved_by"] == PPP and early_help["approved_on"] is not None
    assert rows["POL-001"]["approved_by"] == "Cabinet"
    # The Early Help Assessment form on Mosaic is for this procedure, and nobody has confirmed
    # it is aligned: the PPP Group's list of what to mirror in the forms.
    assert early_help["forms_aligned"] is False
    assert rows["PROC-002"]["forms_aligned"] is None  # no forms
    assert list(await _tracker(client, team, forms_aligned="false")) == ["PROC-001"]

    # The Group confirms the forms are aligned.
    procedure = await document_by_reference(client, team, "PROC-001")
    current = await client.get(f"/v1/documents/{procedure['id']}", headers=team)
    confirmed = await client.patch(
        f"/v1/documents/{procedure['id']}",
        json={"forms_aligned_on": london_today().isoformat(), "forms_aligned_by": PPP},
        headers={**team, "If-Match": current.headers["ETag"]},
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["forms_aligned"] is True
    assert await _tracker(client, team, forms_aligned="false") == {}

    # The export carries the Asset List's columns.
    exported = await client.get("/v1/tracker/export.csv", headers=team)
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    heading = table[0]
    row = next(r for r in table[1:] if r[0] == "PROC-001")
    shown = dict(zip(heading, row, strict=True))
    assert (shown["Approved by"], shown["Governing document"]) == (PPP, "POL-001")
    assert shown["Forms aligned on"] == london_today().isoformat()

    # "any changes to our policies or procedures are mirrored in the relevant forms": a revised
    # procedure approved by the Group puts its forms out of line until the Group confirms again.
    draft = await upload_draft(
        client,
        dorset.headers("louise"),
        procedure["id"],
        # On Dorset's procedure template (aim v): its Purpose and Scope headings kept.
        "# Early Help Assessment and Plan Procedure\n**Purpose:** Early help.\n"
        "**Scope:** Early help teams.\nConsent is recorded on Mosaic first.",
    )
    response = await client.post(
        "/v1/sign-offs",
        json={"document_id": procedure["id"], "version_id": draft["id"]},
        headers=dorset.headers("louise"),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert body["route_key"] == "ppp_group"
    body = await decided_at_meeting(
        client, team, body, "ppp_group", PPP, "approved", ask="review_approval"
    )
    assert body["status"] == "completed"
    revised = (await _tracker(client, team))["PROC-001"]
    # Approved on the day of the Group's meeting (held yesterday).
    yesterday = (london_today() - timedelta(days=1)).isoformat()
    assert (revised["approved_by"], revised["approved_on"]) == (PPP, yesterday)
    assert (revised["forms_aligned"], revised["forms_aligned_on"]) == (False, None)
    assert list(await _tracker(client, team, forms_aligned="false")) == ["PROC-001"]

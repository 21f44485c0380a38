"""NCT: a Team Manager who was RO of fostering procedures has left the Trust (issue 20,
orphaned owners). "RSMs identify an RO for each procedure" (NCT Procedures Manual maintenance
guidance, PG-001): the Policy and Procedures Officer finds what he held, the tracker shows the
procedure with no active RO, and everything moves in two requests, the RSM's ownership to the
RSM and the RO's work to the new RO."""

from __future__ import annotations

from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.scenarios.seeded import get_json, seed


async def test_nct_hands_over_what_its_fostering_team_manager_held(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    nct = await seed(sessionmaker, "nct", {"andrea": "policy_officer"})
    andrea = nct.headers("andrea")
    gordon = nct.id("gordon")

    # Seeded as having left: he is no longer active, yet still named on two procedures.
    held = await get_json(client, f"/v1/people/{gordon}/holdings", andrea)
    assert held["is_active"] is False
    assert sorted((h["reference"], h["role"]) for h in held["items"]) == [
        ("PROC-006", "author"),
        ("PROC-006", "responsible_officer"),
        ("PROC-007", "author"),
        ("PROC-007", "owner"),
        ("PROC-007", "responsible_officer"),
    ]
    # The tracker flags the procedure in force; the draft is on the organisation's list too.
    flagged = await get_json(client, "/v1/tracker?orphaned=true", andrea)
    assert [(r["reference"], r["vacant_roles"]) for r in flagged["items"]] == [
        ("PROC-006", ["responsible_officer"])
    ]
    orphaned = await get_json(client, "/v1/orphaned-documents", andrea)
    assert [d["reference"] for d in orphaned["items"]] == ["PROC-006", "PROC-007"]

    # The draft's RSM is the fostering RSM; Chloe Barraclough takes on the RO's work.
    to_rsm = await client.post(
        f"/v1/people/{gordon}/reassignments",
        json={"to_person_id": nct.id("martin"), "items": [{"kind": "document", "role": "owner"}]},
        headers=andrea,
    )
    assert to_rsm.status_code == 200, to_rsm.text
    to_ro = await client.post(
        f"/v1/people/{gordon}/reassignments",
        json={
            "to_person_id": nct.id("chloe"),
            "items": [
                {"kind": "document", "role": "responsible_officer"},
                {"kind": "document", "role": "author"},
            ],
        },
        headers=andrea,
    )
    assert to_ro.status_code == 200, to_ro.text
    assert len(to_ro.json()["moved"]) == 4

    assert (await get_json(client, f"/v1/people/{gordon}/holdings", andrea))["items"] == []
    assert (await get_json(client, "/v1/tracker?orphaned=true", andrea))["items"] == []
    assert (await get_json(client, "/v1/orphaned-documents", andrea))["items"] == []

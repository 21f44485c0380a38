"""The demo seeds a leaver who still holds documents (issue 20, orphaned owners): NCT's Team
Manager, Fostering has left the Trust as the RO of a procedure in force and the RSM and RO of a
draft, so the tracker flags both and the policy team is told once (seed-demo)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.authz.principal import Principal
from services.domain.demo.loader import load_data, seed_organisation
from services.domain.handover.holdings import holdings_of
from services.domain.handover.orphaned import list_orphaned
from services.domain.models.outbox import OutboxEvent
from services.domain.organisations import service as organisations
from services.domain.people import service as people

SPECS = {spec["slug"]: spec for spec in load_data()["organisations"]}
Session = async_sessionmaker[AsyncSession]
LEAVER = "gordon.pryce@nct.example.org"


async def _seed(sessionmaker: Session, spec: dict[str, Any]) -> dict[str, int]:
    async with sessionmaker() as session:
        counts = await seed_organisation(session, spec)
        await session.commit()
    return counts


async def test_nct_is_seeded_with_a_leaver_whose_documents_are_flagged_once(
    sessionmaker: Session,
) -> None:
    assert (await _seed(sessionmaker, SPECS["nct"]))["leavers"] == 1
    assert (await _seed(sessionmaker, SPECS["nct"]))["leavers"] == 0
    async with sessionmaker() as session:
        org = await organisations.find_by_slug(session, "nct")
        assert org is not None
        leaver = await people.find_by_email(session, org.id, LEAVER)
        assert leaver is not None and leaver.is_active is False
        held = await holdings_of(session, org.id, leaver.id)
        orphaned = await list_orphaned(session, Principal.system(org.id, "test"))
        told = (
            (
                await session.execute(
                    select(OutboxEvent.payload).where(
                        OutboxEvent.organisation_id == org.id, OutboxEvent.type == "people.left"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert sorted((h.reference, h.role) for h in held.items) == [
        ("PROC-006", "author"),
        ("PROC-006", "responsible_officer"),
        ("PROC-007", "author"),
        ("PROC-007", "owner"),
        ("PROC-007", "responsible_officer"),
    ]
    assert [(o.document.reference, o.vacant) for o in orphaned] == [
        ("PROC-006", ["responsible_officer"]),
        ("PROC-007", ["owner", "responsible_officer"]),
    ]
    assert [p["person_ids"] for p in told] == [[str(leaver.id)]]

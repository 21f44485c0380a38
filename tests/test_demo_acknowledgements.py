"""Every demo organisation shows read and acknowledge (all five seeds ask staff to know and
follow what is issued): people in service areas, a document with its standing audience, an
ask of its version in force with some confirmations; at Dorset, members who have read the
next PPP Group meeting's papers (Dorset 7.4). Seeding twice changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.acknowledgements import uptake
from services.domain.demo.acknowledgements import load_acknowledgements
from services.domain.demo.loader import load_data, seed_organisation
from services.domain.models.acknowledgements import (
    AcknowledgementAudience,
    AcknowledgementRequest,
    PapersRead,
)
from services.domain.models.documents import Document
from services.domain.models.people import Person
from services.domain.organisations import service as organisations

SPECS = {spec["slug"]: spec for spec in load_data()["organisations"]}
Session = async_sessionmaker[AsyncSession]


async def _seed(sessionmaker: Session, spec: dict[str, Any]) -> dict[str, int]:
    async with sessionmaker() as session:
        counts = await seed_organisation(session, spec)
        await session.commit()
    return counts


@pytest.mark.parametrize("slug", ["lbbd", "bct", "cafcass", "nct", "dorset"])
async def test_the_demo_asks_staff_to_read_and_acknowledge_once(
    sessionmaker: Session, slug: str
) -> None:
    wanted = load_acknowledgements(slug)
    first = await _seed(sessionmaker, SPECS[slug])
    assert first["acknowledgements"] == len(wanted["acknowledgements"]) == 1
    again = await _seed(sessionmaker, SPECS[slug])
    assert again["acknowledgements"] == 0
    item = wanted["acknowledgements"][0]
    async with sessionmaker() as session:
        org = await organisations.find_by_slug(session, slug)
        assert org is not None
        # Every person the acknowledgements place is in their service area (a person's own spec
        # may name one too: NCT's leaver, issue 20).
        placed = await session.execute(
            select(Person.email, Person.service_area).where(
                Person.organisation_id == org.id,
                Person.email.in_(list(wanted["service_areas"])),
            )
        )
        assert {email: area for email, area in placed.all()} == wanted["service_areas"]
        document = (
            await session.execute(
                select(Document).where(
                    Document.organisation_id == org.id, Document.reference == item["reference"]
                )
            )
        ).scalar_one()
        assert await session.get(AcknowledgementAudience, document.id) is not None
        asks = await session.execute(
            select(func.count()).where(AcknowledgementRequest.document_id == document.id)
        )
        assert asks.scalar_one() == 1
        found = await uptake(session, org.id, document.id)
        assert found is not None
        assert found.version == document.issued_version
        assert found.confirmed == len(item["confirmed_by"])
        assert found.asked > found.confirmed  # some still to confirm: the reminders show
        read = await session.execute(
            select(func.count()).where(PapersRead.organisation_id == org.id)
        )
        papers = sum(len(p["read_by"]) for p in wanted.get("papers_read", []))
        assert read.scalar_one() == papers

"""The demo organisations have the statutory sources their documents depend on (NCT 3.2:
"changes in legislation or statutory guidance" call for an unscheduled review): Working
Together 2023 and the Children Act 1989 for the children's services, Ofsted's ILACS framework,
the Care Act 2014 statutory guidance for LBBD's adult social care; each linked, once, to the
documents the data names."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.demo.loader import load_data, seed_organisation
from services.domain.demo.statutory_sources import load_sources
from services.domain.models.documents import Document
from services.domain.models.statutory_sources import StatutorySource, StatutorySourceLink
from services.domain.organisations import service as organisations

SPECS = {spec["slug"]: spec for spec in load_data()["organisations"]}
Session = async_sessionmaker[AsyncSession]


async def _seed(sessionmaker: Session, spec: dict[str, Any]) -> dict[str, int]:
    async with sessionmaker() as session:
        counts = await seed_organisation(session, spec)
        await session.commit()
    return counts


@pytest.mark.parametrize("slug", ["nct", "bct", "dorset", "lbbd", "cafcass"])
async def test_the_demo_links_each_source_to_the_documents_that_depend_on_it_once(
    sessionmaker: Session, slug: str
) -> None:
    wanted = load_sources(slug)
    assert wanted
    first = await _seed(sessionmaker, SPECS[slug])
    assert first["statutory_sources"] == len(wanted)
    assert first["statutory_source_links"] == sum(len(s["links"]) for s in wanted)
    again = await _seed(sessionmaker, SPECS[slug])
    assert (again["statutory_sources"], again["statutory_source_links"]) == (0, 0)
    async with sessionmaker() as session:
        org = await organisations.find_by_slug(session, slug)
        assert org is not None
        rows = await session.execute(
            select(StatutorySource.title, Document.reference)
            .join(StatutorySourceLink, StatutorySourceLink.source_id == StatutorySource.id)
            .join(Document, Document.id == StatutorySourceLink.document_id)
            .where(StatutorySource.organisation_id == org.id)
        )
        found = sorted((title, reference) for title, reference in rows)
    assert found == sorted((s["title"], link["reference"]) for s in wanted for link in s["links"])


def test_the_childrens_services_depend_on_working_together_and_lbbd_on_the_care_act() -> None:
    for slug in ("nct", "bct", "dorset", "cafcass"):
        titles = {s["title"] for s in load_sources(slug)}
        assert "Working Together to Safeguard Children 2023" in titles, slug
    assert {s["kind"] for s in load_sources("lbbd")} == {"statutory_guidance"}
    assert "Care Act 2014" in load_sources("lbbd")[0]["title"]
    assert any(s["kind"] == "inspection_framework" for s in load_sources("nct"))

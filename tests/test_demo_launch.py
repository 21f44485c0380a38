"""The demo organisations whose seeds ask for launch and cascade (LBBD 10, Birmingham 11,
Cafcass 7.1, Dorset 5.2) are seeded with communication plans, digest subscribers and their
digest frequency, once; their issued documents are on the news."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import london_today
from services.domain.demo.launch import load_launch
from services.domain.demo.loader import load_data, seed_organisation
from services.domain.launch import notices
from services.domain.models.launch import Announcement, CommunicationPlanItem, DigestSubscription
from services.domain.organisations import service as organisations

SPECS = {spec["slug"]: spec for spec in load_data()["organisations"]}
Session = async_sessionmaker[AsyncSession]


async def _seed(sessionmaker: Session, spec: dict[str, Any]) -> dict[str, int]:
    async with sessionmaker() as session:
        counts = await seed_organisation(session, spec)
        await session.commit()
    return counts


@pytest.mark.parametrize("slug", ["lbbd", "bct", "cafcass", "dorset"])
async def test_the_demo_shows_plans_subscribers_and_news_once(
    sessionmaker: Session, slug: str
) -> None:
    wanted = load_launch(slug)
    assert wanted is not None
    first = await _seed(sessionmaker, SPECS[slug])
    assert first["communication_plan_items"] == len(wanted["plans"])
    assert first["digest_subscriptions"] == len(wanted["subscriptions"])
    again = await _seed(sessionmaker, SPECS[slug])
    assert (again["communication_plan_items"], again["digest_subscriptions"]) == (0, 0)
    async with sessionmaker() as session:
        org = await organisations.find_by_slug(session, slug)
        assert org is not None
        assert (org.digest_frequency, org.digest_weekday) == (
            wanted["digest"]["frequency"],
            wanted["digest"]["weekday"],
        )
        for model, count in (
            (CommunicationPlanItem, len(wanted["plans"])),
            (DigestSubscription, len(wanted["subscriptions"])),
        ):
            found = await session.scalar(
                select(func.count()).where(model.organisation_id == org.id)  # type: ignore[attr-defined]
            )
            assert found == count, model
        issued = await session.scalar(
            select(func.count()).where(Announcement.organisation_id == org.id)
        )
        assert issued and issued > 0


async def test_dorsets_digest_is_monthly_and_lbbds_unsent_team_meeting_is_reminded(
    sessionmaker: Session,
) -> None:
    await _seed(sessionmaker, SPECS["lbbd"])
    await _seed(sessionmaker, SPECS["dorset"])
    async with sessionmaker() as session:
        dorset = await organisations.find_by_slug(session, "dorset")
        assert dorset is not None and dorset.digest_frequency == "monthly"
        due = await notices.reminders_due(session, london_today())
    assert [r.notice.context["audience"] for r in due] == [
        "Service Managers, Carers and Direct Payments, to discuss with their teams"
    ]
    assert due[0].notice.person is not None
    assert due[0].notice.person.email == "ryan.tsang@lbbd.example.org"

"""The demo organisations whose seeds ask for implementation monitoring (Cafcass 7.4, Dorset xi
and 1.1) are seeded with monitoring actions: open with evidence, done with an outcome, and one
already overdue that the first sweep escalates once (seed-demo)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import london_today
from services.domain.demo.loader import load_data, seed_organisation
from services.domain.models.monitoring import (
    MonitoringAction,
    MonitoringActionStatus,
    MonitoringEvidence,
)
from services.domain.notifications import reminders
from services.domain.organisations import service as organisations

SPECS = {spec["slug"]: spec for spec in load_data()["organisations"]}
Session = async_sessionmaker[AsyncSession]


async def _seed(sessionmaker: Session, spec: dict[str, Any]) -> dict[str, int]:
    async with sessionmaker() as session:
        counts = await seed_organisation(session, spec)
        await session.commit()
    return counts


@pytest.mark.parametrize("slug", ["cafcass", "dorset"])
async def test_the_demo_shows_open_done_and_overdue_monitoring_actions_once(
    sessionmaker: Session, slug: str
) -> None:
    listed = SPECS[slug]["monitoring_actions"]
    assert (await _seed(sessionmaker, SPECS[slug]))["monitoring_actions"] == len(listed)
    assert (await _seed(sessionmaker, SPECS[slug]))["monitoring_actions"] == 0
    async with sessionmaker() as session:
        org = await organisations.find_by_slug(session, slug)
        assert org is not None
        actions = list(
            (
                await session.execute(
                    select(MonitoringAction).where(MonitoringAction.organisation_id == org.id)
                )
            ).scalars()
        )
        evidence = list(
            (
                await session.execute(
                    select(MonitoringEvidence).where(MonitoringEvidence.organisation_id == org.id)
                )
            ).scalars()
        )
    assert len(actions) == len(listed)
    today = london_today()
    done = [a for a in actions if a.status == MonitoringActionStatus.DONE]
    overdue = [a for a in actions if a.status == MonitoringActionStatus.OPEN and a.due_on < today]
    assert done and all(a.outcome for a in done)
    assert len(overdue) == 1
    assert evidence and {e.action_id for e in evidence} <= {a.id for a in actions}

    # The first sweep escalates the overdue action to the document's owner (and its own
    # owner), once: a second sweep the same day creates nothing more.
    async with sessionmaker() as session, session.begin():
        first = await reminders.plan_monitoring_reminders(session, today)
    async with sessionmaker() as session, session.begin():
        again = await reminders.plan_monitoring_reminders(session, today)
    assert len(first.notifications) >= 1
    assert len(again.notifications) == 0

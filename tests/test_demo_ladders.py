"""Every demo organisation has its escalation ladder (NCT: the RO, the RSM, then SLT; Dorset
8.3: the Head of QA and Partnerships two months after a missed review) and a quarter of a year
of weekly tracker snapshots for the trend chart (seed-demo); seeding again changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import london_today
from services.domain.demo.loader import load_data, seed_organisation
from services.domain.documents.review_dates import ReviewRules
from services.domain.governance.ladders import ladder_of
from services.domain.models.boards import Board
from services.domain.models.tracker import TrackerSnapshot, TrackerSnapshotCount
from services.domain.organisations import service as organisations
from services.domain.tracker.snapshots import HISTORY_WEEKS, take_history, week_starting

SPECS = {spec["slug"]: spec for spec in load_data()["organisations"]}
Session = async_sessionmaker[AsyncSession]


async def _seed(sessionmaker: Session, spec: dict[str, Any]) -> dict[str, int]:
    """As seed-demo does (services/ops/register.py): the organisation, then its snapshots."""
    async with sessionmaker() as session:
        counts = await seed_organisation(session, spec)
        org = await organisations.find_by_slug(session, spec["slug"])
        assert org is not None
        counts["tracker_snapshots"] = await take_history(
            session, org.id, london_today(), ReviewRules()
        )
        await session.commit()
    return counts


@pytest.mark.parametrize("slug", sorted(SPECS))
async def test_each_demo_organisation_has_its_ladder_and_weeks_of_snapshots(
    sessionmaker: Session, slug: str
) -> None:
    first = await _seed(sessionmaker, SPECS[slug])
    assert first["escalation_ladders"] == 1
    assert first["tracker_snapshots"] == HISTORY_WEEKS + 1
    again = await _seed(sessionmaker, SPECS[slug])
    assert (again["escalation_ladders"], again["tracker_snapshots"]) == (0, 0)
    async with sessionmaker() as session:
        org = await organisations.find_by_slug(session, slug)
        assert org is not None
        ladder = ladder_of(org.escalation_ladder, 2)
        weeks = list(
            (
                await session.execute(
                    select(TrackerSnapshot.week_starting)
                    .where(TrackerSnapshot.organisation_id == org.id)
                    .order_by(TrackerSnapshot.week_starting)
                )
            ).scalars()
        )
        counted = await session.scalar(
            select(func.sum(TrackerSnapshotCount.count)).where(
                TrackerSnapshotCount.organisation_id == org.id
            )
        )
        boards = set(
            (
                await session.execute(select(Board.id).where(Board.organisation_id == org.id))
            ).scalars()
        )
    assert len(ladder.rungs) == len(SPECS[slug]["escalation_ladder"])
    # The last rung is a board of the organisation's own.
    last = ladder.rungs[-1].notify
    assert last.kind == "board" and last.board_id in boards
    assert weeks[-1] == week_starting(london_today())
    assert len(weeks) == HISTORY_WEEKS + 1 and len(set(weeks)) == len(weeks)
    assert counted and counted > 0


def test_dorsets_ladder_tells_the_head_of_qa_two_months_after_a_missed_review() -> None:
    # Dorset 8.3: "Where a document owner fails to present a reviewed document within two
    # months of its due date, the Head of QA and Partnerships may escalate this."
    spec = SPECS["dorset"]
    rungs = {
        (r["after"]["amount"], r["after"]["unit"]): r["notify"] for r in spec["escalation_ladder"]
    }
    assert rungs[(2, "months")] == {"kind": "escalation_contact"}
    assert spec["escalation_contact_email"] == "gavin.mortimer@dorset.example.org"
    words = spec["words"]
    assert "Head of" in words.get("escalation_contact", "")

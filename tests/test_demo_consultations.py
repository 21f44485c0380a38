"""The demo documents in consultation are seeded with a real, open consultation (seed-demo)."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.boards.meetings import meeting_day
from services.domain.boards.service import deadlines_for, working_calendar
from services.domain.calendar.working_days import Offset, deadline_after
from services.domain.clock import closing_day, london_day, london_today
from services.domain.demo.loader import load_data, seed_organisation
from services.domain.models.boards import Board, BoardMember
from services.domain.models.consultations import Consultation, Consultee
from services.domain.models.documents import Document, DocumentVersion
from services.domain.models.meetings import Meeting
from services.domain.organisations import service as organisations

SPECS = {spec["slug"]: spec for spec in load_data()["organisations"]}
Session = async_sessionmaker[AsyncSession]
DLG = "Director Leadership Group"


async def seed(sessionmaker: Session, spec: dict[str, Any]) -> dict[str, int]:
    async with sessionmaker() as session:
        counts = await seed_organisation(session, spec)
        await session.commit()
    return counts


async def consultations_on(
    session: AsyncSession, slug: str, reference: str
) -> tuple[Document, list[Consultation]]:
    org = await organisations.find_by_slug(session, slug)
    assert org is not None
    document = (
        await session.execute(
            select(Document).where(
                Document.organisation_id == org.id, Document.reference == reference
            )
        )
    ).scalar_one()
    found = await session.execute(
        select(Consultation).where(Consultation.document_id == document.id)
    )
    return document, list(found.scalars())


async def consultees_of(session: AsyncSession, consultation: Consultation) -> list[Consultee]:
    rows = await session.execute(
        select(Consultee).where(Consultee.consultation_id == consultation.id)
    )
    return list(rows.scalars())


async def board_named(session: AsyncSession, organisation_id: uuid.UUID, name: str) -> Board:
    return (
        await session.execute(
            select(Board).where(Board.organisation_id == organisation_id, Board.name == name)
        )
    ).scalar_one()


async def test_voice_of_the_child_draft_is_circulated_to_dlg_for_its_next_meeting_once(
    sessionmaker: Session,
) -> None:
    counts = await seed(sessionmaker, SPECS["bct"])
    assert counts["consultations"] == 1
    async with sessionmaker() as session:
        document, (consultation,) = await consultations_on(session, "bct", "POL-004")
        version = await session.get(DocumentVersion, consultation.version_id)
        assert version is not None and version.number == "0.2"
        assert (consultation.kind, consultation.status) == ("pre_meeting", "open")
        assert document.status == "in_consultation"
        # Birmingham: "Lack of response by the consultation deadline will be taken as agreement".
        assert consultation.deemed_agreement is True
        # For the next DLG meeting whose response deadline (three days before) is still ahead.
        dlg = await board_named(session, document.organisation_id, DLG)
        calendar = await working_calendar(session, document.organisation_id)
        upcoming = (
            await session.execute(
                select(Meeting)
                .where(
                    Meeting.board_id == dlg.id,
                    Meeting.status == "scheduled",
                    Meeting.starts_at > datetime.now(UTC),
                )
                .order_by(Meeting.starts_at)
            )
        ).scalars()
        due = {
            m.id: deadlines_for(dlg, meeting_day(m), calendar).consultation_responses
            for m in upcoming
        }
        expected = next(m for m, day in due.items() if day is not None and day >= london_today())
        assert consultation.meeting_id == expected
        assert closing_day(consultation.closes_at) == due[expected]
        assert consultation.closing_rule == {
            "relative_to": "meeting",
            "amount": None,
            "unit": None,
        }
        # Sent to the meeting's attendees: the DLG's members, through the board.
        members = set(
            (
                await session.execute(
                    select(BoardMember.person_id).where(BoardMember.board_id == dlg.id)
                )
            ).scalars()
        )
        asked = await consultees_of(session, consultation)
        assert {c.person_id for c in asked} == members and len(members) == 4
        assert {c.via_board_id for c in asked} == {dlg.id}
        assert all(c.invited_at is not None for c in asked)

    again = await seed(sessionmaker, SPECS["bct"])
    assert again["consultations"] == 0
    async with sessionmaker() as session:
        # POL-004's, and PG-001's closed one ("You said, we did", tests/test_demo_summaries.py).
        assert await session.scalar(select(func.count()).select_from(Consultation)) == 2


async def test_without_a_future_dlg_meeting_the_draft_goes_to_an_internal_consultation(
    sessionmaker: Session,
) -> None:
    spec = copy.deepcopy(SPECS["bct"])
    dlg = next(b for b in spec["boards"] if b["name"] == DLG)
    dlg.pop("schedule_rule")  # no meetings are generated
    await seed(sessionmaker, spec)
    async with sessionmaker() as session:
        document, (consultation,) = await consultations_on(session, "bct", "POL-004")
        assert (consultation.kind, consultation.status) == ("internal", "open")
        assert consultation.meeting_id is None
        calendar = await working_calendar(session, document.organisation_id)
        opened = london_day(consultation.opens_at)
        assert closing_day(consultation.closes_at) == deadline_after(
            opened, Offset(10, "working_days"), calendar, "later"
        )
        board = await board_named(session, document.organisation_id, DLG)
        assert consultation.board_ids == [str(board.id)]
        assert len(await consultees_of(session, consultation)) == 4


async def test_cafcass_policy_is_in_a_three_month_public_consultation_with_a_response_form(
    sessionmaker: Session,
) -> None:
    await seed(sessionmaker, SPECS["cafcass"])
    async with sessionmaker() as session:
        document, (consultation,) = await consultations_on(session, "cafcass", "POL-002")
        assert (consultation.kind, consultation.status) == ("public", "open")
        assert document.status == "in_consultation"
        # Cafcass 4.6: a full three-month consultation; no deemed agreement at Cafcass.
        opened = london_day(consultation.opens_at)
        closes_on = closing_day(consultation.closes_at)
        three_months = opened + relativedelta(months=3)
        # Moved on to a working day when it falls on a weekend or bank holiday.
        assert three_months <= closes_on <= three_months + timedelta(days=4)
        assert consultation.deemed_agreement is False
        # 4.7: a response form with questions, sent to staff and external stakeholders.
        assert [q["key"] for q in consultation.questions] == ["clear", "method", "changes"]
        asked = await consultees_of(session, consultation)
        assert sorted(c.kind for c in asked) == [
            "external",
            "external",
            "person",
            "person",
            "person",
        ]
        assert {c.represents for c in asked if c.kind == "external"} == {
            "Family Court Partners Forum",
            "Young Voices in Family Justice",
        }

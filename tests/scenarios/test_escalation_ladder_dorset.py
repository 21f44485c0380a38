"""Dorset's escalation ladder, through the HTTP API on the seeded organisation.

Dorset Council Children's Services (seed 004), 8.3:

    "Where a document owner fails to present a reviewed document within two months of its due
    date, the Head of QA and Partnerships may escalate this."

The seeded ladder: the owner a fortnight after the due date, the Head of Service for the
document's area at a month, the Head of QA and Partnerships (the escalation contact) at two
months, the PPP Group's chair and escalation lead at three; each once. The tracker shows the
document red and the rungs reached, and the report a board reads carries it.
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import london_today
from services.domain.models.notifications import Notification
from services.domain.settings import Settings
from services.notifier.sweeps import sweep_reviews
from tests.notifier.conftest import RecordingTransport
from tests.scenarios.seeded import get_json, register_document, seed


async def test_dorset_escalates_a_missed_review_rung_by_rung_to_the_head_of_qa_and_the_group(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    dorset = await seed(sessionmaker, "dorset", {"nicola": "policy_officer"})
    team = dorset.headers("nicola")
    ladder = await get_json(client, "/v1/escalation-ladder", team)
    assert ladder["is_default"] is False
    assert [r["after"] for r in ladder["rungs"]][2] == {"amount": 2, "unit": "months"}
    today = london_today()
    due = today - relativedelta(months=3, days=1)
    month = relativedelta(months=1)
    document = await register_document(
        client,
        team,
        reference="DOR-FOS-099",
        title="Fostering panel procedure",
        kind="procedure",
        service_area="Fostering",
        status="published",
        owner_id=str(dorset.people["ashley"]),
        next_review_due=due.isoformat(),
    )
    told: dict[date, list[str]] = {}
    for day in (
        due + timedelta(days=13),
        due + timedelta(days=14),
        due + month,
        due + 2 * month,
        due + 3 * month,
        today,
    ):
        async with sessionmaker() as session:
            before = set((await session.execute(select(Notification.id))).scalars())
        await sweep_reviews(sessionmaker, settings, RecordingTransport(), today=day)
        async with sessionmaker() as session:
            rows = (
                await session.execute(
                    select(Notification).where(
                        Notification.kind == "review.escalated",
                        Notification.document_id == document["id"],
                    )
                )
            ).scalars()
            told[day] = sorted(n.recipient_email.split("@")[0] for n in rows if n.id not in before)
    assert told == {
        due + timedelta(days=13): [],
        due + timedelta(days=14): ["ashley.quantock"],  # the owner
        due + month: ["megan.halloran"],  # Head of Service, Fostering
        due + 2 * month: ["gavin.mortimer"],  # 8.3: the Head of QA and Partnerships
        # The PPP Group: its chair, and the Head of QA as the Group's escalation lead.
        due + 3 * month: ["gavin.mortimer", "nicola.trevelyan"],
        today: [],
    }
    rows = await get_json(client, "/v1/tracker?rag=red&service_area=Fostering", team)
    row = next(r for r in rows["items"] if r["reference"] == "DOR-FOS-099")
    assert row["escalation_rung"] == 4
    assert row["rag"] == "red"
    report = await client.get("/v1/tracker/report.html", headers=team)
    assert report.status_code == 200
    assert "Fostering" in report.text and report.text.count("<svg ") == 2

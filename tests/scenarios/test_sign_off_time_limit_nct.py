"""NCT Procedures Manual maintenance guidance (seed 003), 3.1 iii and 3.2, through the HTTP API
on the seeded organisation: "There will be a six-week period (approx.) to review and approve
(or reject) the amendments before the Trust is required to submit its response to Tri.x";
"Agreed scheduled deadlines must be adhered to". The RSM has 30 working days to sign off; then
the RSM is chased, and five working days later the Policy and Procedures Officer is told."""

from __future__ import annotations

from datetime import date

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.boards.service import working_calendar
from services.domain.clock import london_today
from services.domain.models.notifications import Notification
from services.notifier.relay import relay_once
from services.notifier.staff_sweeps import sweep_sign_off_time_limits
from tests.notifier.conftest import RecordingTransport
from tests.scenarios.seeded import decide, register_document, seed, stage, upload_draft


async def _told(sessionmaker: async_sessionmaker[AsyncSession], kind: str) -> list[Notification]:
    async with sessionmaker() as session:
        rows = await session.execute(select(Notification).where(Notification.kind == kind))
        return list(rows.scalars())


async def test_the_rsm_is_chased_after_six_weeks_and_then_the_policy_officer_told(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    nct = await seed(
        sessionmaker,
        "nct",
        {
            "andrea": "policy_officer",  # Policy and Procedures Officer
            "rebecca": "approver",  # Strategic Manager, Child Protection: the RSM
            "laura": "author",  # Practice Manager, Child Protection: the RO
        },
    )
    ro = nct.headers("laura")
    procedure = await register_document(
        client,
        nct.headers("andrea"),
        reference="PROC-020",
        title="Strategy Discussions",
        kind="procedure",
        service_area="Child Protection",
        owner_id=nct.id("rebecca"),
        responsible_officer_id=nct.id("laura"),
        author_id=nct.id("laura"),
        review_interval_months=24,
    )
    draft = await upload_draft(client, ro, procedure["id"], "# Strategy discussions\nSame day.")
    submitted = await client.post(
        "/v1/sign-offs",
        json={"document_id": procedure["id"], "version_id": draft["id"]},
        headers=ro,
    )
    assert submitted.status_code == 201, submitted.text
    body = submitted.json()
    rsm = stage(body, "rsm")
    async with sessionmaker() as session:
        calendar = await working_calendar(session, nct.organisation_id)
    # Six weeks: 30 working days from today, bank holidays not counted.
    due = calendar.add_working_days(london_today(), 30)
    assert (rsm["time_limit_working_days"], date.fromisoformat(rsm["due_on"])) == (30, due)
    chase, escalate = date.fromisoformat(rsm["chase_on"]), date.fromisoformat(rsm["escalate_on"])
    assert escalate == calendar.add_working_days(chase, 5)

    assert await sweep_sign_off_time_limits(sessionmaker, due) == (0, 0)
    assert await sweep_sign_off_time_limits(sessionmaker, chase) == (1, 0)
    assert await sweep_sign_off_time_limits(sessionmaker, escalate) == (0, 1)
    assert await sweep_sign_off_time_limits(sessionmaker, escalate) == (0, 0)
    transport = RecordingTransport()
    while await relay_once(sessionmaker, transport):
        pass
    [chased] = await _told(sessionmaker, "sign_off.stage_overdue")
    assert str(chased.recipient_person_id) == nct.id("rebecca")
    [told] = await _told(sessionmaker, "sign_off.stage_escalated")
    assert str(told.recipient_person_id) == nct.id("andrea")
    assert told.context["waiting_names"] == ["Rebecca Lyle"]

    # Late, the RSM signs it off; the sign-off ends as it always did.
    body = await decide(client, nct.headers("rebecca"), body)
    assert body["status"] == "completed"
    assert stage(body, "rsm")["tally"]["approvals"] == 1
